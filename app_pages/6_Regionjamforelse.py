"""Regionjämförelse: for any indicator with a region comparison, a funnel plot (PHE limits at 95 %
and 99,8 %, optionally widened for overdispersion, φ shown) and a sorted caterpillar chart with
intervals and the riket line, with a caption on how many units lie outside the limits and how many
would by chance alone. The views come from views.ranking; the funnel's statistics from
views.funnel (indicators.stats on the engine's counts)."""

from __future__ import annotations

import streamlit as st

import textfmt as fmt
from ui import data, filters, layout
from views import chosen_indicator
from views.funnel import expected_outside_text, funnel_caption
from views.ranking import finish_funnel

GROUP_LABELS = {"SVF": "SVF", "Kvalitetsregister": "Register", "Cancerläkemedel": "RCL"}
UNIT_WORDS = {"region": ("region", "regioner"), "healthcare_region": ("sjukvårdsregion", "sjukvårdsregioner")}

sel = filters.current()
ctx = data.context()
cat = data.dataset().catalogue()
layout.page_header(
    "Regionjämförelse",
    "Skiljer sig en region från riket mer än slumpen kan förklara? Trattdiagrammet visar varje enhets värde mot "
    "dess antal fall, med gränser för vad slumpen ger; rangordningen visar värdena med konfidensintervall.",
)

ids = [i.id for i in cat if "region" in i.dimensions]
names = {i.id: f"{ctx.label('register', i.register_code) if i.is_quality_indicator else GROUP_LABELS.get(i.group, i.group)}"
               f" · {i.name_sv}" for i in cat}
c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
default = chosen_indicator(ctx, sel)
ind_id = c1.selectbox("Indikator", ids, index=ids.index(default), key="jmf_indikator", bind="query-params",
                      format_func=lambda i: names.get(i, i),
                      help="Indikatorer som kan jämföras mellan regioner. Trattdiagram ritas för andelar.")
overdispersed = c2.toggle(
    "Vidga gränserna för överspridning", key="overspridning", bind="query-params",
    help="Spiegelhalters metod (slumpeffekter, τ²): när regionerna skiljer sig mer än slumpen ger (φ klart över 1) "
         "blir de vanliga gränserna för snäva och många regioner hamnar utanför. De vidgade gränserna visar vilka "
         "som avviker även med hänsyn till den variationen.")
page_sel = sel.replace(indicator=ind_id or default)
ind = cat.get(page_sel.indicator)
level = sel.level if sel.level != "riket" else "region"
one, many = UNIT_WORDS[level]
if sel.level == "riket":
    st.caption("Jämförelsenivån Riket har inga enheter att jämföra; här visas regionerna.")

st.subheader("Trattdiagram")
funnel_view = data.view(f"tratt:{ind.id}", page_sel)
if not funnel_view.options.get("proportion"):
    why = {"estimated_ratio": "nämnaren är en uppskattning av antalet nya cancerfall, inte ett antal patienter",
           "rate": "värdet är ett antal per 100 000 invånare, inte en andel",
           "median": "värdet är en median i dagar, inte en andel"}.get(ind.kind, "indikatorn är inte en andel")
    layout.no_data(f"Trattdiagram ritas bara för andelar med täljare och nämnare; för ”{ind.name_sv}” går det inte "
                   f"eftersom {why}. Rangordningen nedan visar värdena.")
else:
    if overdispersed:
        funnel_view = finish_funnel(funnel_view, overdispersed=True)
    f = funnel_view.options.get("funnel")
    if f is None or f.units == 0:
        layout.no_data(f"Ingen {one} har tillräckligt underlag för ett trattdiagram i det här urvalet.")
    else:
        m = st.columns(4)
        m[0].metric(f"{many.capitalize()} i jämförelsen", fmt.count(f.units),
                    help=f"{many.capitalize()} med tillräckligt underlag (minst {ind.min_n} fall).")
        m[1].metric("Utanför 95 %-gränserna", fmt.count(f.n_outside_95), help=expected_outside_text(f, 0.95))
        m[2].metric("Utanför 99,8 %-gränserna", fmt.count(f.n_outside_998), help=expected_outside_text(f, 0.998))
        m[3].metric("Spridning mellan enheterna (φ)", fmt.number(f.phi, 2) if f.phi is not None else fmt.MISSING,
                    help="φ ≈ 1: skillnaderna mellan enheterna är i nivå med slumpen. φ klart över 1: de skiljer sig "
                         "mer än slumpen ger (verkliga skillnader eller olika patientsammansättning).")
        layout.show(funnel_view, key="jmf_tratt")
        st.caption(funnel_caption(f, unit_one=one, unit_many=many))

st.subheader("Rangordning med konfidensintervall" if ind.has_interval else "Rangordning")
layout.show(data.view(f"rangordning:{ind.id}", page_sel), key="jmf_rangordning")
layout.indicator_info(ind)

"""Regionjämförelse: for any indicator, a funnel plot (PHE limits at 95 % and 99,8 %, optionally
widened for overdispersion, φ shown) and a sorted caterpillar chart with intervals and the riket
line, with a caption on how many units lie outside the limits and how many would by chance alone.

Every number comes from the engine through ui.data (riket and the units at the comparison level,
as on the other pages); the funnel limits are statistics on those counts (charts.comparison)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from charts import comparison
from ui import data, filters, layout
from ui import format as fmt

DEFAULT_INDICATOR = "svf_within_target"
UNIT_WORDS = {"region": ("region", "regioner", "Region"),
              "healthcare_region": ("sjukvårdsregion", "sjukvårdsregioner", "Sjukvårdsregion")}
GROUP_LABELS = {"SVF": "SVF", "Kvalitetsregister": "Register", "Cancerläkemedel": "RCL"}


def register_label(name: str) -> str:
    """Short register name: the abbreviation in parentheses, else the name without 'Nationella
    kvalitetsregistret för …' ('Hudmelanom', 'Lymfomregistret')."""
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1:-1]
    short = re.sub(r"^(Nationella kvalitetsregistret för|Nationellt kvalitetsregister för|Svenska registret för|"
                   r"Nationella|Nationellt|Svenska|Svenskt)\s+", "", name)
    short = re.sub(r"^cancer i ", "", short)
    return short[:1].upper() + short[1:]


def indicator_choices() -> tuple[list[str], dict[str, str]]:
    """Indicator ids in catalogue order and their display names ('NKBC · MDK inför behandlingsstart')."""
    short_reg = {c: register_label(n) for c, n in data.register_names().items()}
    ids, names = [], {}
    for ind in data.catalogue():
        if ind.is_quality_indicator:
            prefix = short_reg.get(ind.register_code or "", "Register")
        else:
            prefix = GROUP_LABELS.get(ind.group, ind.group)
        ids.append(ind.id)
        names[ind.id] = f"{prefix} · {ind.name_sv}"
    return ids, names


f = filters.current()
layout.page_header(
    "Regionjämförelse",
    "Skiljer sig en region från riket mer än slumpen kan förklara? Trattdiagrammet visar varje enhets värde mot "
    "dess antal fall, med gränser för vad slumpen ger; rangordningen visar värdena med konfidensintervall.",
)

ids, names = indicator_choices()
c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
ind_id = c1.selectbox("Indikator", ids, index=ids.index(DEFAULT_INDICATOR) if DEFAULT_INDICATOR in ids else 0,
                      key="jmf_indikator", bind="query-params", format_func=lambda i: names.get(i, i),
                      help="Alla indikatorer i katalogen. Trattdiagram ritas för andelar med täljare och nämnare.")
ind_id = ind_id or (DEFAULT_INDICATOR if DEFAULT_INDICATOR in ids else ids[0])
overdispersed = c2.toggle(
    "Vidga gränserna för överspridning", key="overspridning", bind="query-params",
    help="Spiegelhalters metod (slumpeffekter, τ²): när regionerna skiljer sig mer än slumpen ger (φ klart över 1) "
         "blir de vanliga gränserna för snäva och många regioner hamnar utanför. De vidgade gränserna visar vilka "
         "som avviker även med hänsyn till den variationen.",
)
ind = data.indicator(ind_id)

# The comparison level: region or sjukvårdsregion (riket alone has nothing to compare).
level_note = ""
fc = f
if f.level == "riket":
    fc = f.replace(level="region")
    level_note = "Jämförelsenivån Riket har inga enheter att jämföra; här visas regionerna."
one, many, title_word = UNIT_WORDS[fc.level]

table, error = None, None
try:
    table = data.comparison_table(ind_id, fc)
except (data.DataError, data.QueryError) as exc:
    error = str(exc)
if error or table is None or table.empty:
    layout.no_data(f"Det finns inga resultat för {ind.name_sv} i det här urvalet." + (f" ({error})" if error else ""))
    st.stop()

riket = table[table["role"] == "riket"].iloc[0] if (table["role"] == "riket").any() else None
units = table[table["role"] != "riket"].reset_index(drop=True)
benchmark = None if riket is None or fmt.is_missing(riket["value"]) else float(riket["value"])
labels = dict(zip(units["unit_code"].astype(str), units["label"].astype(str), strict=True))
own = fc.own_unit
target_low = None if riket is None else riket.get("target_low")
target_high = None if riket is None else riket.get("target_high")
geography = f"{len(units)} {many if len(units) != 1 else one}" + (" och riket" if riket is not None else "")
selection = fc.selection_text(ind, geography=geography)
if level_note:
    st.caption(level_note)
if f.regions:
    st.caption(f"Urvalet i sidofältet begränsar jämförelsen till {fmt.join_names([labels.get(r, r) for r in f.regions])}"
               + (" och den egna regionen" if f.own_region and f.own_region not in f.regions else "")
               + "; riket omfattar alla regioner.")

# -- funnel plot ---------------------------------------------------------------------------------
st.subheader("Trattdiagram")
if ind.kind != "proportion":
    why = {
        "estimated_ratio": "nämnaren är en uppskattning av antalet nya cancerfall, inte ett antal patienter",
        "rate": "värdet är ett antal per 100 000 invånare, inte en andel",
        "median": "värdet är en median i dagar, inte en andel",
    }.get(ind.kind, "indikatorn är inte en andel")
    layout.no_data(f"Trattdiagram ritas bara för andelar med täljare och nämnare; för ”{ind.name_sv}” går det "
                   f"inte eftersom {why}. Rangordningen nedan visar värdena"
                   + (" med konfidensintervall." if ind.has_interval else "."))
    funnel = None
else:
    funnel = comparison.funnel(units, key="unit_code", labels=labels, p0=benchmark, overdispersed=overdispersed)
    if funnel.units == 0:
        layout.no_data(f"Ingen {one} har tillräckligt underlag för ett trattdiagram i det här urvalet.")
    else:
        m = st.columns(4)
        m[0].metric(f"{title_word}er i jämförelsen" if fc.level == "region" else "Sjukvårdsregioner i jämförelsen",
                    fmt.count(funnel.units),
                    help=f"{title_word}er med tillräckligt underlag (minst {ind.min_n} fall).")
        m[1].metric("Utanför 95 %-gränserna", fmt.count(funnel.n_outside_95),
                    help=f"Av slumpen väntas ungefär {fmt.number(funnel.expected_outside(0.95), 1)}.")
        m[2].metric("Utanför 99,8 %-gränserna", fmt.count(funnel.n_outside_998),
                    help=f"Av slumpen väntas ungefär {fmt.number(funnel.expected_outside(0.998), 2)}.")
        m[3].metric("Överspridning φ", fmt.number(funnel.phi, 2) if funnel.phi is not None else fmt.MISSING,
                    help="φ ≈ 1: skillnaderna mellan enheterna är i nivå med slumpen. φ klart över 1: de skiljer "
                         "sig mer än slumpen ger (verkliga skillnader eller olika patientsammansättning).")
        title = f"{ind.name_sv}: trattdiagram"
        kind_text = "gränser vidgade för överspridning" if overdispersed else "binomiala gränser (PHE)"
        fig = comparison.funnel_figure(
            funnel, title=title, subtitle=f"{selection} · {kind_text}", highlight=own,
            highlight_label="Egen region" if fc.level == "region" else "Egen sjukvårdsregion",
            target_low=target_low, target_high=target_high, direction=ind.direction,
            x_title=f"Antal i nämnaren (n) per {one}",
        )
        pts = funnel.points
        funnel_table = pd.DataFrame({
            title_word: pts["label"], "Andel (%)": pts["value"].round(1), "Täljare": pts["numerator"],
            "Nämnare": pts["denominator"], "Nedre 95 %-gräns": pts["lo95"].round(2),
            "Övre 95 %-gräns": pts["hi95"].round(2), "Nedre 99,8 %-gräns": pts["lo998"].round(2),
            "Övre 99,8 %-gräns": pts["hi998"].round(2),
            "Läge": ["utanför 99,8 % (" + s + ")" if o998 else "utanför 95 % (" + s + ")" if o95 else "inom gränserna"
                     for s, o95, o998 in zip(pts["side"], pts["outside_95"], pts["outside_998"], strict=True)],
        })
        if funnel.suppressed:
            funnel_table = pd.concat([funnel_table, pd.DataFrame({title_word: funnel.suppressed,
                                                                  "Läge": fmt.SUPPRESSED})], ignore_index=True)
        layout.chart(fig, funnel_table, title=title, selection=selection, key="jmf_tratt", indicator=ind)
        st.caption(comparison.funnel_caption(funnel, unit_one=one, unit_many=many))
        with st.expander("Så läser du trattdiagrammet", icon=":material/help:"):
            st.markdown(
                f"- Varje punkt är en {one}: andelen på höjden, antalet fall i nämnaren på bredden (logaritmisk skala).\n"
                f"- Linjen i mitten är riket ({fmt.pct(funnel.p0)}). Gränserna visar hur långt från riket en "
                f"{one} med ett visst antal fall kan hamna av slumpen: 95 % (heldragen) och 99,8 % (streckad). "
                "Med få fall är tratten vid; med många är den smal.\n"
                f"- En {one} utanför 99,8 %-gränserna skiljer sig nästan säkert från riket. Utanför 95 % kan vara "
                f"slumpen: med {funnel.units} {many} väntas ungefär {fmt.number(funnel.expected_outside(0.95), 1)} "
                "hamna där även om alla egentligen är lika.\n"
                "- Gränserna är PHE:s inversa Wilson-gränser (samma regel som konfidensintervallen: en punkt ligger "
                "utanför precis när dess 95 %-intervall inte omfattar rikets värde).\n"
                "- Överspridning: φ jämför spridningen med vad slumpen ger. Är φ klart större än 1 skiljer sig "
                "enheterna på riktigt (eller har olika patientsammansättning) och de vanliga gränserna blir för "
                "snäva; slå då på de vidgade gränserna (Spiegelhalter 2005).\n"
                "- Regioner med för få fall visas inte som punkter utan räknas upp under diagrammet."
            )

# -- caterpillar --------------------------------------------------------------------------------
st.subheader("Rangordning med konfidensintervall" if ind.has_interval else "Rangordning")
title = f"{ind.name_sv}: rangordning"
interval_note = {"proportion": "95 % konfidensintervall (Wilson)",
                 "median": "95 % intervall för medianen (ordningsstatistika)"}.get(ind.kind, "utan intervall")
fig = comparison.caterpillar_figure(
    units, title=title, subtitle=f"{selection} · {interval_note}", key="unit_code", labels=labels,
    benchmark=benchmark, highlight=own, highlight_label="Egen region" if fc.level == "region" else "Egen sjukvårdsregion",
    unit=ind.unit, direction=ind.direction if ind.direction in ("higher", "lower") else "higher",
    target_low=target_low, target_high=target_high,
    value_axis_title={"procent": "Procent", "dagar": "Dagar", "per 100 000": "Per 100 000 invånare"}.get(ind.unit),
    count_format={"rate": "{num} starter", "estimated_ratio": "{num} av förväntat {den}"}.get(ind.kind, "{num} av {den}"),
)
rows = comparison.caterpillar_rows(units, key="unit_code", labels=labels,
                                   direction=ind.direction if ind.direction in ("higher", "lower") else "higher")
cat_table = layout.result_table(pd.concat([table[table["role"] == "riket"], units.set_index("unit_code")
                                           .loc[rows["key"]].reset_index()], ignore_index=True),
                                label_title=title_word, unit=ind.unit)
layout.chart(fig, cat_table, title=title, selection=selection, key="jmf_rangordning", indicator=ind)
order_word = {"higher": "högst värde överst", "lower": "lägst värde överst (lägre är bättre)"}.get(
    ind.direction, "högst värde överst")
parts = [f"Sorterat med {order_word}. Den streckade linjen är riket"
         + (f" ({fmt.value_text(benchmark, ind.unit)})." if benchmark is not None else ".")]
if ind.has_interval:
    parts.append("Strecken är 95 %-intervall: överlappar intervallet rikets linje kan skillnaden vara slumpen.")
if not fmt.is_missing(target_high) or not fmt.is_missing(target_low):
    parts.append("Gult fält = låg målnivå, grönt = hög målnivå.")
suppressed = rows[rows["suppressed"].astype(bool)]["label"].tolist()
if suppressed:
    parts.append(f"{fmt.SUPPRESSED.capitalize()} (för få fall för att visas): {fmt.join_names(suppressed, 6)}.")
st.caption(" ".join(parts))
layout.indicator_info(ind)

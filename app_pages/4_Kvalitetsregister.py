"""Kvalitetsregister: the quality registers' own indicators.

Choose a register in the sidebar (the shared, URL-bound register filter). Without one, the page
shows every register in brief: coverage, reporting speed, and how many of its indicators reach
their target levels. With one: its coverage and reporting speed, a table of its quality
indicators (value, interval, n, låg/hög målnivå, status, uppgift saknas) for the selection and
one's own region, and for a chosen indicator the comparison, the trend and the hospitals."""

from __future__ import annotations

import streamlit as st

from textfmt.safe import md
from ui import data, filters, layout
from views import chosen_quality_indicator

sel = filters.current()
ctx = data.context()
cat = data.dataset().catalogue()
layout.page_header(
    "Kvalitetsregister",
    "De nationella kvalitetsregistrens egna indikatorer med registrens målnivåer (låg och hög). "
    "Välj register i sidofältet.",
)

if not sel.register:
    st.info("Välj ett kvalitetsregister i sidofältet (”Kvalitetsregister”) för att se dess indikatorer, "
            "jämförelse och trend.", icon=":material/arrow_back:")
    st.subheader("Registren i korthet")
    for view_id in data.page_views("kvalitetsregister"):
        layout.show(data.view(view_id))
    st.stop()

st.header(md(ctx.register_names.get(sel.register, sel.register)))
layout.kpi_cards(data.view("nyckeltal:register"))
st.subheader("Kvalitetsindikatorer")
layout.show(data.view("kvalitetsindikatorer"), key="kvr_tabell")

qis = [i.id for i in cat if i.is_quality_indicator and i.register_code == sel.register]
if not qis:
    layout.no_data("Registret har inga kvalitetsindikatorer i indikatortabellen.")
    st.stop()
st.subheader("Indikator i detalj")
chosen = st.selectbox("Indikator", qis, index=qis.index(chosen_quality_indicator(ctx, sel) or qis[0]),
                      key="kvalitetsindikator", bind="query-params", format_func=lambda i: cat.get(i).name_sv)
detail = sel.replace(indicator=chosen if chosen in qis else qis[0])
for view_id in data.page_views("kvalitetsregister", detail)[2:]:
    layout.show(data.view(view_id, detail))
layout.indicator_info(cat.get(detail.indicator))

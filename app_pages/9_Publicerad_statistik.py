"""Publicerad statistik: the official SVF figures per region as the source publishes them (the
bundled Kolada figures, or the extract set's own `published_figures`), against the national
targets: the ranking and the map of one year, the trend over every published year and the
region × year table. Works without any extract (then it is the app's only data page)."""

from __future__ import annotations

import streamlit as st

import textfmt as fmt
from textfmt.safe import md
from ui import data, filters, layout
from views import PUBLISHED_PAGE_TABS
from views.published import HEALTHCARE_NOTE

sel = filters.current()
reason = data.no_extract_reason()
attribution = data.published_attribution()
cat = data.dataset().catalogue()
layout.page_header(
    "Publicerad statistik",
    f"Officiella siffror för standardiserade vårdförlopp per region och år, så som de publiceras "
    f"({md(attribution)}), mot de nationella målen: mer än 70 % av nya cancerfall utreds inom SVF och 80 % av "
    "patienterna startar behandling inom ledtiden.",
)
if reason:
    st.info(f"Inget uttag är inläst ({md(reason)}), så Indikatorpanelen visar bara den publicerade statistiken och "
            "beskrivningen av indikatorerna. Med ett uttag (`make run DATA=KATALOG` eller miljövariabeln "
            "`INDIKATORPANELEN_DATA`) visas också de egna beräkningarna, med de publicerade siffrorna bredvid.",
            icon=":material/info:")
else:
    st.caption(f"Året följer periodens slut i sidofältet ({fmt.period_text(sel.start, sel.end)}): det senaste hela "
               "kalenderåret med publicerade siffror. De egna beräkningarna med de publicerade siffrorna bredvid finns "
               "på sidorna SVF – inklusion och SVF – ledtider.")

TABS = list(PUBLISHED_PAGE_TABS)
bad_tab = [v for v in st.query_params.get_all("flik") if v not in TABS]
if bad_tab:
    st.warning(f"Okänt värde i länken ignorerades: flik = ”{md(bad_tab[0][:40])}”.", icon=":material/link_off:")
tabs = st.tabs(TABS, key="flik", bind="query-params", on_change="rerun")
for tab, name in zip(tabs, TABS):
    with tab:
        if tab.open is False:
            continue
        ids = PUBLISHED_PAGE_TABS[name]
        by_kind = {vid.split(":", 1)[0]: vid for vid in ids}
        layout.show(data.view(by_kind["publicerat"]))
        layout.show(data.view(by_kind["publicerat-karta"]))
        layout.show(data.view(by_kind["publicerat-trend"]))
        layout.show(data.view(by_kind["publicerat-tabell"]))
        st.caption(HEALTHCARE_NOTE)
        layout.indicator_info(cat.get(ids[0].split(":", 1)[1]))

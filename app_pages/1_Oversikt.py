"""Översikt: the main indicators (catalogue.yaml `overview`) for riket, one's own unit and the units
of the comparison level, each cell coloured and marked by target level. A cell opens the page and
tab that explain its indicator, with the filters kept."""

from __future__ import annotations

import streamlit as st

from ui import data, filters, layout
from ui.navigation import page_file

sel = filters.current()
layout.page_header(
    "Översikt",
    "Huvudindikatorerna för perioden " + {"region": "per region", "healthcare_region": "per sjukvårdsregion",
                                           "riket": "för riket"}[sel.level]
    + ", färgade efter målnivå. Riket och den egna regionen står överst. Klicka på en ruta för att se indikatorn.",
)

view = data.view("scorecard")
shown = layout.grid(view, key="scorecard", on_select="rerun")
cat = data.dataset().catalogue()
problems = view.options.get("problems", [])


def _drilldown(ind_id: str) -> tuple[str | None, dict]:
    ind = cat.get(ind_id)
    return (page_file(ind.page) if ind.page else None), ({"flik": ind.tab} if ind.tab else {})


# a clicked cell leads to the page (and tab) of its indicator
if shown is not None:
    event, _rows, columns = shown
    chosen = list(getattr(event.selection, "cells", None) or [])
    if chosen:
        column = chosen[0][1] if isinstance(chosen[0], (list, tuple)) else None
        column = columns[column] if isinstance(column, int) else column
        for ind_id, label in dict(zip(view.table["indicator"], view.table["indicator_label"])).items():
            if isinstance(column, str) and column.startswith(f"{label} ("):
                page, params = _drilldown(ind_id)
                if page:
                    st.switch_page(page, query_params=params)

st.caption(
    "✓ hög målnivå uppnådd (grön), ◐ låg målnivå uppnådd (gul), ✗ målnivån ej uppnådd (orange), – otillräckligt "
    "underlag (grå), vit ruta = inga fall. ? efter värdet: 95 %-konfidensintervallet omfattar en målnivå, så "
    "färgen kan bero på slumpen. SVF-inklusionen har ett uppskattat nämnartal och därför inget intervall."
)
st.markdown("**Läs mer per indikator**")
ids = view.options.get("columns", [])
for ind_id, col in zip(ids, st.columns(max(1, len(ids)))):
    page, params = _drilldown(ind_id)
    if page:
        col.page_link(page, label=cat.get(ind_id).short_sv, icon=":material/arrow_forward:", query_params=params)
if problems:
    st.warning("Vissa indikatorer kunde inte beräknas: " + "; ".join(problems), icon=":material/warning:")

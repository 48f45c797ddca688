"""Täckningsgrad och datakvalitet: can the numbers be trusted? Register coverage against the
Cancer Register (per register, and register × unit as a heat table by each register's own
targets), reporting speed, RCL coverage against 85 % with direct transfer, and the validation
report of the data set."""

from __future__ import annotations

import streamlit as st

from ui import data, filters, layout
from views import COVERAGE_PAGE_TABS
from views.registers import coverage_period

sel = filters.current()
ctx = data.context()
cat = data.dataset().catalogue()
layout.page_header(
    "Täckningsgrad och datakvalitet",
    "Går siffrorna att lita på? Hur stor del av cancerfallen som finns i kvalitetsregistren och i Register för "
    "cancerläkemedel, hur snabbt registreringarna kommer in, och vilka rader i uttaget som inte kunde användas.",
)

TABS = [*COVERAGE_PAGE_TABS, "Valideringsrapport"]
tabs = layout.bound_tabs(TABS)
info = {"Täckningsgrad i kvalitetsregistren": "register_coverage",
        "Inrapporteringshastighet": "register_reporting_90d", "Register för cancerläkemedel": "rcl_coverage"}
for tab, name in zip(tabs, TABS):
    with tab:
        if tab.open is False:
            continue
        if name == "Valideringsrapport":
            level, summary, report = data.validation_status()
            st.markdown(f"**Kontroll:** {summary}")
            layout.show(data.view("om:validering"), key="validering")
            layout.show(data.view("om:tabeller"), key="tabeller")
            continue
        view_sel = sel
        if name == "Täckningsgrad i kvalitetsregistren":
            start, end, final = coverage_period(ctx, sel.replace(coverage_period="final"))
            if final:
                choice = st.segmented_control(
                    "Period för täckningsgraden", ["final", "selected"], default="final", key="tg_period",
                    bind="query-params", required=True,
                    format_func=lambda o: (f"{start.year} (senaste året med slutliga värden)" if o == "final"
                                           else "vald period (preliminär)"),
                    help="Anmälningar till kvalitetsregistren kommer in under lång tid efter diagnosen, så "
                         "täckningsgraden för de senaste tolv månaderna blir högre med tiden.")
                view_sel = sel.replace(coverage_period=choice or "final")
        for view_id in COVERAGE_PAGE_TABS[name]:
            layout.show(data.view(view_id, view_sel))
        layout.indicator_info(cat.get(info[name]))

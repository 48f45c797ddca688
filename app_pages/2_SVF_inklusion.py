"""SVF – inklusion: the share of new cancer cases investigated within SVF, against the national
target (more than 70 %): key figures, by unit (with the published figure beside), on a map, by
pathway and as a trend, and the reconciliation with the published figures."""

from __future__ import annotations

import streamlit as st

import textfmt as fmt
from ui import data, filters, layout, published

sel = filters.current()
ind = data.dataset().catalogue().get("svf_inclusion")
layout.page_header(
    "SVF – inklusion",
    "Andel av dem som insjuknar i cancer som utreds inom ett standardiserat vårdförlopp. "
    f"Nationellt mål: {fmt.target_pct(ind.target_high)} eller mer.",
)

layout.kpi_cards(data.view("nyckeltal:svf_inclusion"),
                 extra={"Mål": (f"≥ {fmt.target_pct(ind.target_high)}", ind.target_source)})
st.caption("Nämnaren är ett uppskattat antal nya fall (medelvärdet av de tre föregående åren i Cancerregistret); "
           "andelen kan därför överstiga 100 % och har inget konfidensintervall.")
for view_id in ("jamforelse:svf_inclusion", "karta:svf_inclusion", "forlopp:svf_inclusion", "trend:svf_inclusion"):
    layout.show(data.view(view_id))
published.reconciliation(data.view("avstamning:svf_inclusion"))
layout.indicator_info(ind)

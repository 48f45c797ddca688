"""SVF – inklusion: the share of new cancer cases investigated within SVF, against the national
target (more than 70 %): by region, by pathway and as a trend with the latest months provisional."""

from __future__ import annotations

import streamlit as st

from charts import figures
from ui import data, filters, layout
from ui import format as fmt

IND = "svf_inclusion"

f = filters.current()
ind = data.indicator(IND)
layout.page_header(
    "SVF – inklusion",
    "Andel av dem som insjuknar i cancer som utreds inom ett standardiserat vårdförlopp. "
    f"Nationellt mål: mer än {fmt.target_pct(ind.target_high)}.",
)
pathway = data.label("svf_code", f.svf_code) if f.svf_code else "alla förlopp"
NOTE = "Nämnaren är ett uppskattat antal nya fall (snitt av tre tidigare år); andelen kan överstiga 100 %."



def _expected_text(r) -> str:
    """'48 663 av 56 554 förväntade fall', or why there is no figure."""
    n = fmt.n_text(r["numerator"], r["denominator"])
    return f"{n} förväntade fall" if n else fmt.SUPPRESSED

def key_figures() -> None:
    """Riket and the own region as metrics (value and n)."""
    table, err = data.try_compute(IND, by=[], start=f.start, end=f.end, where=f.where(ind))
    cols = st.columns(3)
    if table is not None and len(table):
        r = table.iloc[0]
        cols[0].metric(f"Riket, {pathway}", figures.value_label(r, ind.unit, show_n=False),
                       help=f"{fmt.n_text(r['numerator'], r['denominator'])} (utredda inom SVF av förväntat antal fall)",
                       border=True)
        cols[0].caption(_expected_text(r))
    if f.own_region:
        own, _ = data.try_compute(IND, by=[], start=f.start, end=f.end,
                                  where={**f.where(ind), "region": [f.own_region]})
        if own is not None and len(own):
            r = own.iloc[0]
            cols[1].metric(data.label("region", f.own_region), figures.value_label(r, ind.unit, show_n=False),
                           border=True)
            cols[1].caption(_expected_text(r))
    cols[2].metric("Mål", f"> {fmt.target_pct(ind.target_high)}", border=True)
    cols[2].caption(f"Period: {f.period_text}")


key_figures()

# -- 1. by region ----------------------------------------------------------------------------------
try:
    comp = data.comparison_table(IND, f)
except (data.DataError, data.QueryError) as exc:
    comp = None
    layout.no_data(f"Inklusionen kan inte visas: {exc}")
if comp is not None and len(comp):
    level_word = {"region": "region", "healthcare_region": "sjukvårdsregion", "riket": "riket"}[f.level]
    title = f"SVF-inklusion per {level_word}" if f.level != "riket" else "SVF-inklusion, riket"
    selection = f.selection_text(ind, geography=f.comparison_text())
    fig = figures.bar_comparison(comp, title=title, subtitle=selection, unit=ind.unit,
                                 target_low=ind.target_low, target_high=ind.target_high, direction=ind.direction,
                                 own_label=f.own_label, note=NOTE)
    layout.chart(fig, layout.result_table(comp, label_title=fmt.LEVEL_LABELS[f.level] if f.level != "riket" else "Enhet",
                                          unit=ind.unit),
                 title=title, selection=selection, key="incl_region", indicator=ind)
    if comp["provisional"].fillna(False).astype(bool).any():
        st.caption(f"Perioden omfattar preliminära månader (data mognar i {ind.maturity_months} månader efter "
                   f"uttaget {fmt.date_text(data.dataset().extract_date)}).")

# -- 2. by pathway ------------------------------------------------------------------------------------
try:
    by_path = data.breakdown_table(IND, "svf_code", f, highlight=f.svf_code,
                                   total_label=f"{f.scope_text()}, alla förlopp")
except (data.DataError, data.QueryError) as exc:
    by_path = None
    layout.no_data(f"Inklusionen per förlopp kan inte visas: {exc}")
if by_path is not None and len(by_path):
    title = "SVF-inklusion per förlopp"
    selection = f.selection_text(ind, geography=f.scope_text(), svf=False,
                                 extra=[f"markerat: {pathway}" if f.svf_code else ""])
    fig = figures.bar_comparison(by_path, title=title, subtitle=selection, unit=ind.unit, selected_label=pathway,
                                 target_low=ind.target_low, target_high=ind.target_high, direction=ind.direction,
                                 note=NOTE)
    layout.chart(fig, layout.result_table(by_path, label_title="Förlopp", unit=ind.unit), title=title,
                 selection=selection, key="incl_pathway", indicator=ind)

# -- 3. trend -----------------------------------------------------------------------------------------
try:
    trend, x_order = data.trend_table(IND, f)
except (data.DataError, data.QueryError) as exc:
    trend = None
    layout.no_data(f"Trenden kan inte visas: {exc}")
if trend is not None and len(trend):
    grain_word = {"year": "år", "quarter": "kvartal", "month": "månad"}[f.grain]
    title = f"SVF-inklusion per {grain_word}"
    geography = f.trend_text(trend["series"].drop_duplicates())
    lo, hi = f.trend_period()
    selection = f.selection_text(ind, period=(lo, hi), geography=geography)
    fig = figures.trend_lines(trend, x_order=x_order, title=title, subtitle=selection, unit=ind.unit,
                              target_low=ind.target_low, target_high=ind.target_high, direction=ind.direction,
                              note="Ofyllda punkter och prickad linje: preliminärt (senaste månaderna, data kompletteras).")
    layout.chart(fig, layout.result_table(trend, label_col="series", label_title="Enhet", unit=ind.unit,
                                          extra={"x": "Period"}),
                 title=title, selection=selection, key="incl_trend", indicator=ind)

layout.indicator_info(ind)

"""Översikt: a scorecard of regions (or sjukvårdsregioner) × the main indicators for the period,
coloured by target level, with a mark where the 95 % interval makes the status uncertain.
Riket and one's own region come first; each column leads to the page that explains it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import figures
from ui import data, filters, layout
from ui import format as fmt

# indicator → (page file that explains it, fallback)
COLUMNS = [
    ("svf_inclusion", "2_SVF_inklusion.py"),
    ("svf_within_target", "3_SVF_ledtider.py"),
    ("svf_over_175", "3_SVF_ledtider.py"),
    ("register_coverage", "5_Tackningsgrad.py"),
    ("register_reporting_90d", "4_Kvalitetsregister.py"),
    ("rcl_coverage", "5_Tackningsgrad.py"),
]
FALLBACK_PAGE = "7_Om_indikatorerna.py"

f = filters.current()
layout.page_header(
    "Översikt",
    "Huvudindikatorerna för perioden "
    + {"region": "per region", "healthcare_region": "per sjukvårdsregion", "riket": "för riket"}[f.level]
    + ", färgade efter målnivå. Riket och den egna regionen står överst.",
)


def column_title(ind) -> str:
    """Two-line column header: the short name, then the target in brief ('mål ≥ 70 %')."""
    sign = "≤" if ind.direction == "lower" else "≥"
    if ind.targets_from == "registers":
        reg = data.reference("registers").set_index("register_code")
        if f.register and f.register in reg.index:
            r = reg.loc[f.register]
            target = f"låg {fmt.target_pct(r['coverage_target_low'])}, hög {fmt.target_pct(r['coverage_target_high'])}"
        else:
            target = "mål: välj register"
    elif not fmt.is_missing(ind.target_low) and not fmt.is_missing(ind.target_high):
        target = f"låg {fmt.target_pct(ind.target_low)}, hög {fmt.target_pct(ind.target_high)}"
    elif not fmt.is_missing(ind.target_high):
        target = f"mål {sign} {fmt.target_pct(ind.target_high)}"
    else:
        target = "ingen målnivå"
    return f"<b>{ind.short_sv}</b><br>{target}"


def cell_text(row, ind) -> str:
    if bool(row.get("suppressed", False)) or fmt.is_missing(row.get("value")):
        return fmt.SUPPRESSED.replace(" ", "<br>", 1)
    value = fmt.value_text(row["value"], ind.unit)
    n = fmt.n_text(row.get("numerator"), row.get("denominator"))
    return f"<b>{value}</b><br><span style='font-size:10px'>{n}</span>"


cells, rows_order, table_rows, problems, provisional_cols = [], [], [], [], []
row_labels: dict[str, str] = {}
for ind_id, _page in COLUMNS:
    try:
        ind = data.indicator(ind_id)
    except Exception:  # noqa: BLE001 - an indicator missing from the catalogue: skip its column
        continue
    col = column_title(ind)
    try:
        table = data.comparison_table(ind_id, f)
    except (data.DataError, data.QueryError) as exc:
        problems.append(f"{ind.short_sv}: {exc}")
        continue
    if table.empty:
        continue
    if table["provisional"].fillna(False).astype(bool).any():
        provisional_cols.append(ind.short_sv)
    for _, r in table.iterrows():
        key = "__riket__" if r["role"] == "riket" else str(r["unit_code"])
        row_labels[key] = r["label"]
        if bool(r["suppressed"]) or fmt.is_missing(r["value"]):
            level = "suppressed"
        elif fmt.is_missing(r["target_level"]):
            level = "no_target"
        else:
            level = str(r["target_level"])
        status = data.ci_status(r, ind)
        hover = (f"<b>{r['label']}</b> – {ind.name_sv}<br>{figures.value_label(r, ind.unit)}"
                 f"<br>{fmt.interval_text(r.get('ci_low'), r.get('ci_high'), ind.unit)}"
                 f"<br>{fmt.target_level_text(r['target_level']) if level != 'suppressed' else fmt.SUPPRESSED}")
        if status:
            hover += f"<br>Statistiskt: {fmt.CI_STATUS_LABELS[status]}"
        cells.append({"row_key": key, "column": col, "text": cell_text(r, ind), "level": level,
                      "uncertain": status == "uncertain", "hover": hover})
        table_rows.append({"Enhet": r["label"], "Indikator": ind.short_sv,
                           "Värde": None if fmt.is_missing(r["value"]) else round(float(r["value"]), 1),
                           "95 % KI, låg": None if fmt.is_missing(r["ci_low"]) else round(float(r["ci_low"]), 1),
                           "95 % KI, hög": None if fmt.is_missing(r["ci_high"]) else round(float(r["ci_high"]), 1),
                           "Täljare": r["numerator"], "Nämnare": r["denominator"],
                           "Målnivå": fmt.SUPPRESSED if level == "suppressed" else fmt.target_level_text(r["target_level"]),
                           "Osäker status (95 % KI)": "ja" if status == "uncertain" else "",
                           "Preliminärt": "ja" if bool(r["provisional"]) else ""})

if not cells:
    layout.no_data("Det finns inga resultat för det här urvalet." + (" " + " ".join(problems) if problems else ""))
    st.stop()

# row order: riket, own unit, then the units alphabetically
own = f.own_unit
keys = list(dict.fromkeys(c["row_key"] for c in cells))
ordered = (["__riket__"] if "__riket__" in keys else []) + ([own] if own in keys else [])
ordered += sorted((k for k in keys if k not in ordered), key=lambda k: fmt.sv_sort_key(row_labels[k]))
display = {k: row_labels[k] + ((" (egen sjukvårdsregion)" if f.level == "healthcare_region" else " (egen region)")
                               if k == own else "") for k in ordered}
cells_df = pd.DataFrame(cells)
cells_df["row"] = cells_df["row_key"].map(display)
columns = list(dict.fromkeys(cells_df["column"]))

title = {"region": "Måluppfyllelse per region", "healthcare_region": "Måluppfyllelse per sjukvårdsregion",
         "riket": "Måluppfyllelse i riket"}[f.level]
selection = f.selection_text(None, geography=f.comparison_text())
note = "◐ = 95 %-intervallet omfattar en målnivå (osäker status)"
if provisional_cols:
    n_cols = len(set(c["column"] for c in cells))
    note += (" · alla värden är preliminära (perioden slutar inom mognadstiden)" if len(provisional_cols) >= n_cols
             else " · preliminärt: " + ", ".join(provisional_cols))
fig = figures.scorecard(cells_df, rows=[display[k] for k in ordered], columns=columns, title=title,
                        subtitle=selection, highlight_rows=[display[k] for k in ordered[:2] if k in ("__riket__", own)],
                        note=note)
event = layout.chart(fig, pd.DataFrame(table_rows), title=title, selection=selection, key="scorecard",
                     on_select="rerun")

# a clicked cell leads to the page of its indicator
try:
    points = event.selection.points if event is not None else []
except AttributeError:
    points = []
pages = {column_title(data.indicator(i)): p for i, p in COLUMNS if i in data.catalogue()}
if points:
    target = layout.page_file(pages.get(points[0].get("x"), ""))
    if target is not None:
        # query_params={} keeps the shared filters: st.switch_page would otherwise try to clear the
        # URL and refuse because the filters are bound to it; the bound widgets rewrite their values
        st.switch_page(str(target), query_params={})

st.caption(
    "Grön = hög målnivå uppnådd, gul = låg målnivå uppnådd, röd = målnivån ej uppnådd, grå = otillräckligt "
    "underlag (för få fall för att visas). ◐ betyder att 95 %-konfidensintervallet omfattar en målnivå: "
    "färgen kan bero på slumpen. SVF-inklusionen har ett uppskattat nämnartal och därför inget intervall. "
    "Klicka på en cell eller på länkarna nedan för att se indikatorn i detalj."
)

st.markdown("**Läs mer per indikator**")
link_cols = st.columns(len(COLUMNS))
for (ind_id, page), col in zip(COLUMNS, link_cols):
    if ind_id not in data.catalogue():
        continue
    target = layout.page_file(page) or layout.page_file(FALLBACK_PAGE)
    if target is not None:
        col.page_link(str(target), label=data.indicator(ind_id).short_sv, icon=":material/arrow_forward:")

if problems:
    st.warning("Vissa indikatorer kunde inte beräknas: " + "; ".join(problems), icon=":material/warning:")

"""Views of the reference data (page "Om indikatorerna"): the quality indicators with their target
status, the SVF lead-time limits, the registers' coverage targets, and the tables of the loaded
data set. No counts of patients: tables a reader looks things up in, with the same downloads as
every other view."""

from __future__ import annotations

import pandas as pd

import textfmt as fmt

from .model import View

PLACEHOLDER = "⚠ platshållare"
SOURCED = "källa angiven"
DIRECTION_LABELS = {"higher": "Högre är bättre", "lower": "Lägre är bättre", "none": "Ingen riktning (beskrivande)"}


def status_mark(status) -> str:
    return PLACEHOLDER if str(status or "").strip() == "placeholder" else SOURCED


def _column(table: pd.DataFrame, name: str, default=""):
    return table[name] if name in table.columns else pd.Series([default] * len(table), index=table.index)


def quality_indicators(ctx) -> View:
    ref = ctx.ds.reference("quality_indicators")
    status_of = dict(zip(ref["indicator_code"].astype(str), _column(ref, "target_status", None)))
    source_of = dict(zip(ref["indicator_code"].astype(str), _column(ref, "source", None)))
    order = {c: i for i, c in enumerate(ctx.register_names)}
    qis = sorted((i for i in ctx.ds.catalogue() if i.is_quality_indicator),
                 key=lambda q: order.get(q.register_code, 99))
    rows = []
    for q in qis:
        code = q.id.split(":", 1)[1]
        has_target = not (fmt.is_missing(q.target_low) and fmt.is_missing(q.target_high))
        rows.append({"Register": ctx.label("register", q.register_code), "Indikator": q.name_sv,
                     "Låg målnivå": fmt.target_pct(q.target_low), "Hög målnivå": fmt.target_pct(q.target_high),
                     "Målnivåernas status": (PLACEHOLDER if status_mark(status_of.get(code)) == PLACEHOLDER
                                             else SOURCED if has_target else "ingen målnivå"),
                     "Riktning": DIRECTION_LABELS.get(q.direction, q.direction),
                     "Källa": "" if fmt.is_missing(source_of.get(code)) else str(source_of.get(code))})
    return View("om:kvalitetsindikatorer", "reference", "Kvalitetsregistrens indikatorer", "Indikatorkatalogen",
                pd.DataFrame(rows), options={"mark_column": "Målnivåernas status"})


def lead_time_limits(ctx) -> View:
    lt = ctx.ds.reference("svf_lead_time_targets")
    table = pd.DataFrame({
        "Förlopp": [ctx.label("svf_code", c) for c in lt["svf_code"].astype(str)],
        "Behandlingstyp": [fmt.treatment_label(t) for t in lt["treatment_type"]],
        "Utökad utredning": ["ja" if bool(x) else "nej" for x in lt["extended_workup"]],
        "Gräns (dagar)": lt["target_days"].astype("Int64").to_numpy(),
        "Gäller från": [fmt.date_text(pd.Timestamp(d).date()) if not fmt.is_missing(d) else "" for d in lt["valid_from"]],
        "Status": [status_mark(s) for s in lt["status"]],
        "Källa": _column(lt, "source").fillna("").astype(str).to_numpy(),
    }).sort_values(["Förlopp", "Behandlingstyp"], key=lambda s: s.map(fmt.sv_sort_key), kind="stable")
    return View("om:ledtidsgranser", "reference", "Ledtidsgränser för SVF", "Referenstabell",
                table.reset_index(drop=True), options={"mark_column": "Status"})


def register_targets(ctx) -> View:
    regs = ctx.ds.reference("registers")
    table = pd.DataFrame({
        "Register": [ctx.label("register", c) for c in regs["register_code"].astype(str)],
        "Låg målnivå": [fmt.target_pct(v) for v in regs["coverage_target_low"]],
        "Hög målnivå": [fmt.target_pct(v) for v in regs["coverage_target_high"]],
        "Status": [status_mark(s) for s in _column(regs, "target_status", None)],
        "Källa": _column(regs, "source").fillna("").astype(str).to_numpy(),
    })
    return View("om:registermal", "reference", "Kvalitetsregistrens målnivåer för täckningsgrad", "Referenstabell",
                table, options={"mark_column": "Status"})


def extract_tables(ctx) -> View:
    summary = ctx.ds.table_summary()
    table = pd.DataFrame({
        "Tabell": [fmt.table_label(t) for t in summary["table"]],
        "Källa": ["medföljer Indikatorpanelen" if b else ("saknas" if not s else str(s).rsplit("/", 1)[-1])
                  for b, s in zip(summary["bundled"], summary["source"], strict=True)],
        "Lästa rader": summary["rows_read"].astype("Int64").to_numpy(),
        "Godkända rader": summary["rows_valid"].astype("Int64").to_numpy(),
        "Första datum": [fmt.short_date(d) for d in summary["first_date"]],
        "Sista datum": [fmt.short_date(d) for d in summary["last_date"]],
        "Fel": summary["error"].fillna("").astype(str).to_numpy(),
    })
    return View("om:tabeller", "reference", "Tabellerna i uttaget",
                f"Uttag {fmt.date_text(ctx.extract_date)}", table)


def validation(ctx) -> View:
    report = ctx.ds.validation_report()
    table = pd.DataFrame({"Tabell": [fmt.table_label(t) for t in report["table"]],
                          "Rader": report["rows"].astype("Int64").to_numpy(),
                          "Anmärkning": [fmt.plain_reason(r) for r in report["reason"].astype(str)]})
    return View("om:validering", "reference", "Valideringsrapport: rader som inte används",
                f"Uttag {fmt.date_text(ctx.extract_date)}", table)


BUILDERS = {"om:kvalitetsindikatorer": quality_indicators, "om:ledtidsgranser": lead_time_limits,
            "om:registermal": register_targets, "om:tabeller": extract_tables, "om:validering": validation}

"""The Swedish tables of the cancer-plan views (views/plan.py), for the table under each chart, the
CSV and Excel downloads and the alternative texts (export/tables.frame dispatches here).

A goal view: one row per series (unit × part) and year — Enhet, År, the value in the indicator's
unit, the 95 % interval, Täljare, Nämnare, whether the year's value reaches the goal, the status
on the follow-up year's row, Preliminärt. A row without counts says why in every count and value
cell, as every other table does. The summary: chapters × statuses, as counted.
"""

from __future__ import annotations

import pandas as pd

import textfmt as fmt
from views.model import flags

from .tables import _den_title, _num, _value_title, _why

KINDS = ("plan_goal", "plan_summary")


def frame(view, catalogue) -> pd.DataFrame:
    """The table behind a plan view (module docstring)."""
    if view.kind == "plan_summary":
        return view.table.reset_index(drop=True)
    t = view.table
    ind = catalogue.get(view.indicator) if view.indicator and catalogue is not None and view.indicator in catalogue \
        else None
    kind = ind.kind if ind is not None else "proportion"
    unit = view.options.get("unit", "procent")
    year = int(view.options.get("year", 0))
    results = {r.unit_label: r for r in view.options.get("results", ())}
    rows = []
    for r in t.to_dict("records"):
        why = _why(r)
        hidden = bool(r.get("suppressed", False))
        out = {"Enhet": r["label"], "År": int(r["year"]), _value_title(unit, kind): why or _num(r.get("value"))}
        if ind is not None and ind.has_interval:
            out["95 % KI, låg"] = why if hidden else _num(r.get("ci_low"))
            out["95 % KI, hög"] = why if hidden else _num(r.get("ci_high"))
        if kind != "median":
            out["Täljare"] = why if hidden else _num(r.get("numerator"))
        out[_den_title(kind)] = why if hidden else _num(r.get("denominator"))
        meets = r.get("meets")
        out["Når målvärdet"] = "" if meets is None or fmt.is_missing(meets) else ("ja" if meets else "nej")
        result = results.get(r["label"])
        status = ""
        if result is not None and int(r["year"]) == year:
            status = result.status_label + (" (osäkert)" if result.uncertain else "")
        out[f"Status {year}"] = status
        out["Preliminärt"] = "ja" if bool(flags([r.get("provisional")]).iloc[0]) and not hidden else ""
        rows.append(out)
    df = pd.DataFrame(rows)
    for col in df.columns:
        if df[col].isna().all():
            df = df.drop(columns=[col])
    return df.reset_index(drop=True)

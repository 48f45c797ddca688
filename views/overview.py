"""The overview (Översikt): riket, one's own unit and the units × the main indicators
(catalogue.yaml `overview`), each cell coloured by target level, marked where the 95 % interval
makes the status uncertain."""

from __future__ import annotations

import pandas as pd

import textfmt as fmt
from indicators import DataError, QueryError
from indicators.catalogue import overview_ids

from . import notes as notemod
from .model import View
from .selection import Selection
from .standard import comparison_rows
from .status import ci_status, level_key
from .text import own_unit, selection_line, shown_units


def column_title(ctx, sel: Selection, ind) -> str:
    """The column heading's second line: the target in brief ('mål ≥ 70 %')."""
    sign = "≤" if ind.direction == "lower" else "≥"
    if ind.targets_from == "registers":
        if sel.register and sel.register in ctx.register_targets:
            low, high, _ = ctx.register_targets[sel.register]
            return f"låg {fmt.target_pct(low)}, hög {fmt.target_pct(high)}"
        return "registrens målnivåer"
    if not fmt.is_missing(ind.target_low) and not fmt.is_missing(ind.target_high):
        return f"låg {fmt.target_pct(ind.target_low)}, hög {fmt.target_pct(ind.target_high)}"
    if not fmt.is_missing(ind.target_high):
        return f"mål {sign} {fmt.target_pct(ind.target_high)}"
    return "ingen målnivå"


def scorecard(ctx, sel: Selection) -> View:
    """The grid as a long table: one row per unit × indicator (`indicator`, `indicator_label`,
    `target_text`, `ci_status`, `level`, `row_key`), units in display order."""
    from . import published
    from .rows import where_for

    cat = ctx.ds.catalogue()
    parts, problems, used, beside = [], [], [], {}
    for ind_id in overview_ids():
        if ind_id not in cat:
            continue
        ind = cat.get(ind_id)
        try:
            t = comparison_rows(ctx, sel, ind)
        except (DataError, QueryError) as exc:
            problems.append(f"{ind.short_sv}: {exc}")
            continue
        used.append(ind)
        # the SVF columns carry the published value of the same unit and year (views/published.py)
        t, info = published.with_published(ctx, sel, ind, t, where_for(ind, sel))
        if info:
            beside[ind.id] = info
        t = t.assign(indicator=ind.id, indicator_label=ind.short_sv, target_text=column_title(ctx, sel, ind))
        t["ci_status"] = [ci_status(r, ind) for r in t.to_dict("records")]
        parts.append(t)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    own = own_unit(ctx, sel)
    units = shown_units(ctx, sel)
    if len(table):
        table["row_key"] = [("__riket__" if r == "riket" else str(u)) for r, u in zip(table["role"], table["unit_code"])]
        names = {k: lab for k, lab in zip(table["row_key"], table["label"])}
        order = ["__riket__"] + ([own] if own in names else [])
        order += sorted((k for k in dict.fromkeys(table["row_key"]) if k not in order),
                        key=lambda k: fmt.sv_sort_key(names[k]))
        table["row_order"] = table["row_key"].map({k: i for i, k in enumerate(order)})
        table = table.sort_values(["row_order"], kind="stable").reset_index(drop=True)
        table["level"] = [level_key(r) for r in table.to_dict("records")]
    word = {"region": "region", "healthcare_region": "sjukvårdsregion"}
    title = f"Måluppfyllelse per {word[sel.level]}" if sel.level in word else "Måluppfyllelse i riket"
    geography = "riket" if sel.level == "riket" else f"{len(units)} {fmt.LEVEL_PLURAL[sel.level]} och riket"
    selection = selection_line(ctx, sel, None, geography=geography)
    notes = [f"Översikt över huvudindikatorerna. Urval: {selection}.",
             "Färg och symbol efter målnivå: ✓ hög målnivå uppnådd, ◐ låg målnivå uppnådd, ✗ målnivån ej uppnådd, "
             "– otillräckligt underlag; ljus ruta = ingen målnivå (eller registren har olika mål).",
             "? efter värdet: 95 %-konfidensintervallet omfattar en målnivå – färgen kan bero på slumpen. Varje ruta "
             "bedöms på punktskattningen."]
    notes += [f"{ind.short_sv}: {ind.name_sv}. Konfidensintervall: {ind.interval_text}" for ind in used]
    notes += [f"Kunde inte beräknas – {p}" for p in problems]
    notes.append(notemod.data_line(ctx))
    provisional = {i.short_sv: notemod.provisional_months(ctx, i, sel.start, sel.end) for i in used}
    provisional = {k: v for k, v in provisional.items() if v}
    if provisional:
        notes.insert(3, "Preliminära månader (data kompletteras): " + "; ".join(f"{k} {v}" for k, v in
                                                                                   provisional.items()) + ".")
    opts = {"columns": [i.id for i in used], "own": own, "problems": problems, "label_title": "Enhet",
            "provisional": provisional, "published": beside, "masked": published.BESIDE_MASKED}
    return View("scorecard", "scorecard", title, selection, table, indicators=tuple(i.id for i in used),
                notes=tuple(notes), options=opts)


def finish_notes(ctx, view: View) -> View:
    """The units shown without counts, per indicator and why (after disclosure control)."""
    t = view.table
    if t is None or t.empty:
        return view
    lines = []
    cat = ctx.ds.catalogue()
    for ind_id, rows in t.groupby("indicator", sort=False):
        for line in notemod.suppression_lines(ctx, cat.get(ind_id), rows.drop(columns=["indicator_label"])):
            if not line.startswith("Grupper med färre"):
                lines.append(f"{cat.get(ind_id).short_sv}: {line}")
    from . import published

    for ind_id, info in (view.options.get("published") or {}).items():
        rows = t[t["indicator"] == ind_id].drop(columns=["indicator_label"])
        one = view.replace(table=rows, indicators=(ind_id,), options=published.beside_options(info))
        short = cat.get(ind_id).short_sv
        lines += [f"{short}: {line}" for line in published.beside_lines(ctx, one)[:3]]
    notes = list(view.notes)
    return view.replace(notes=tuple(notes[:-1] + lines + notes[-1:]))

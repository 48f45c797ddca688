"""Views of the region comparison page: the funnel plot and the caterpillar ranking of one
indicator's units, from the same rows as its comparison bars."""

from __future__ import annotations

import textfmt as fmt

from . import funnel as funnelmod
from .model import View
from .selection import Selection
from .standard import comparison_rows, options
from .text import own_unit, selection_line, shown_units


def _level(sel: Selection) -> str:
    return sel.level if sel.level != "riket" else "region"


def _rows(ctx, sel: Selection, ind):
    level = _level(sel)
    table = comparison_rows(ctx, sel, ind, level)
    units = len(shown_units(ctx, sel, level))
    geography = f"{units} {fmt.LEVEL_PLURAL[level] if units != 1 else fmt.LEVEL_WORD[level]} och riket"
    return table, selection_line(ctx, sel, ind, geography=geography), level


def funnel(ctx, sel: Selection, ind_id: str, *, overdispersed: bool = False) -> View:
    """Funnel limits around riket's value for a proportion (options['funnel'] holds the Funnel)."""
    ind = ctx.ds.catalogue().get(ind_id)
    table, selection, level = _rows(ctx, sel, ind)
    riket = table[table["role"] == "riket"]
    benchmark = None if not len(riket) or fmt.is_missing(riket["value"].iloc[0]) else float(riket["value"].iloc[0])
    opts = options(ind, table, level=level, own=own_unit(ctx, sel, level), overdispersed=overdispersed,
                   benchmark=benchmark, label_title=fmt.DIMENSION_LABELS[level])
    opts["proportion"] = ind.kind == "proportion"
    kind = _limits_text(overdispersed)
    return View(f"tratt:{ind.id}", "funnel", f"{ind.name_sv}: trattdiagram", f"{selection} · {kind}", table,
                indicators=(ind.id,), options=opts,
                notes=(f"Trattdiagram: {fmt.DIMENSION_LABELS[level].lower()} mot riket, {kind}.",))


def caterpillar(ctx, sel: Selection, ind_id: str) -> View:
    """The units sorted best first with their intervals and riket as a line."""
    ind = ctx.ds.catalogue().get(ind_id)
    table, selection, level = _rows(ctx, sel, ind)
    riket = table[table["role"] == "riket"]
    benchmark = None if not len(riket) or fmt.is_missing(riket["value"].iloc[0]) else float(riket["value"].iloc[0])
    interval = {"proportion": "95 % konfidensintervall (Wilson)",
                "median": "95 % intervall för medianen (ordningsstatistika)"}.get(ind.kind, "utan intervall")
    opts = options(ind, table, level=level, own=own_unit(ctx, sel, level), benchmark=benchmark,
                   label_title=fmt.DIMENSION_LABELS[level])
    return View(f"rangordning:{ind.id}", "caterpillar", f"{ind.name_sv}: rangordning", f"{selection} · {interval}",
                table, indicators=(ind.id,), options=opts)


def finish_funnel(view: View, overdispersed: bool | None = None) -> View:
    """The funnel's limits and points from the protected rows (a hidden unit is never a point)."""
    if not view.options.get("proportion"):
        return view
    od = view.options.get("overdispersed", False) if overdispersed is None else overdispersed
    units = view.table[view.table["role"] != "riket"]
    units = units[~units["no_cases"].astype(bool)].reset_index(drop=True)
    labels = dict(zip(units["unit_code"].astype(str), units["label"].astype(str)))
    f = funnelmod.funnel(units, key="unit_code", labels=labels, p0=view.options.get("benchmark"), overdispersed=od)
    was, now = (_limits_text(view.options.get("overdispersed", False)), _limits_text(od))
    return view.replace(options={**view.options, "funnel": f, "overdispersed": od},
                        selection=view.selection.replace(was, now),  # the line under the title says which limits
                        notes=tuple(n.replace(was, now) for n in view.notes))


def _limits_text(overdispersed: bool) -> str:
    return "justerade för överspridning" if overdispersed else "binomiala gränser (PHE)"

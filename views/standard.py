"""The common chart views: comparison bars, trends and breakdowns (per pathway, treatment type,
register, hospital), built from engine results with every unit given a row."""

from __future__ import annotations

import pandas as pd

import textfmt as fmt
from indicators.periods import month_start

from . import notes as notemod
from . import rows as rowmod
from .model import View
from .selection import MAX_TREND_UNITS, Selection
from .status import verdict
from .text import comparison_text, own_label, own_unit, scope_text, selection_line, series_text, shown_units, unit_dim

# breakdown dimension → (chart id prefix, Swedish 'per …', table heading)
BREAKDOWNS = {
    "svf_code": ("forlopp", "per SVF-förlopp", "Förlopp"),
    "treatment_type": ("behandling", "per behandlingstyp", "Behandlingstyp"),
    "register": ("register", "per register", "Register"),
    "hospital": ("sjukhus", "per sjukhus", "Sjukhus"),
}


def _targets(ind, table: pd.DataFrame) -> tuple:
    """The target levels to draw: the catalogue's, or (register targets) the total row's."""
    if ind.targets_from == "registers":
        total = table[table["role"] == "riket"]
        if len(total):
            r = total.iloc[0]
            return (None if fmt.is_missing(r["target_low"]) else int(r["target_low"]),
                    None if fmt.is_missing(r["target_high"]) else int(r["target_high"]))
        return None, None
    return ind.target_low, ind.target_high


def options(ind, table: pd.DataFrame, **extra) -> dict:
    low, high = _targets(ind, table)
    out = {"unit": ind.unit, "target_low": low, "target_high": high, "direction": ind.direction,
           "show_ci": ind.has_interval, "interval_note": ind.interval_text}
    out.update(extra)
    return out


def comparison_rows(ctx, sel: Selection, ind, level: str | None = None, where: dict | None = None) -> pd.DataFrame:
    """Riket plus every unit compared at `level` (default the selection's), each with a row."""
    level = level or sel.level
    where = rowmod.where_for(ind, sel) if where is None else where
    riket = rowmod.compute(ctx, ind, [], sel.start, sel.end, where)
    parts = [rowmod.labelled(riket, [fmt.RIKET], ["riket"], [pd.NA])]
    dim = unit_dim(sel, level)
    if dim and dim in ind.dimensions:
        units = shown_units(ctx, sel, level)
        df = rowmod.compute(ctx, ind, [dim], sel.start, sel.end, where)
        df = rowmod.with_all(ctx, ind, df, dim, units, sel.start, sel.end, where)
        df = df[df[dim].astype(str).isin(units)]
        order = {u: i for i, u in enumerate(units)}
        df = df.iloc[sorted(range(len(df)), key=lambda i: order[str(df[dim].iloc[i])])]
        own = own_unit(ctx, sel, level)
        codes = df[dim].astype(str).tolist()
        parts.append(rowmod.labelled(df.drop(columns=[dim]), [ctx.unit_label(dim, c) for c in codes],
                                     ["own" if own and c == own else "unit" for c in codes], codes))
    table = rowmod.concat(parts)
    benchmark = riket["value"].iloc[0] if len(riket) and not bool(riket["suppressed"].iloc[0]) else None
    table["verdict"] = [None if r["role"] == "riket" else verdict(r, benchmark, ind.direction)
                        for r in table.to_dict("records")]
    return table


def comparison(ctx, sel: Selection, ind_id: str, *, level: str | None = None, view_id: str | None = None) -> View:
    """Bars: riket and the units at the comparison level (the own unit highlighted)."""
    from . import published

    ind = ctx.ds.catalogue().get(ind_id)
    level = level or sel.level
    table = comparison_rows(ctx, sel, ind, level)
    # the published value of the same unit and year beside the computed one (SVF indicators)
    table, info = published.with_published(ctx, sel, ind, table, rowmod.where_for(ind, sel))
    dim = unit_dim(sel, level)
    title = f"{ind.name_sv} per {fmt.LEVEL_WORD[level]}" if level != "riket" else f"{ind.name_sv}, riket"
    selection = selection_line(ctx, sel, ind, geography=comparison_text(ctx, sel, level))
    note = f"Konfidensintervall: {ind.interval_text}" if ind.has_interval else None
    if info.get("period"):
        note = " · ".join(x for x in (note, f"Romb: publicerat {info['period']} ({info['attribution']})") if x)
    opts = options(ind, table, own_label=own_label(ctx, sel, level), level=level,
                   label_title=fmt.DIMENSION_LABELS.get(dim, "Enhet") if dim else "Enhet", note=note,
                   **published.beside_options(info))
    extra = [notemod.PUBLISHED_LINE] if info else None
    return View(view_id or f"jamforelse:{ind.id}", "bars", title, selection, table, indicators=(ind.id,),
                notes=notemod.standard(ctx, sel, ind, selection, extra=extra), options=opts)


def trend_units(ctx, sel: Selection) -> list[str]:
    """The units drawn as lines besides riket: at region level the chosen regions (at most
    MAX_TREND_UNITS), at sjukvårdsregion level the shown ones, one's own unit always."""
    if sel.level == "riket":
        return [sel.own_region] if sel.own_region else []
    units = list(sel.regions)[:MAX_TREND_UNITS] if sel.level == "region" else shown_units(ctx, sel)
    own = own_unit(ctx, sel)
    if own and own not in units:
        units = [own] + units
    return units


def trend(ctx, sel: Selection, ind_id: str, *, view_id: str | None = None) -> View:
    """Lines per period at the selection's grain over the trend period: riket and the trend units."""
    ind = ctx.ds.catalogue().get(ind_id)
    grain = sel.grain if sel.grain in ind.dimensions else "quarter"
    lo, hi = sel.trend_period()
    if ind.month_aligned:
        lo = month_start(lo)
    where = rowmod.where_for(ind, sel)
    labels = fmt.period_labels(grain, lo, hi)
    riket = rowmod.compute(ctx, ind, [grain], lo, hi, where)
    riket = rowmod.with_all(ctx, ind, riket, grain, labels, lo, hi, where)
    parts = [riket.assign(series=fmt.RIKET, role="riket", unit_code=pd.NA)]
    units = trend_units(ctx, sel)
    geo = unit_dim(sel)
    own = own_unit(ctx, sel)
    if geo and units and geo in ind.dimensions:
        allu = rowmod.compute(ctx, ind, [grain, geo], lo, hi, where)
        for u in units:
            one = allu[allu[geo].astype(str) == u].drop(columns=[geo])
            uwhere = {**where, geo: [u]}
            one = rowmod.with_all(ctx, ind, one.drop(columns=["cell"]), grain, labels, lo, hi, uwhere)
            one["cell"] = rowmod.cellmod.result_cells(ctx, ind, one, [grain], lo, hi, uwhere)
            parts.append(one.assign(series=ctx.unit_label(geo, u), role="own" if own and u == own else "unit",
                                    unit_code=u))
    table = pd.concat(parts, ignore_index=True)
    table["period"] = table[grain].astype(str)
    table["x"] = [fmt.period_label(grain, v) for v in table[grain]]
    table["label"] = table["series"]
    table = table.drop(columns=[grain])
    order = {lab: i for i, lab in enumerate(labels)}
    table = table.assign(_o=table["period"].map(order)).sort_values(["_o"], kind="stable").drop(columns="_o")
    table = table.reset_index(drop=True)
    x_order = [fmt.period_label(grain, lab) for lab in labels]
    geography = series_text(list(dict.fromkeys(table["series"])))
    selection = selection_line(ctx, sel, ind, period=(lo, hi), geography=geography)
    title = f"{ind.name_sv} per {fmt.GRAIN_WORD[grain]}"
    note = "Ofyllda punkter och prickad linje: preliminärt (data kompletteras)."
    if ind.has_interval:
        note += " Skuggat band: 95 % konfidensintervall."
    opts = options(ind, table, x_order=x_order, grain=grain, note=note, label_title="Enhet")
    return View(view_id or f"trend:{ind.id}", "trend", title, selection, table, indicators=(ind.id,),
                notes=notemod.standard(ctx, sel, ind, selection), options=opts)


def breakdown_domain(ctx, ind, dim: str, sel: Selection, where: dict) -> list[str]:
    """Every value a breakdown shows (so units without cases get a row): the dimension's domain,
    or for hospitals those with data in the period."""
    domain = ctx.domain(dim)
    if domain is not None:
        if dim == "svf_code":
            return list(ctx.pathway_names)
        if dim == "register":
            return list(ctx.register_names)
        return sorted(domain)
    return []


def breakdown(ctx, sel: Selection, ind_id: str, dim: str, *, view_id: str | None = None,
              label_suffix: dict | None = None) -> View:
    """Bars per value of `dim` over the chosen regions (or riket), the total first; the value
    chosen in the selection (pathway, register) is marked."""
    ind = ctx.ds.catalogue().get(ind_id)
    prefix, per, heading = BREAKDOWNS[dim]
    where = rowmod.where_for(ind, sel, regions=True, svf=dim != "svf_code", register=dim != "register")
    scope = scope_text(ctx, sel)
    total_label = {"svf_code": f"{scope}, alla förlopp", "treatment_type": f"{scope}, alla behandlingar",
                   "register": f"{scope}, alla register", "hospital": f"{scope}, alla sjukhus"}[dim]
    total = rowmod.compute(ctx, ind, [], sel.start, sel.end, where)
    parts = rowmod.compute(ctx, ind, [dim], sel.start, sel.end, where)
    domain = breakdown_domain(ctx, ind, dim, sel, where)
    if domain:
        parts = rowmod.with_all(ctx, ind, parts, dim, domain, sel.start, sel.end, where)
    chosen = {"svf_code": sel.svf_code, "register": sel.register}.get(dim)
    codes = parts[dim].astype(str).tolist()
    suffix = label_suffix or {}
    labels = [ctx.label(dim, c) + (f" ({suffix[c]})" if c in suffix else "") for c in codes]
    table = rowmod.concat([
        rowmod.labelled(total, [total_label], ["riket"], [pd.NA]),
        rowmod.labelled(parts.drop(columns=[dim]), labels,
                        ["selected" if chosen and c == chosen else "unit" for c in codes], codes)])
    selection = selection_line(ctx, sel, ind, geography=scope, svf=dim != "svf_code", register=dim != "register",
                               extra=[f"markerat: {ctx.label(dim, chosen)}" if chosen else ""])
    title = f"{ind.name_sv} {per}"
    opts = options(ind, table, label_title=heading, selected_label=ctx.label(dim, chosen) if chosen else "Valt")
    if ind.targets_from == "registers" and dim == "register":
        opts.update(target_low=None, target_high=None, reference_col="target_high",
                    reference_name="Registrets höga målnivå")
    return View(view_id or f"{prefix}:{ind.id}", "bars", title, selection, table, indicators=(ind.id,),
                notes=notemod.standard(ctx, sel, ind, selection), options=opts)


def kpi(ctx, sel: Selection, view_id: str, ind_ids: list[str], scopes: list[tuple[str, str, dict]],
        title: str) -> View:
    """Key figures: each indicator for each scope (label, role, where beside the selection's)."""
    cat = ctx.ds.catalogue()
    parts = []
    for ind_id in ind_ids:
        ind = cat.get(ind_id)
        for label, role, extra in scopes:
            where = rowmod.where_for(ind, sel, extra=extra)
            df = rowmod.compute(ctx, ind, [], sel.start, sel.end, where)
            parts.append(rowmod.labelled(df, [label], [role], [pd.NA]).assign(indicator=ind_id,
                                                                              indicator_label=ind.short_sv))
    table = rowmod.concat(parts)
    selection = selection_line(ctx, sel, cat.get(ind_ids[0]), geography=", ".join(dict.fromkeys(s[0] for s in scopes)))
    return View(view_id, "kpi", title, selection, table, indicators=tuple(ind_ids),
                options={"label_title": "Enhet"})

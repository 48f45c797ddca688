"""The words every view shares: the selection line under a title, the geography of a chart,
scope names and legend texts. One vocabulary for screen, image, table and slide."""

from __future__ import annotations

from datetime import date

import textfmt as fmt

from .selection import Selection


def scope_text(ctx, sel: Selection) -> str:
    """'Riket' or the chosen regions ('Stockholm och Uppsala'), for charts that sum over them."""
    if not sel.regions:
        return fmt.RIKET
    return fmt.join_names([ctx.label("region", r) for r in sel.regions])


def shown_units(ctx, sel: Selection, level: str | None = None) -> list[str]:
    """Codes (regions) or names (sjukvårdsregioner) compared with riket, in order.

    Region level: the chosen regions, or all; sjukvårdsregion level: those holding a chosen region,
    or all six; riket: one's own region (if chosen). One's own unit is always included."""
    level = level or sel.level
    if level == "riket":
        return [sel.own_region] if sel.own_region else []
    if level == "region":
        units = list(sel.regions) or list(ctx.region_names)
        if sel.own_region and sel.own_region not in units:
            units.append(sel.own_region)
        return units
    chosen = {ctx.healthcare_region_of.get(r) for r in sel.regions} if sel.regions else set(ctx.healthcare_regions)
    own = own_unit(ctx, sel, level)
    if own:
        chosen.add(own)
    return [h for h in ctx.healthcare_regions if h in chosen]


def own_unit(ctx, sel: Selection, level: str | None = None) -> str | None:
    """One's own unit at a level: the region code, or its sjukvårdsregion."""
    level = level or sel.level
    if not sel.own_region:
        return None
    if level == "healthcare_region":
        return ctx.healthcare_region_of.get(sel.own_region)
    return sel.own_region


def own_label(ctx, sel: Selection, level: str | None = None) -> str | None:
    """Legend text of the highlighted unit: 'Egen region: Uppsala' / 'Egen sjukvårdsregion: …'."""
    level = level or sel.level
    own = own_unit(ctx, sel, level)
    if not own:
        return None
    if level == "healthcare_region":
        return f"Egen sjukvårdsregion: {own}"
    return f"Egen region: {ctx.label('region', own)}"


def unit_dim(sel: Selection, level: str | None = None) -> str | None:
    level = level or sel.level
    if level == "riket":
        return "region" if sel.own_region else None
    return level


def comparison_text(ctx, sel: Selection, level: str | None = None) -> str:
    """The geography of a comparison: '21 regioner och riket', 'Stockholm, Uppsala och riket'."""
    level = level or sel.level
    units = shown_units(ctx, sel, level)
    if level == "riket":
        return "riket" + (f" och {ctx.label('region', units[0])}" if units else "")
    if level == "region" and len(units) <= 3:
        return fmt.join_names([ctx.label("region", u) for u in units] + ["riket"])
    if level == "healthcare_region" and len(units) == 6:
        return "de sex sjukvårdsregionerna och riket"
    return f"{len(units)} {fmt.LEVEL_PLURAL[level]} och riket"


def series_text(names) -> str:
    """The geography of a trend from its series names: 'riket och Uppsala'."""
    names = [n for n in names if n != fmt.RIKET]
    if not names:
        return "riket"
    return "riket och " + fmt.join_names(names)


def selection_line(ctx, sel: Selection, ind=None, *, period: tuple[date, date] | None = None,
                   geography: str | None = None, svf: bool = True, register: bool = True,
                   extra=()) -> str:
    """The line under a title: period · geography · pathway · register · further filters · extras.
    Only the filters that apply to `ind` are named (None: every filter)."""
    lo, hi = period or (sel.start, sel.end)
    parts = [fmt.period_text(lo, hi)]
    if geography:
        parts.append(geography)
    dims = ind.dimensions if ind is not None else ("svf_code", "register")
    if svf and "svf_code" in dims:
        parts.append(ctx.label("svf_code", sel.svf_code) if sel.svf_code else "alla förlopp")
    if register and "register" in dims:
        parts.append(ctx.label("register", sel.register) if sel.register else "alla register")
    for dim, values in sel.extra:
        if ind is None or dim in ind.dimensions:
            shown = [ctx.label(dim, v) for v in values]
            parts.append(f"{fmt.DIMENSION_LABELS.get(dim, dim).lower()}: {', '.join(shown)}")
    parts.extend(x for x in extra if x)
    return " · ".join(parts)


def not_applied(ind, sel: Selection) -> list[str]:
    """Filters of the selection that this indicator cannot take (said in the notes)."""
    out = []
    if sel.svf_code and "svf_code" not in ind.dimensions:
        out.append("SVF-förlopp")
    if sel.register and "register" not in ind.dimensions:
        out.append("register")
    for dim, _ in sel.extra:
        if dim not in ind.dimensions:
            out.append(fmt.DIMENSION_LABELS.get(dim, dim).lower())
    return out

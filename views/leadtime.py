"""Views of the SVF lead-time pages: key figures, patients to the target, pathways with their
limits, the distribution of lead times ("andel inom X dagar") and the RCC overtime groups."""

from __future__ import annotations

import pandas as pd

import textfmt as fmt
from indicators import stats
from indicators.distribution import lead_time_days, overtime_groups

from . import notes as notemod
from . import rows as rowmod
from .model import View
from .selection import Selection
from .standard import breakdown, comparison, comparison_rows, options
from .text import own_label, scope_text, selection_line

WITHIN, OVER, MEDIAN = "svf_within_target", "svf_over_175", "svf_lead_time_median"


def _current_limits(ctx) -> pd.DataFrame:
    """The latest limit per pathway and treatment type (basic work-up), read once per data set."""
    cached = ctx.__dict__.get("_current_limits")
    if cached is None:
        t = ctx.ds.reference("svf_lead_time_targets")
        t = t[~t["extended_workup"].astype(bool)]
        cached = t.sort_values("valid_from").groupby(["svf_code", "treatment_type"], as_index=False).last()
        ctx.__dict__["_current_limits"] = cached
    return cached


def limit_texts(ctx) -> dict[str, str]:
    """svf_code → the pathway's current lead-time limit ('28 dagar', '47–68 dagar'), with
    '(platshållare)' where a limit could not be sourced."""
    out = {}
    for code, g in _current_limits(ctx).groupby("svf_code"):
        lo, hi = int(g["target_days"].min()), int(g["target_days"].max())
        text = fmt.days(lo) if lo == hi else f"{lo}–{hi} dagar"
        out[str(code)] = text + (", platshållare" if (g["status"] == "placeholder").any() else "")
    return out


def single_limits(ctx) -> dict[str, int]:
    """svf_code → the limit in days where the pathway has one limit for every treatment."""
    return {str(c): int(g["target_days"].iloc[0]) for c, g in _current_limits(ctx).groupby("svf_code")
            if g["target_days"].nunique() == 1}


def lowest_limits(ctx) -> dict[str, int]:
    """svf_code → the shortest current limit of the pathway (days)."""
    return {str(c): int(g["target_days"].min()) for c, g in _current_limits(ctx).groupby("svf_code")}


def scope(ctx, sel: Selection) -> tuple[str, str, dict]:
    """Who the key figures are about: one's own region, else the chosen regions, else riket."""
    if sel.own_region:
        return ctx.label("region", sel.own_region), "own", {"region": [sel.own_region]}
    if sel.regions:
        return scope_text(ctx, sel), "selected", {"region": list(sel.regions)}
    return fmt.RIKET, "riket", {}


def key_figures(ctx, sel: Selection) -> View:
    """Within the lead time, the median, more than 75 % over, and patients to the target, for the
    scope; the derived 'patients to 80 %' (⌈T·n⌉ − x) comes from indicators.stats."""
    from .standard import kpi

    label, role, extra = scope(ctx, sel)
    view = kpi(ctx, sel, "nyckeltal:ledtider", [WITHIN, MEDIAN, OVER], [(label, role, extra)], "Ledtider i korthet")
    target = ctx.ds.catalogue().get(WITHIN).target_high
    t = view.table.copy()
    t["patients_to_target"] = [
        stats.patients_to_target(int(x), int(n), target) if i == WITHIN and not s and not nc and not pd.isna(x)
        and not pd.isna(n) else pd.NA
        for i, x, n, s, nc in zip(t["indicator"], t["numerator"], t["denominator"], t["suppressed"], t["no_cases"])]
    t["patients_to_target"] = t["patients_to_target"].astype("Int64")
    return view.replace(table=t, options={**view.options, "masked": ("patients_to_target",), "target": target})


def gap(ctx, sel: Selection) -> View:
    """Bars: how many more patients within the lead time would have reached the target, per unit."""
    ind = ctx.ds.catalogue().get(WITHIN)
    table = comparison_rows(ctx, sel, ind)
    if sel.level != "riket":
        table = table[table["role"] != "riket"].reset_index(drop=True)
    target = ind.target_high
    table["patients_to_target"] = pd.array([
        stats.patients_to_target(int(x), int(n), target) if not s and not nc and not pd.isna(x) and not pd.isna(n)
        else pd.NA for x, n, s, nc in zip(table["numerator"], table["denominator"], table["suppressed"],
                                          table["no_cases"])], dtype="Int64")
    title = f"Fler patienter inom ledtid som hade behövts för {fmt.target_pct(target)}"
    from .text import comparison_text

    selection = selection_line(ctx, sel, ind, geography=comparison_text(ctx, sel))
    opts = {"unit": "antal", "direction": "lower", "show_ci": False, "value_col": "patients_to_target",
            "value_axis_title": "Antal patienter", "own_label": own_label(ctx, sel), "masked": ("patients_to_target",),
            "label_title": fmt.DIMENSION_LABELS.get(sel.level, "Enhet"),
            "note": f"⌈{fmt.number(target / 100, 1)} · n⌉ − antal inom ledtid. Inom parentes: behandlade inom ledtid "
                    "av alla."}
    return View("malgap:svf_within_target", "bars", title, selection, table, indicators=(ind.id,),
                notes=notemod.standard(ctx, sel, ind, selection), options=opts)


def by_pathway(ctx, sel: Selection, ind_id: str) -> View:
    """Per pathway, each label with the pathway's current limit; over one's own region when one is
    chosen ("which of our pathways waits longest"), else over the chosen regions or riket."""
    scope_sel = sel.replace(regions=(sel.own_region,)) if sel.own_region else sel
    view = breakdown(ctx, scope_sel, ind_id, "svf_code", label_suffix=limit_texts(ctx))
    extra = {"note": "Inom parentes: förloppets ledtidsgräns (varierar med behandling)."}
    if ind_id == MEDIAN:
        limits = single_limits(ctx)
        t = view.table.copy()
        t["limit"] = [limits.get(str(c)) if r != "riket" else None for c, r in zip(t["unit_code"], t["role"])]
        t["limit"] = pd.to_numeric(t["limit"], errors="coerce")
        extra = {"reference_col": "limit", "reference_name": "Ledtidsgräns",
                 "note": "Streck: förloppets ledtidsgräns där den är densamma för alla behandlingar; inom parentes: "
                         "gränsen eller gränsernas spann."}
        return view.replace(table=t, options={**view.options, **extra})
    return view.replace(options={**view.options, **extra})


def median_comparison(ctx, sel: Selection) -> View:
    """Median by unit, with the chosen pathway's limit drawn where it has one."""
    view = comparison(ctx, sel, MEDIAN)
    limit = single_limits(ctx).get(sel.svf_code) if sel.svf_code else None
    pathway = ctx.label("svf_code", sel.svf_code) if sel.svf_code else None
    if limit is not None:
        text = f"Ledtidsgräns för {pathway}: {fmt.days(limit)}."
    elif sel.svf_code:
        text = f"{pathway} har olika ledtidsgränser per behandling ({limit_texts(ctx).get(sel.svf_code, '–')})."
    else:
        text = "Välj ett förlopp för att jämföra med dess ledtidsgräns."
    t = view.table
    extra = {"note": f"Strecken visar 95 % konfidensintervall (ordningsstatistika). {text}"}
    if limit is not None:
        t = t.assign(limit=float(limit))
        extra.update(reference_col="limit", reference_name="Ledtidsgräns")
    return view.replace(table=t, options={**view.options, **extra})


def distribution_series(ctx, sel: Selection) -> list[tuple[str, str, dict]]:
    """(name, role, where beside the selection's) of the lines: each chosen region (at most four),
    or riket when none is chosen, and one's own region."""
    out = []
    if not sel.regions:
        out.append((fmt.RIKET, "riket", {}))
    for code in list(sel.regions)[:4]:
        if code != sel.own_region:
            out.append((ctx.label("region", code), "selected", {"region": [code]}))
    if sel.own_region:
        out.append((f"Egen region: {ctx.label('region', sel.own_region)}", "own", {"region": [sel.own_region]}))
    return out


def _series_rows(ctx, sel: Selection, ind) -> tuple[pd.DataFrame, list[dict]]:
    parts, wheres = [], []
    for name, role, extra in distribution_series(ctx, sel):
        where = rowmod.where_for(ind, sel, extra=extra)
        df = rowmod.compute(ctx, ind, [], sel.start, sel.end, where)
        parts.append(rowmod.labelled(df, [name], [role], [pd.NA]))
        wheres.append(where)
    return rowmod.concat(parts), wheres


def _details(ctx, sel: Selection, table, wheres, engine, columns) -> dict:
    """label → the engine's table (`columns`) of each series that is shown; none for a hidden one."""
    out = {}
    for label, where, supp in zip(table["label"], wheres, table["suppressed"]):
        if supp:
            continue
        result = engine(ctx.ds, sel.start, sel.end, where)
        if len(result):
            out[str(label)] = result[columns].reset_index(drop=True)
    return out


def distribution(ctx, sel: Selection) -> View:
    """The cumulative share treated within X days per series (indicators.distribution), with the
    pathway's limit. Per-series curves are in options['details'] (label → table of days,
    share_within, ci_low, ci_high); a series with too few cases has none."""
    ind = ctx.ds.catalogue().get(WITHIN)
    table, wheres = _series_rows(ctx, sel, ind)
    details = _details(ctx, sel, table, wheres, lead_time_days, ["days", "share_within", "ci_low", "ci_high"])
    limit = single_limits(ctx).get(sel.svf_code) if sel.svf_code else None
    pathway = ctx.label("svf_code", sel.svf_code) if sel.svf_code else "alla förlopp"
    if limit is not None:
        limit_text = f"Ledtidsgräns för {pathway}: {fmt.days(limit)}."
        start_days = limit
    elif sel.svf_code:
        limit_text = (f"{pathway} har olika ledtidsgränser per behandling ({limit_texts(ctx).get(sel.svf_code, '–')}); "
                      "ingen gräns ritas.")
        start_days = lowest_limits(ctx).get(sel.svf_code, 28)
    else:
        limit_text = "Förloppen har olika ledtidsgränser; välj ett förlopp för att se dess gräns."
        start_days = 28
    geography = " och ".join(str(x) for x in table["label"])
    selection = selection_line(ctx, sel, ind, geography=geography)
    opts = {"details": details, "limit": limit, "target": ind.target_high if limit is not None else None,
            "default_days": int(start_days), "label_title": "Enhet",
            "note": f"{limit_text} Skuggat band: 95 % konfidensintervall (Wilson)."}
    return View("fordelning:svf_within_target", "distribution", "Andel behandlade inom X dagar", selection, table,
                indicators=(ind.id,), notes=notemod.standard(ctx, sel, ind, selection), options=opts)


def share_within(curve: pd.DataFrame | None, days: int, n) -> dict | None:
    """The point of a curve that answers "andel inom `days` dagar": the last day ≤ `days` (the
    curve has a row only for days on which someone started treatment). Below the shortest lead time
    the share is 0 % with the Wilson interval for 0 of n. None without a curve."""
    if curve is None or not len(curve):
        return None
    rows = curve[curve["days"] <= days]
    if not len(rows):
        lo, hi = stats.wilson_interval(0, int(n))
        return {"days": int(days), "share": 0.0, "ci_low": float(lo) * 100, "ci_high": float(hi) * 100, "n": int(n)}
    row = rows.iloc[-1]
    return {"days": int(days), "share": float(row["share_within"]), "ci_low": float(row["ci_low"]),
            "ci_high": float(row["ci_high"]), "n": int(n)}


def overtime(ctx, sel: Selection) -> View:
    """The RCC overtime groups per series (shares; details label → table of group, label, share)."""
    ind = ctx.ds.catalogue().get(WITHIN)
    table, wheres = _series_rows(ctx, sel, ind)
    details = _details(ctx, sel, table, wheres, overtime_groups, ["group", "label", "share"])
    geography = " och ".join(str(x) for x in table["label"])
    selection = selection_line(ctx, sel, ind, geography=geography)
    opts = {"details": details, "label_title": "Enhet",
            "note": "RCC:s överskridandegrupper: hur långt över ledtidsgränsen behandlingen startade (varje patient "
                    "mot gränsen för sin behandling)."}
    return View("overtid:svf_within_target", "overtime", "Ledtid i förhållande till gränsen", selection, table,
                indicators=(ind.id,), notes=notemod.standard(ctx, sel, ind, selection), options=opts)


__all__ = ["key_figures", "gap", "by_pathway", "median_comparison", "distribution", "overtime", "share_within",
           "options", "limit_texts", "single_limits", "lowest_limits"]

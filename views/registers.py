"""Views of the register pages: register coverage per register and unit (the heat table), the
quality indicators of one register, and the registers in brief."""

from __future__ import annotations

from datetime import date

import pandas as pd

import textfmt as fmt
from indicators.engine import compute_quality_indicators
from indicators.periods import provisional_cutoff

from . import notes as notemod
from . import rows as rowmod
from .model import View
from .selection import Selection
from .status import ci_status, level_key
from .text import own_unit, scope_text, selection_line, shown_units


def coverage_period(ctx, sel: Selection) -> tuple[date, date, bool]:
    """(start, end, final): register coverage matures slowly, so while the selected period is still
    provisional the latest calendar year with final values is used (Selection.coverage_period
    'final', the default); 'selected' keeps the selected period."""
    ind = ctx.ds.catalogue().get("register_coverage")
    cutoff = provisional_cutoff(ctx.extract_date, ind.maturity_months)
    if sel.end <= cutoff or sel.coverage_period == "selected":
        return sel.start, sel.end, False
    final_year = cutoff.year if cutoff >= date(cutoff.year, 12, 31) else cutoff.year - 1
    return date(final_year, 1, 1), date(final_year, 12, 31), True


def coverage_heat(ctx, sel: Selection) -> View:
    """Register coverage, register × unit (riket first), each register's own targets."""
    ind = ctx.ds.catalogue().get("register_coverage")
    start, end, final = coverage_period(ctx, sel)
    level = sel.level if sel.level != "riket" else "region"
    dim = level
    units = shown_units(ctx, sel, level)
    own = own_unit(ctx, sel, level)
    where: dict = {}
    registers = list(ctx.register_names)
    riket = rowmod.compute(ctx, ind, ["register"], start, end, where)
    riket = rowmod.with_all(ctx, ind, riket, "register", registers, start, end, where)
    parts = [rowmod.labelled(riket, [fmt.RIKET] * len(riket), ["riket"] * len(riket), [pd.NA] * len(riket))
             .assign(register=riket["register"].astype(str).to_numpy())]
    by_unit = rowmod.compute(ctx, ind, ["register", dim], start, end, where)
    for u in units:
        one = by_unit[by_unit[dim].astype(str) == u].drop(columns=[dim, "cell"])
        uwhere = {dim: [u]}
        one = rowmod.with_all(ctx, ind, one, "register", registers, start, end, uwhere)
        one["cell"] = rowmod.cellmod.result_cells(ctx, ind, one, ["register"], start, end, uwhere)
        parts.append(rowmod.labelled(one, [ctx.unit_label(dim, u)] * len(one),
                                     ["own" if own and u == own else "unit"] * len(one), [u] * len(one))
                     .assign(register=one["register"].astype(str).to_numpy()))
    table = pd.concat(parts, ignore_index=True)
    table["register_label"] = [ctx.label("register", c) for c in table["register"]]
    table["placeholder_register"] = [bool(ctx.register_targets.get(c, (None, None, False))[2]) for c in table["register"]]
    table["ci_status"] = [ci_status(r, ind) for r in table.to_dict("records")]
    table["level"] = [level_key(r) for r in table.to_dict("records")]
    title = "Täckningsgrad mot Cancerregistret per register"
    period_note = (f"senaste året med slutliga värden ({start.year}); vald period är preliminär" if final else "")
    selection = selection_line(ctx, sel, None, period=(start, end),
                               geography=f"{len(units)} {fmt.LEVEL_PLURAL[level]} och riket", svf=False,
                               register=False, extra=["alla register", period_note])
    notes = notemod.standard(ctx, sel, ind, selection)
    opts = {"row_order": ["__riket__"] + ([own] if own in units else []) + sorted(
        (u for u in units if u != own), key=lambda u: fmt.sv_sort_key(ctx.unit_label(dim, u))),
        "dim": dim, "own": own, "final_year": start.year if final else None, "label_title":
            fmt.DIMENSION_LABELS[dim], "period": (start, end)}
    # rows in the grid's order (riket, one's own unit, the others by name): the screen's table, the
    # picture and the files read alike
    rank = {u: i for i, u in enumerate(opts["row_order"])}
    key = [rank.get("__riket__" if r == "riket" else str(u), len(rank))
           for r, u in zip(table["role"], table["unit_code"])]
    table = table.assign(_rank=key).sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)
    return View("tackning", "heat", title, selection, table, indicators=(ind.id,), notes=notes, options=opts)


def quality_rows(ctx, sel: Selection, register: str, where: dict) -> dict:
    """qi id → its ungrouped engine row (with cell) for the register, from one engine query
    (indicators.engine.compute_quality_indicators); `no_cases` where there are no outcomes at all."""
    cat = ctx.ds.catalogue()
    batch = compute_quality_indicators(ctx.ds, register, by=[], start=sel.start, end=sel.end, where=where)
    out = {}
    for qi_id, df in batch.items():
        df = rowmod._decorate(ctx, cat.get(qi_id), df, [], sel.start, sel.end, where)
        df["no_cases"] = df["denominator"].fillna(0).eq(0) & ~df["suppressed"].astype(bool) & \
            df["missing"].fillna(0).eq(0)
        out[qi_id] = df
    return out


def quality_table(ctx, sel: Selection) -> View:
    """Every quality indicator of the chosen register for the scope (chosen regions or riket) and
    one's own region: value, interval, n, targets, status, missing outcomes."""
    register = sel.register
    cat = ctx.ds.catalogue()
    qis = [i for i in cat if i.is_quality_indicator and i.register_code == register]
    scope = scope_text(ctx, sel)
    scopes = [(scope, "riket" if not sel.regions else "selected",
               {"region": list(sel.regions)} if sel.regions else {})]
    if sel.own_region:
        scopes.append((ctx.label("region", sel.own_region), "own", {"region": [sel.own_region]}))
    parts = []
    for label, role, where in scopes:
        found = quality_rows(ctx, sel, register, where)
        for qi in qis:
            df = found.get(qi.id)
            if df is None:
                continue
            parts.append(rowmod.labelled(df, [label], [role], [pd.NA]).assign(
                indicator=qi.id, indicator_label=qi.name_sv, direction=qi.direction,
                target_placeholder=qi.target_placeholder))
    table = rowmod.concat(parts)
    if len(table):
        table["ci_status"] = [ci_status(r, cat.get(r["indicator"])) for r in table.to_dict("records")]
        table["level"] = [level_key(r) for r in table.to_dict("records")]
    title = f"Kvalitetsindikatorer, {ctx.register_names.get(register, register)}"
    geography = scope + (f" och {ctx.label('region', sel.own_region)}" if sel.own_region else "")
    selection = selection_line(ctx, sel, None, geography=geography, svf=False, register=False)
    notes = ["Värde med täljare av nämnare. Uppgift saknas räknas inte som ej uppfyllt utan redovisas för sig.",
             "”Osäkert” betyder att 95 %-intervallet omfattar en målnivå.", notemod.data_line(ctx)]
    return View("kvalitetsindikatorer", "table", title, selection, table,
                indicators=tuple(q.id for q in qis), notes=tuple(notes),
                options={"label_title": "Enhet", "register": register})


def registers_in_brief(ctx, sel: Selection) -> View:
    """Per register: how many of its quality indicators reach hög / låg målnivå, miss both, have no
    target, or have too few cases, for the scope. The rows carry the indicators' cells (their
    counts are not shown, only the level)."""
    cat = ctx.ds.catalogue()
    where = {"region": list(sel.regions)} if sel.regions else {}
    parts = []
    for register in ctx.register_names:
        qis = [i for i in cat if i.is_quality_indicator and i.register_code == register]
        if not qis:
            continue
        found = quality_rows(ctx, sel, register, where)
        for qi in qis:
            df = found.get(qi.id)
            if df is None:
                continue
            parts.append(rowmod.labelled(df, [ctx.label("register", register)], ["unit"], [register]).assign(
                indicator=qi.id, register=register))
    table = rowmod.concat(parts)
    if len(table):
        table["level"] = [level_key(r) for r in table.to_dict("records")]
    selection = selection_line(ctx, sel, None, geography=scope_text(ctx, sel), svf=False, register=False)
    notes = ("Hög / Låg / Under: antal av registrets indikatorer vars värde når hög målnivå, låg målnivå eller ingen "
             "av dem; Utan mål: indikatorer utan målnivå; För få fall: otillräckligt underlag.", notemod.data_line(ctx))
    return View("register-i-korthet", "register_summary", "Kvalitetsregistrens indikatorer i korthet", selection,
                table, notes=notes, options={"label_title": "Register"})


def hospitals(ctx, sel: Selection, ind_id: str) -> View:
    """A register indicator per reporting hospital, rccShiny's default comparison: the hospitals
    that lie in one's own region (else the chosen regions, else all of them), each with its row (a
    hospital without cases says so), riket first. A hospital's result counts its own patients,
    wherever they live; a code missing from the hospitals table is shown as its code."""
    ind = ctx.ds.catalogue().get(ind_id)
    where = rowmod.where_for(ind, sel)
    if sel.own_region:
        regions, scope = [sel.own_region], ctx.label("region", sel.own_region)
    elif sel.regions:
        regions, scope = list(sel.regions), scope_text(ctx, sel)
    else:
        regions, scope = None, "hela landet"
    riket = rowmod.compute(ctx, ind, [], sel.start, sel.end, where)
    by = rowmod.compute(ctx, ind, ["hospital"], sel.start, sel.end, where)
    codes = ctx.hospitals_in(regions) if regions is not None else sorted(
        ctx.domain("hospital"), key=lambda c: fmt.sv_sort_key(ctx.hospital_names.get(c, c)))
    if regions is None:
        codes = [c for c in codes if c in set(by["hospital"].astype(str))]
    by = rowmod.with_all(ctx, ind, by, "hospital", codes, sel.start, sel.end, where)
    by = by[by["hospital"].astype(str).isin(codes)]
    shown = by["hospital"].astype(str).tolist()
    table = rowmod.concat([
        rowmod.labelled(riket, [fmt.RIKET], ["riket"], [pd.NA]),
        rowmod.labelled(by.drop(columns=["hospital"]), [ctx.label("hospital", c) for c in shown], ["unit"] * len(shown),
                        shown)])
    selection = selection_line(ctx, sel, ind, geography=f"sjukhus i {scope}" if regions else "alla sjukhus")
    from .standard import options

    note = "Sjukhusets resultat gäller dess egna patienter, var de än bor."
    if ctx.hospital_placeholder:
        note += " Sjukhuskoderna är platshållare (ej verifierade mot INCA)."
    opts = options(ind, table, label_title="Sjukhus", note=note)
    return View(f"sjukhus:{ind.id}", "bars", f"{ind.name_sv} per sjukhus", selection, table, indicators=(ind.id,),
                notes=notemod.standard(ctx, sel, ind, selection, extra=[note]), options=opts)

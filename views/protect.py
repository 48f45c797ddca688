"""Disclosure control over a whole output: linked-table complementary suppression.

An output (a page as drawn, a pack, a downloaded file) shows many counts that add up to each
other: regions within their sjukvårdsregion and riket, the chosen regions within their total,
pathways within "alla förlopp", treatment types, sex, months and quarters within their totals —
across charts as well as within one. A count hidden for having too few cases (primary
suppression, applied by the engine) must not come back by adding and subtracting shown ones.

Every counted row of every view carries a Cell (views/model.py): its family and the values it
covers per dimension. Two rows are in an additive relation when they agree on every dimension but
one, and the values of the parts on that dimension split the total's exactly (a dimension's
"every value" is its domain: the 21 regions, every pathway …; units without cases are shown as
"inga fall", so they count as known zeros). In every relation, a lone hidden cell gets a partner:
the shown part with the fewest cases (a known zero only when nothing else is left) is hidden too,
for every indicator of the family, in every view; repeated over all relations until no relation
has exactly one hidden cell. Cells hidden this way are marked HIDDEN_SECONDARY, so outputs can say
why ("dold så att en liten grupp inte kan räknas fram").

What this covers: one output, i.e. everything shown for one selection (views/registry.py protects
the union of every page and every pack for the selection, so each output is a part of one
protected set). What it does not cover: differencing between separate selections or between the
dashboard and `python -m indicators compute`, which anyone holding the extract may run by design.
tests/test_disclosure_audit.py proves the property with a linear-algebra audit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .model import HIDDEN_PRIMARY, HIDDEN_SECONDARY, Cell, View

# columns a hidden row must not show (besides any a view lists in options['masked'])
MASKED = ("numerator", "denominator", "value", "ci_low", "ci_high", "missing", "target_level", "verdict",
          "patients_to_target", "ci_status")


@dataclass
class _State:
    suppressed: bool
    size: float  # cases (denominator) when shown; for choosing the partner
    zero: bool  # shown as "inga fall"
    secondary: bool = False


def _cell_states(views: list[View]) -> dict[Cell, _State]:
    states: dict[Cell, _State] = {}
    for view in views:
        t = view.table
        if t is None or "cell" not in t.columns or t.empty:
            continue
        zero = t["no_cases"] if "no_cases" in t.columns else pd.Series(False, index=t.index)
        den = pd.to_numeric(t["denominator"], errors="coerce") if "denominator" in t.columns else \
            pd.Series(np.nan, index=t.index)
        for cell, supp, size, z in zip(t["cell"], t["suppressed"], den, zero):
            if cell is None or (isinstance(cell, float) and np.isnan(cell)):
                continue
            supp, z = bool(supp), bool(z) and not bool(supp)
            size = 0.0 if z else (float(size) if not pd.isna(size) else np.nan)
            st = states.get(cell)
            if st is None:
                states[cell] = _State(supp, size, z)
            else:
                st.suppressed |= supp
                st.zero &= z
                if np.isnan(st.size):
                    st.size = size
    return states


def _values(cell: Cell, dim: str, domains: dict) -> frozenset | None:
    v = cell.get(dim)
    return domains.get(dim) if v is None else v


def relations(cells, domains: dict) -> set[tuple[Cell, frozenset]]:
    """(total, parts) pairs: the parts agree with the total on every dimension but one and split
    its values there exactly. `domains` gives each dimension's every value (None: open)."""
    out: set[tuple[Cell, frozenset]] = set()
    by_family: dict[str, list[Cell]] = defaultdict(list)
    for c in cells:
        by_family[c.family].append(c)
    for members in by_family.values():
        dims = sorted({d for c in members for d, _ in c.dims})
        for dim in dims:
            groups: dict[tuple, list[Cell]] = defaultdict(list)
            for c in members:
                groups[c.without(dim)].append(c)
            for group in groups.values():
                if len(group) < 3:
                    continue
                sets = [(c, _values(c, dim, domains)) for c in group]
                for total, values in sets:
                    if not values:
                        continue
                    candidates = [(c, s) for c, s in sets if s is not None and s < values and s]
                    for parts in _covers(values, candidates):
                        out.add((total, frozenset(parts)))
    return out


def _covers(values: frozenset, candidates: list[tuple[Cell, frozenset]]) -> list[list[Cell]]:
    """Ways to split `values` exactly into candidates: single values; one larger part and single
    values for the rest; larger parts only (largest first), with single values for any rest."""
    singles = {next(iter(s)): c for c, s in candidates if len(s) == 1}
    multis = sorted(((c, s) for c, s in candidates if len(s) > 1), key=lambda x: (-len(x[1]), sorted(x[1])))
    covers = []
    if values <= singles.keys():
        covers.append([singles[v] for v in sorted(values)])
    for c, s in multis:
        rest = values - s
        if rest <= singles.keys():
            covers.append([c] + [singles[v] for v in sorted(rest)])
    chosen, used = [], frozenset()
    for c, s in multis:
        if not (s & used):
            chosen.append(c)
            used |= s
    if len(chosen) >= 2 and used == values:
        covers.append(chosen)
    elif len(chosen) >= 2 and (values - used) <= singles.keys():
        covers.append(chosen + [singles[v] for v in sorted(values - used)])
    return [c for c in covers if len(c) >= 2]


def secondary_cells(states: dict[Cell, _State], rels) -> set[Cell]:
    """Hide partners until no relation has exactly one hidden cell; returns the cells hidden."""
    # a fixed order (not a frozenset's repr, which follows the process's string hashing): the same
    # partners are hidden in every process, so every session and the pack show the same thing
    rels = sorted(rels, key=lambda r: (_key(r[0]), len(r[1]), sorted(_key(p) for p in r[1])))
    hidden: set[Cell] = set()
    changed = True
    while changed:
        changed = False
        for total, parts in rels:
            members = [total, *parts]
            if sum(states[m].suppressed for m in members) != 1:
                continue
            shown = [p for p in parts if not states[p].suppressed]
            if not shown:  # only the total is shown: it is not derivable from one hidden part
                continue
            partner = min(shown, key=lambda p: (states[p].zero, _size(states[p]), _key(p)))
            states[partner].suppressed = True
            states[partner].secondary = True
            hidden.add(partner)
            changed = True
    return hidden


def _key(cell: Cell) -> tuple:
    """A cell's sort key independent of hashing: family, then each dimension's sorted values."""
    return cell.family, tuple((d, tuple(sorted(str(x) for x in v))) for d, v in cell.dims)


def _size(st: _State) -> float:
    return np.inf if np.isnan(st.size) else st.size


def protect(views: list[View], domains: dict) -> list[View]:
    """The views with complementary suppression applied across all of them (module docstring)."""
    states = _cell_states(views)
    rels = relations(states.keys(), domains)
    extra = secondary_cells(states, rels)
    return [_apply(v, states, extra) for v in views]


def _apply(view: View, states: dict[Cell, _State], extra: set[Cell]) -> View:
    t = view.table
    if t is None or t.empty or "cell" not in t.columns:
        return view
    t = t.copy()
    primary = t["suppressed"].astype(bool)
    newly = pd.Series([c in extra and not p for c, p in zip(t["cell"], primary)], index=t.index)
    hidden = t["hidden"] if "hidden" in t.columns else pd.Series(None, index=t.index, dtype=object)
    hidden = hidden.astype(object).where(~primary, HIDDEN_PRIMARY)
    hidden = hidden.where(~newly, HIDDEN_SECONDARY)
    t["hidden"] = hidden.where(hidden.notna(), None)
    if newly.any():
        for col in (*MASKED, *view.options.get("masked", ())):
            if col in t.columns:
                t[col] = t[col].astype(object).where(~newly, None) if t[col].dtype == object else t[col].mask(newly)
        t["suppressed"] = primary | newly
        if "level" in t.columns:  # the colour level says as much as the value: hidden too
            t["level"] = t["level"].astype(object).where(~newly, "suppressed")
        if "no_cases" in t.columns:
            t["no_cases"] = t["no_cases"].astype(bool) & ~newly
    details = view.options.get("details")
    if details is not None and (t["suppressed"].astype(bool)).any():
        gone = set(t.loc[t["suppressed"].astype(bool), "label"].astype(str))
        details = {k: v for k, v in details.items() if k not in gone}
        return view.replace(table=t, options={**view.options, "details": details})
    return view.replace(table=t)

"""What a view is: one chart or table as every output shows it.

A `View` holds the rows behind a chart (engine columns with a display label and a role per row,
suppression applied), its title, the selection line printed under the title, the notes that go
with it (captions on screen, speaker notes on a slide) and the options a renderer needs. The
screen (charts + Streamlit), the images, the CSV/Excel files and the meeting pack all draw the
same View object; nothing downstream computes a number.

Every row that shows counts carries a `Cell`: the set of smallest data cells its counts add up
(a population family and, per dimension, the values it covers). Disclosure control
(views/protect.py) works on cells across all views of an output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

# Row roles: how a row is drawn and ordered.
ROLES = ("riket", "own", "selected", "unit", "total")

# Why a row shows no counts (column `hidden`): too few cases, or hidden so that a small group
# beside it cannot be computed from totals (complementary suppression).
HIDDEN_PRIMARY = "primary"
HIDDEN_SECONDARY = "secondary"


@dataclass(frozen=True)
class Cell:
    """The counts a row shows, as a set of data cells: `family` (the population, catalogue.yaml)
    and, per dimension, the values covered (None: every value). Months are 'YYYY-MM' values of the
    dimension 'month'. Two rows with equal cells show the same counts."""

    family: str
    dims: tuple[tuple[str, frozenset[str] | None], ...]

    def get(self, dim: str) -> frozenset[str] | None:
        for d, values in self.dims:
            if d == dim:
                return values
        return None

    def without(self, dim: str) -> tuple:
        return tuple((d, v) for d, v in self.dims if d != dim)


def make_cell(family: str, **dims) -> Cell:
    """A Cell from keyword dimensions: a value, an iterable of values, or None (every value)."""
    out = []
    for dim, values in sorted(dims.items()):
        if values is None:
            continue
        if isinstance(values, str):
            values = [values]
        out.append((dim, frozenset(str(v) for v in values)))
    return Cell(family, tuple(out))


def _frozen(options: dict | None) -> MappingProxyType:
    return MappingProxyType(dict(options or {}))


@dataclass(frozen=True, eq=False)
class View:
    """One chart or table (see the module docstring).

    `table` columns: `label` (display text of the row), `role` (ROLES), `unit_code` (region code,
    pathway code … or NA for a total), the engine result columns (numerator, denominator, value,
    ci_low, ci_high, target_low, target_high, target_level, suppressed, provisional,
    placeholder_target, missing), `hidden` (None, HIDDEN_PRIMARY or HIDDEN_SECONDARY), `no_cases`
    (the unit has no cases at all) and `cell`; kinds add their own columns. A view is shared
    between sessions: never change its table in place.
    """

    id: str
    kind: str  # 'bars' | 'trend' | 'scorecard' | 'heat' | 'distribution' | 'overtime' | 'funnel' |
    #            'caterpillar' | 'kpi' | 'table'
    title: str
    selection: str
    table: pd.DataFrame
    indicators: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    options: MappingProxyType = field(default_factory=lambda: _frozen({}))
    error: str | None = None

    def __post_init__(self):
        if not isinstance(self.options, MappingProxyType):
            object.__setattr__(self, "options", _frozen(self.options))

    @property
    def indicator(self) -> str | None:
        return self.indicators[0] if self.indicators else None

    def replace(self, **changes) -> View:
        from dataclasses import replace

        return replace(self, **changes)

    def counted_rows(self) -> pd.DataFrame:
        """Rows that carry counts (a cell)."""
        if "cell" not in self.table.columns:
            return self.table.iloc[0:0]
        return self.table[self.table["cell"].notna()]


def flags(series) -> pd.Series:
    """A column of flags as plain bools (missing = False), whatever its dtype."""
    index = series.index if isinstance(series, pd.Series) else None
    return pd.Series([bool(v) if v is not None and not (isinstance(v, float) and v != v) and v is not pd.NA
                      else False for v in series], index=index, dtype=bool)


def failed_view(view_id: str, kind: str, title: str, selection: str, error: str,
                indicators: tuple[str, ...] = ()) -> View:
    """A view that could not be made (a missing table, say): it says why instead of a chart."""
    return View(view_id, kind, title, selection, pd.DataFrame(), indicators=indicators,
                notes=(f"Diagrammet kunde inte skapas: {error}",), error=error)

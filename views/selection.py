"""The one selection type: what the user has chosen, as the sidebar, the URL, the pack form and
the command line all produce it. Codes, not display names.

Periods are whole months (`start` the first day of a month, `end` the last day of one). The
default period is the latest twelve whole months before the extract month.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from indicators import QueryError
from indicators.periods import add_months, month_end, month_start, parse_date

GRAINS = ("year", "quarter", "month")
LEVELS = ("region", "healthcare_region", "riket")
DEFAULT_GRAIN = "quarter"
DEFAULT_LEVEL = "region"
TREND_YEARS = 3  # a trend shows at least this many calendar years up to the period's end
COVERAGE_PERIODS = ("final", "selected")
# further filters an output may carry (--where on the command line), applied where the indicator
# has the dimension
EXTRA_DIMENSIONS = ("treatment_type", "sex", "substance")
MAX_TREND_UNITS = 8


@dataclass(frozen=True)
class Selection:
    """What to show. `regions` are the units shown at the region level (empty = all) and the
    scope of charts that sum over a selection; `own_region` is highlighted everywhere;
    `indicator` is the indicator a page lets the user pick (Regionjämförelse, Kvalitetsregister);
    `coverage_period` says whether register coverage uses the selected period or the latest
    calendar year with final values ('final', the default while the selected period is still
    provisional); `extra` holds further filters (dimension, values)."""

    start: date
    end: date
    grain: str = DEFAULT_GRAIN
    level: str = DEFAULT_LEVEL
    regions: tuple[str, ...] = ()
    own_region: str | None = None
    svf_code: str | None = None
    register: str | None = None
    indicator: str | None = None
    coverage_period: str = "final"
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self):
        if self.grain not in GRAINS:
            raise QueryError(f"okänd tidsenhet: {str(self.grain)[:20]!r}")
        if self.level not in LEVELS:
            raise QueryError(f"okänd jämförelsenivå: {str(self.level)[:20]!r}")
        if self.start > self.end:
            raise QueryError(f"perioden börjar ({self.start}) efter att den slutar ({self.end})")
        if self.start.day != 1 or self.end != month_end(self.end):
            raise QueryError(f"perioden ska vara hela månader (angiven {self.start} – {self.end})")
        if self.coverage_period not in COVERAGE_PERIODS:
            raise QueryError(f"okänd period för täckningsgraden: {str(self.coverage_period)[:20]!r}")

    def replace(self, **changes) -> Selection:
        return replace(self, **changes)

    # -- period ---------------------------------------------------------------------------------
    def trend_period(self) -> tuple[date, date]:
        """The trend's span: from the earlier of the period start and 1 January TREND_YEARS − 1
        years before the period's end year, to the period end (a trend always has context)."""
        return min(self.start, date(self.end.year - (TREND_YEARS - 1), 1, 1)), self.end

    # -- geography ------------------------------------------------------------------------------
    @property
    def unit_dim(self) -> str | None:
        """The engine dimension of the units compared with riket: the level's, or 'region' at the
        riket level when one's own region is chosen (it is still shown); None otherwise."""
        if self.level == "riket":
            return "region" if self.own_region else None
        return self.level

    def extra_where(self, dimensions) -> dict[str, list[str]]:
        return {d: list(v) for d, v in self.extra if d in dimensions}


def default_period(extract_date: date) -> tuple[date, date]:
    """The latest twelve whole months before the extract month."""
    end = month_end(add_months(month_start(extract_date), -1))
    return month_start(add_months(month_start(end), -11)), end


def from_where(ds, start=None, end=None, where: dict | None = None, **fields) -> Selection:
    """A Selection from command-line style arguments: --from/--to (whole months; the default
    period otherwise) and --where DIM=VALUE (region codes, healthcare_region names (their regions),
    one svf_code, one register, one indicator; treatment_type, sex and substance as further
    filters). Raises QueryError naming the argument."""
    from indicators.engine import allowed_values

    where = {k: list(v) for k, v in (where or {}).items()}
    d_start, d_end = default_period(ds.extract_date)
    start = parse_date(start, "--from") or d_start
    end = parse_date(end, "--to") or (d_end if start <= d_end else month_end(start))
    if start.day != 1:
        raise QueryError(f"--from ska vara en månads första dag (angiven {start})")
    if end != month_end(end):
        raise QueryError(f"--to ska vara en månads sista dag (angiven {end})")
    regions: list[str] = []
    known = set(allowed_values(ds, "region") or [])
    for v in where.pop("region", []):
        if v not in known:
            raise QueryError(f"okänt värde för region: {v[:40]!r} (regionkod, t.ex. 01)")
        regions.append(v)
    hr = where.pop("healthcare_region", [])
    if hr:
        ref = ds.reference("regions")
        for name in hr:
            codes = ref.loc[ref["healthcare_region"] == name, "region_code"].astype(str).tolist()
            if not codes:
                raise QueryError(f"okänt värde för healthcare_region: {name[:40]!r}")
            regions += codes
    single = {}
    for dim in ("svf_code", "register", "indicator"):
        values = where.pop(dim, [])
        if len(values) > 1:
            raise QueryError(f"--where {dim}: ett värde i taget (fick {len(values)})")
        value = values[0] if values else None
        if value is not None and dim != "indicator":
            if value not in set(allowed_values(ds, dim) or []):
                raise QueryError(f"okänt värde för {dim}: {value[:40]!r}")
        if value is not None and dim == "indicator":
            ds.catalogue().get(value)  # raises QueryError for an unknown id
        single[dim] = value
    for dim, values in where.items():
        if dim not in EXTRA_DIMENSIONS:
            raise QueryError(f"okänd dimension i --where: {dim[:40]!r} (tillåtna: region, healthcare_region, "
                             f"svf_code, register, indicator, {', '.join(EXTRA_DIMENSIONS)})")
        allowed = allowed_values(ds, dim)
        for v in values:
            if allowed is not None and v not in allowed:
                raise QueryError(f"okänt värde för {dim}: {v[:40]!r}")
    extra = tuple(sorted((k, tuple(sorted(set(v)))) for k, v in where.items()))
    return Selection(start=start, end=end, regions=tuple(dict.fromkeys(regions)), svf_code=single["svf_code"],
                     register=single["register"], indicator=single["indicator"], extra=extra, **fields)

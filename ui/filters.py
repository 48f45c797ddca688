"""The shared filters: drawn once in the sidebar by app.py, bound to the URL, read by every page.

Each widget is bound to a query parameter (`bind="query-params"`, the widget key is the parameter
name), so a copied link reproduces the view:

  fran, till      period, whole months ('2025-01'); the default is the latest 12 whole months
  tidsenhet       time grain of trends: År | Kvartal | Månad
  niva            comparison level: Region | Sjukvårdsregion | Riket
  regioner        regions to show (repeatable; none = all)
  egen_region     one's own region, highlighted everywhere
  forlopp         SVF pathway (diagnosis); none = all pathways
  register        quality register, where it applies; none = all registers

The URL holds the *displayed* option text (e.g. `regioner=Västra+Götaland`). Unknown or invalid
values in a link are ignored, and a notice says which (Streamlit drops them silently otherwise).

Pages call `current()` to get a `Filters` value and use its helpers (`where`, `selection_text`,
`trend_period`, …) so every page reads the filters the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import streamlit as st

from indicators.periods import month_end

from . import data
from . import format as fmt

KEYS = ("fran", "till", "tidsenhet", "niva", "regioner", "egen_region", "forlopp", "register")
GRAINS = ("year", "quarter", "month")
LEVELS = ("region", "healthcare_region", "riket")
DEFAULT_GRAIN = "month"
DEFAULT_LEVEL = "region"
TREND_YEARS = 3  # trends show at least this many calendar years up to the period's end

_FILTERS_KEY = "_indikatorpanelen_filters"
_NOTICES_KEY = "_indikatorpanelen_filter_notices"
_PENDING_KEY = "_indikatorpanelen_pending"


@dataclass(frozen=True)
class Filters:
    """The current selection. Codes, not display names (regions '01'.., svf_code 'brost'...)."""

    start_month: str
    end_month: str
    grain: str = DEFAULT_GRAIN
    level: str = DEFAULT_LEVEL
    regions: tuple[str, ...] = ()
    own_region: str | None = None
    svf_code: str | None = None
    register: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    # -- period -----------------------------------------------------------------------------------
    @property
    def start(self) -> date:
        """First day of the 'från' month."""
        return date(int(self.start_month[:4]), int(self.start_month[5:7]), 1)

    @property
    def end(self) -> date:
        """Last day of the 'till' month."""
        return month_end(date(int(self.end_month[:4]), int(self.end_month[5:7]), 1))

    @property
    def period_text(self) -> str:
        """'2025', 'jan–jun 2025', 'jan 2024 – dec 2025'."""
        return fmt.period_text(self.start, self.end)

    def trend_period(self, years: int = TREND_YEARS) -> tuple[date, date]:
        """The trend's span: from the earlier of the period start and 1 January `years − 1` years
        before the period's end year, to the period end (so a trend always has context)."""
        context = date(self.end.year - (years - 1), 1, 1)
        return min(self.start, context), self.end

    def trend_period_text(self, years: int = TREND_YEARS) -> str:
        lo, hi = self.trend_period(years)
        return fmt.period_text(lo, hi)

    # -- geography --------------------------------------------------------------------------------
    @property
    def geo_dim(self) -> str | None:
        """The engine dimension of the comparison level ('region', 'healthcare_region', None for riket)."""
        return None if self.level == "riket" else self.level

    @property
    def unit_dim(self) -> str | None:
        """The engine dimension of the units shown next to riket: the comparison level's, or
        'region' at riket level when one's own region is chosen (it is still shown), else None."""
        if self.level == "riket":
            return "region" if self.own_region else None
        return self.level

    def shown_units(self) -> list[str]:
        """Codes (regions) or names (sjukvårdsregioner) to show at the comparison level, in order.

        Region level: the chosen regions, or all; sjukvårdsregion level: those containing a chosen
        region, or all six; riket: only one's own region (if chosen). One's own region (or its
        sjukvårdsregion) is always included.
        """
        if self.level == "riket":
            return [self.own_region] if self.own_region else []
        if self.level == "region":
            units = list(self.regions) or list(data.region_names())
            if self.own_region and self.own_region not in units:
                units.append(self.own_region)
            return units
        if self.level == "healthcare_region":
            hr_of = data.region_healthcare_region()
            all_hr = data.healthcare_regions()
            chosen = {hr_of.get(r) for r in self.regions} if self.regions else set(all_hr)
            own = self.own_unit
            if own:
                chosen.add(own)
            return [h for h in all_hr if h in chosen]
        return []

    @property
    def own_unit(self) -> str | None:
        """One's own unit at the comparison level: the region code, or its sjukvårdsregion name."""
        if not self.own_region:
            return None
        if self.level == "healthcare_region":
            return data.region_healthcare_region().get(self.own_region)
        return self.own_region

    def comparison_text(self) -> str:
        """The geography of a comparison chart: '21 regioner och riket', 'riket'."""
        units = self.shown_units()
        if self.level == "riket":
            return "riket" + (f" och {self.unit_label(units[0])}" if units else "")
        if self.level == "region" and len(units) <= 3:
            return fmt.join_names([self.unit_label(u) for u in units] + ["riket"])
        if self.level == "healthcare_region" and len(units) == 6:
            return "de sex sjukvårdsregionerna och riket"
        return f"{len(units)} {fmt.LEVEL_PLURAL[self.level]} och riket"

    def trend_text(self, series: Iterable[str]) -> str:
        """The geography of a trend chart from its series names: 'riket och Uppsala'."""
        names = [s for s in series if s != fmt.RIKET]
        if not names:
            return "riket"
        if self.level == "healthcare_region" and len(names) == 6:
            return "riket och de sex sjukvårdsregionerna"
        return "riket och " + fmt.join_names(names)

    @property
    def own_label(self) -> str | None:
        """Legend text for the highlighted unit: 'Egen region: Uppsala' / 'Egen sjukvårdsregion: …'."""
        own = self.own_unit
        if not own:
            return None
        if self.level == "healthcare_region":
            return f"Egen sjukvårdsregion: {own}"
        return f"Egen region: {self.unit_label(own)}"

    def unit_label(self, unit: str) -> str:
        """Display name of a unit at the comparison level."""
        if self.unit_dim == "region":
            return data.label("region", unit)
        return str(unit)

    # -- engine arguments ---------------------------------------------------------------------------
    def where(self, indicator, *, regions: bool = False, svf: bool = True, register: bool = True) -> dict:
        """The engine `where` for `indicator` (an Indicator or its id): the chosen pathway and
        register where the indicator has those dimensions; with `regions=True` also the chosen
        regions (for charts that sum over a selection instead of comparing units)."""
        ind = data.indicator(indicator) if isinstance(indicator, str) else indicator
        out: dict[str, list[str]] = {}
        if svf and self.svf_code and "svf_code" in ind.dimensions:
            out["svf_code"] = [self.svf_code]
        if register and self.register and "register" in ind.dimensions:
            out["register"] = [self.register]
        if regions and self.regions and "region" in ind.dimensions:
            out["region"] = list(self.regions)
        return out

    def scope_text(self) -> str:
        """'Riket' or the chosen regions, for charts that sum over the regions filter."""
        if not self.regions:
            return fmt.RIKET
        names = [data.label("region", r) for r in self.regions]
        return fmt.join_names(names)

    # -- text ---------------------------------------------------------------------------------------
    def selection_text(self, indicator=None, *, period: tuple[date, date] | None = None, geography: str | None = None,
                       svf: bool = True, register: bool = True, extra: Iterable[str] = ()) -> str:
        """The line printed under a chart title: period, geography, pathway, register, extras.

        Only the filters that apply to `indicator` are named (a pathway filter is not mentioned for an
        indicator without the svf_code dimension).
        """
        ind = data.indicator(indicator) if isinstance(indicator, str) else indicator
        lo, hi = period or (self.start, self.end)
        parts = [fmt.period_text(lo, hi)]
        if geography:
            parts.append(geography)
        dims = ind.dimensions if ind is not None else ("svf_code", "register")
        if svf and "svf_code" in dims:
            parts.append(data.label("svf_code", self.svf_code) if self.svf_code else "alla förlopp")
        if register and "register" in dims:
            parts.append(data.label("register", self.register) if self.register else "alla register")
        parts.extend(x for x in extra if x)
        return " · ".join(parts)

    def replace(self, **changes) -> Filters:
        return replace(self, **changes)


# -- drawing the sidebar ---------------------------------------------------------------------------

def _url_values(key: str) -> list[str]:
    try:
        return [v for v in st.query_params.get_all(key)]
    except Exception:  # noqa: BLE001 - reading the URL must never break the page
        return []


def _check_url(key: str, label: str, allowed_texts: Iterable[str], notices: list[str]) -> None:
    allowed = set(allowed_texts)
    bad = [v for v in _url_values(key) if v and v not in allowed]
    for v in bad:
        notices.append(f"Okänt värde i länken ignorerades: {label} = ”{v[:40]}”.")


def _apply_pending() -> None:
    """Apply filter changes requested by a page (e.g. a scorecard click) before the widgets exist."""
    pending = st.session_state.pop(_PENDING_KEY, None)
    if pending:
        for k, v in pending.items():
            if k in KEYS:
                st.session_state[k] = v


def request_change(**changes) -> None:
    """Ask for filter changes from a page; they take effect on the next run (call st.rerun or
    st.switch_page after this). Keys are the URL keys (e.g. egen_region='14')."""
    pending = dict(st.session_state.get(_PENDING_KEY) or {})
    pending.update(changes)
    st.session_state[_PENDING_KEY] = pending


def _reset() -> None:
    first, last = data.default_months()
    st.session_state.update({"fran": first, "till": last, "tidsenhet": DEFAULT_GRAIN, "niva": DEFAULT_LEVEL,
                             "regioner": [], "egen_region": None, "forlopp": None, "register": None})


def sidebar(*, uses_svf: bool = True, uses_register: bool = True) -> Filters:
    """Draw the shared filters in the sidebar (app.py, once per run) and return the selection.

    `uses_svf` / `uses_register` say whether the current page uses the pathway / register filter;
    a filter that does not apply stays visible (so its value survives in the URL) but is disabled.
    """
    _apply_pending()
    notices: list[str] = []
    months = data.month_options()
    default_first, default_last = data.default_months()
    region_names = data.region_names()
    pathway_names = data.pathway_names()
    register_names = data.register_short_names()

    sb = st.sidebar
    sb.markdown("### Urval")
    _check_url("fran", "Från", months, notices)
    _check_url("till", "Till", months, notices)
    c1, c2 = sb.columns(2)
    first = c1.selectbox("Från", months, index=months.index(default_first), key="fran", bind="query-params",
                         format_func=str, help="Första månad i perioden (ÅÅÅÅ-MM).")
    last = c2.selectbox("Till", months, index=months.index(default_last), key="till", bind="query-params",
                        format_func=str, help="Sista månad i perioden (ÅÅÅÅ-MM).")
    first = first or default_first
    last = last or default_last
    if first > last:
        notices.append(f"Perioden började efter att den slutade ({first} – {last}); månaderna har bytt plats.")
        first, last = last, first

    grain_text = [fmt.GRAIN_LABELS[g] for g in GRAINS]
    _check_url("tidsenhet", "Tidsenhet", grain_text, notices)
    grain = sb.segmented_control("Tidsenhet i trender", GRAINS, default=DEFAULT_GRAIN, key="tidsenhet",
                                 bind="query-params", format_func=lambda g: fmt.GRAIN_LABELS[g],
                                 selection_mode="single", required=True,
                                 help="År, kvartal eller månad i trenddiagrammen.")
    grain = grain or DEFAULT_GRAIN

    level_text = [fmt.LEVEL_LABELS[lv] for lv in LEVELS]
    _check_url("niva", "Jämförelsenivå", level_text, notices)
    level = sb.selectbox("Jämförelsenivå", LEVELS, index=LEVELS.index(DEFAULT_LEVEL), key="niva",
                         bind="query-params", format_func=lambda lv: fmt.LEVEL_LABELS[lv],
                         help="Vad staplarna och översiktstabellen jämför: regioner, sjukvårdsregioner "
                              "eller bara riket.")
    level = level or DEFAULT_LEVEL

    codes = list(region_names)
    _check_url("regioner", "Regioner", region_names.values(), notices)
    regions = sb.multiselect("Regioner", codes, default=[], key="regioner", bind="query-params",
                             format_func=lambda c: region_names.get(c, c), placeholder="Alla regioner",
                             help="Vilka regioner som visas. Tomt = alla. Diagram som summerar över "
                                  "ett urval (per förlopp, trend) använder de valda regionerna.")
    _check_url("egen_region", "Egen region", region_names.values(), notices)
    own = sb.selectbox("Egen region (markeras)", codes, index=None, key="egen_region", bind="query-params",
                       format_func=lambda c: region_names.get(c, c), placeholder="Ingen vald",
                       help="Markeras i alla diagram och visas överst i tabeller.")

    _check_url("forlopp", "SVF-förlopp", pathway_names.values(), notices)
    svf = sb.selectbox("SVF-förlopp (diagnos)", list(pathway_names), index=None, key="forlopp",
                       bind="query-params", format_func=lambda c: pathway_names.get(c, c),
                       placeholder="Alla förlopp", disabled=not uses_svf,
                       help="Gäller SVF-indikatorerna och RCL." + ("" if uses_svf else
                                                                 " Används inte på den här sidan."))
    _check_url("register", "Kvalitetsregister", register_names.values(), notices)
    reg = sb.selectbox("Kvalitetsregister", list(register_names), index=None, key="register",
                       bind="query-params", format_func=lambda c: register_names.get(c, c),
                       placeholder="Alla register", disabled=not uses_register,
                       help="Gäller täckningsgrad och inrapportering." + ("" if uses_register else
                                                                           " Används inte på den här sidan."))
    sb.button("Återställ urvalet", on_click=_reset, key="_reset_filters", type="tertiary",
              icon=":material/restart_alt:")

    filters = Filters(start_month=first, end_month=last, grain=grain, level=level,
                      regions=tuple(r for r in (regions or []) if r in region_names),
                      own_region=own if own in region_names else None,
                      svf_code=svf if svf in pathway_names else None,
                      register=reg if reg in register_names else None,
                      notices=tuple(dict.fromkeys(notices)))
    st.session_state[_FILTERS_KEY] = filters
    return filters


def current() -> Filters:
    """The selection of this run (drawn by app.py). Outside the app frame (a page run alone):
    the defaults."""
    f = st.session_state.get(_FILTERS_KEY)
    if isinstance(f, Filters):
        return f
    first, last = data.default_months()
    return Filters(first, last)


def show_notices(filters: Filters | None = None) -> None:
    """Show the notices about ignored URL values (once per run, at the top of the page)."""
    f = filters or current()
    for msg in f.notices:
        st.warning(msg, icon=":material/link_off:")

"""The shared filters: drawn once in the sidebar by app.py, bound to the URL, read by every page.

Each widget is bound to a query parameter (`bind="query-params"`, the widget key is the parameter
name), so a copied link reproduces the view:

  period          period, two whole months (`period=2025-01&period=2025-12`), one range slider so a
                  period change is one rerun; the default is the latest 12 whole months. Links
                  with the older `fran` / `till` still work.
  tidsenhet       time grain of trends: År | Kvartal | Månad
  niva            comparison level: Region | Sjukvårdsregion | Riket
  regioner        regions to show (repeatable; none = all)
  egen_region     one's own region, highlighted everywhere
  forlopp         SVF pathway (diagnosis); none = all pathways
  register        quality register, where it applies; none = all registers

The URL holds the *displayed* option text (e.g. `regioner=Västra+Götaland`). Unknown or invalid
values in a link are ignored, and a notice says which (Streamlit drops them silently otherwise).

Pages call `current()` to get the selection as a `views.Selection` (the one selection type the
pack form and the command line produce too) and draw views for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import streamlit as st

import textfmt as fmt
from indicators.periods import month_end
from textfmt.safe import md
from views import Selection
from views.selection import DEFAULT_GRAIN, DEFAULT_LEVEL, GRAINS, LEVELS

from . import data

KEYS = ("period", "tidsenhet", "niva", "regioner", "egen_region", "forlopp", "register", "kon")

_FILTERS_KEY = "_indikatorpanelen_filters"
_NOTICES_KEY = "_indikatorpanelen_filter_notices"
_PENDING_KEY = "_indikatorpanelen_pending"


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
        notices.append(f"Okänt värde i länken ignorerades: {label} = ”{md(v[:40])}”.")


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
    st.session_state.update({"period": (first, last), "tidsenhet": DEFAULT_GRAIN, "niva": DEFAULT_LEVEL,
                             "regioner": [], "egen_region": None, "forlopp": None, "register": None, "kon": None})


def _legacy_period(months: list[str], notices: list[str]) -> None:
    """A link with the older `fran` / `till` parameters sets the period once."""
    old = [_url_values("fran"), _url_values("till")]
    if "period" in st.session_state or not any(old):
        return
    first = old[0][0] if old[0] else None
    last = old[1][0] if old[1] else None
    for label, value in (("Från", first), ("Till", last)):
        if value is not None and value not in months:
            notices.append(f"Okänt värde i länken ignorerades: {label} = ”{md(value[:40])}”.")
    if first in months and last in months:
        st.session_state["period"] = (min(first, last), max(first, last))
    for key in ("fran", "till"):
        try:
            del st.query_params[key]
        except KeyError:
            pass


def _month_start(ym: str) -> date:
    return date(int(ym[:4]), int(ym[5:7]), 1)


def sidebar(*, uses_svf: bool = True, uses_register: bool = True, uses_grain: bool = True) -> Selection:
    """Draw the shared filters in the sidebar (app.py, once per run) and return the selection.

    `uses_svf` / `uses_register` say whether the current page uses the pathway / register filter;
    a filter that does not apply stays visible (so its value survives in the URL) but is disabled.
    """
    _apply_pending()
    notices: list[str] = []
    months = data.month_options()
    default_first, default_last = data.default_months()
    ctx = data.context()
    region_names = ctx.region_names
    pathway_names = ctx.pathway_names
    register_names = ctx.register_short

    sb = st.sidebar
    sb.markdown("### Urval")
    _legacy_period(months, notices)
    _check_url("period", "Period", [fmt.month_label(m) for m in months], notices)
    chosen = sb.select_slider("Period", months, value=(default_first, default_last), key="period",
                              bind="query-params", format_func=lambda m: fmt.month_label(m),
                              help="Första och sista månad i perioden. Trenddiagrammen visar dessutom de "
                                   "två föregående kalenderåren som sammanhang.")
    first, last = (chosen if isinstance(chosen, (tuple, list)) and len(chosen) == 2
                   else (default_first, default_last))
    if first > last:
        first, last = last, first

    grain_text = [fmt.GRAIN_LABELS[g] for g in GRAINS]
    _check_url("tidsenhet", "Tidsenhet", grain_text, notices)
    grain = sb.segmented_control("Tidsenhet i trenddiagram", GRAINS, default=DEFAULT_GRAIN, key="tidsenhet",
                                 bind="query-params", format_func=lambda g: fmt.GRAIN_LABELS[g],
                                 selection_mode="single", required=True, disabled=not uses_grain,
                                 help="År, kvartal eller månad i trenddiagrammen (påverkar inte perioden)."
                                 + ("" if uses_grain else " Sidan har inga trenddiagram."))
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
    sex_labels = {"K": "Kvinnor", "M": "Män"}
    _check_url("kon", "Kön", sex_labels.values(), notices)
    sex = sb.segmented_control("Kön", list(sex_labels), key="kon", bind="query-params",
                               format_func=lambda c: sex_labels[c], selection_mode="single",
                               help="Bakgrundsfilter: bara kvinnor eller bara män. Gäller indikatorer som kan delas "
                                    "upp efter kön (ledtiderna); övriga visar alla och säger det i anteckningarna.")
    sb.button("Återställ urvalet", on_click=_reset, key="_reset_filters", type="tertiary",
              icon=":material/restart_alt:")

    selection = Selection(start=_month_start(first), end=month_end(_month_start(last)), grain=grain, level=level,
                          regions=tuple(r for r in (regions or []) if r in region_names),
                          own_region=own if own in region_names else None,
                          svf_code=svf if svf in pathway_names else None,
                          register=reg if reg in register_names else None,
                          extra=((("sex", (sex,)),) if sex in sex_labels else ()))
    st.session_state[_FILTERS_KEY] = selection
    st.session_state[_NOTICES_KEY] = tuple(dict.fromkeys(notices))
    return selection


def published_sidebar() -> Selection:
    """The filters without an extract (only published figures to show): the year, the regions
    and one's own region, bound to the URL like the others (`ar=2024`)."""
    _apply_pending()
    notices: list[str] = []
    years = data.published_years()
    ctx = data.context()
    region_names = ctx.region_names
    codes = list(region_names)
    sb = st.sidebar
    sb.markdown("### Urval")
    _check_url("ar", "År", years, notices)
    year = sb.selectbox("År", years[::-1], index=0 if years else None, key="ar", bind="query-params",
                        help="Det publicerade helåret i rangordningen och kartan. Trenden visar alla år.")
    _check_url("regioner", "Regioner", region_names.values(), notices)
    regions = sb.multiselect("Regioner", codes, default=[], key="regioner", bind="query-params",
                             format_func=lambda c: region_names.get(c, c), placeholder="Alla regioner",
                             help="Vilka regioner som visas i rangordningen och som linjer i trenden. Tomt = alla.")
    _check_url("egen_region", "Egen region", region_names.values(), notices)
    own = sb.selectbox("Egen region (markeras)", codes, index=None, key="egen_region", bind="query-params",
                       format_func=lambda c: region_names.get(c, c), placeholder="Ingen vald",
                       help="Markeras i alla diagram och visas överst i tabeller.")
    y = int(year) if year in years else (int(years[-1]) if years else date.today().year - 1)
    selection = Selection(start=date(y, 1, 1), end=date(y, 12, 31),
                          regions=tuple(r for r in (regions or []) if r in region_names),
                          own_region=own if own in region_names else None)
    st.session_state[_FILTERS_KEY] = selection
    st.session_state[_NOTICES_KEY] = tuple(dict.fromkeys(notices))
    return selection


def current() -> Selection:
    """The selection of this run (drawn by app.py). Outside the app frame (a page run alone):
    the defaults."""
    sel = st.session_state.get(_FILTERS_KEY)
    if isinstance(sel, Selection):
        return sel
    first, last = data.default_months()
    return Selection(_month_start(first), month_end(_month_start(last)))


def show_notices() -> None:
    """Show the notices about ignored URL values (once per run, at the top of the page)."""
    for msg in st.session_state.get(_NOTICES_KEY, ()):
        st.warning(msg, icon=":material/link_off:")

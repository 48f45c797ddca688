"""Every view by id, the pages and presets that compose them, and the protected, cached views
that every output draws.

A view id names a chart or table the same way everywhere: on a page, in a pack, in a file name
('jamforelse:svf_within_target', 'trend:svf_inclusion', 'forlopp:svf_within_target',
'scorecard', 'tackning', …). `view(ds, sel, id)` returns it with disclosure control applied over
the selection's universe: every view that any page or any preset shows for the selection, so that
each single output (a page as drawn, a pack, a downloaded file) is part of one protected set and a
chart in a pack equals the same chart on screen.

Protection runs per population family (catalogue.yaml `family`): a family's cells are collected
from every single-family view of the universe that counts it; views that combine families (the
overview grid) show the same cells as the comparison views they are made of, and take the final
state of each cell from its family. Results are cached per data set and selection, shared by all
sessions and the command line.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from indicators import DataError, QueryError
from indicators.catalogue import overview_ids

from . import leadtime, maps, overview, published, ranking, reference, registers, standard
from . import notes as notemod
from . import protect as protectmod
from .context import context
from .model import View, failed_view
from .selection import Selection

CACHE_SIZE = 4000
_LOCK = threading.Lock()
_ATTR = "_views_cache"

# -- ids --------------------------------------------------------------------------------------------

KIND_LABELS = {
    "jamforelse": "jämförelse", "trend": "trend", "forlopp": "per SVF-förlopp", "behandling": "per behandlingstyp",
    "register": "per register", "sjukhus": "per sjukhus", "tratt": "trattdiagram", "rangordning": "rangordning",
    "malgap": "patienter kvar till målet", "nyckeltal": "nyckeltal", "karta": "karta",
    "avstamning": "avstämning mot publicerad statistik", "publicerat": "publicerad statistik per region",
    "publicerat-trend": "publicerad statistik per år", "publicerat-karta": "publicerad statistik, karta",
    "publicerat-tabell": "publicerad statistik, tabell",
}
LEAD_TIME_PAGE_TABS = {
    "Andel inom ledtid": ["jamforelse:svf_within_target", "karta:svf_within_target", "malgap:svf_within_target",
                          "forlopp:svf_within_target", "behandling:svf_within_target", "trend:svf_within_target",
                          "avstamning:svf_within_target"],
    "Median ledtid": ["jamforelse:svf_lead_time_median", "forlopp:svf_lead_time_median"],
    "Långa väntetider": ["jamforelse:svf_over_175", "trend:svf_over_175"],
    "Fördelning": ["fordelning:svf_within_target", "overtid:svf_within_target"],
}
COVERAGE_PAGE_TABS = {
    "Täckningsgrad i kvalitetsregistren": ["register:register_coverage", "tackning"],
    "Inrapporteringshastighet": ["register:register_reporting_90d", "jamforelse:register_reporting_90d"],
    "Register för cancerläkemedel": ["jamforelse:rcl_coverage", "trend:rcl_coverage", "jamforelse:rcl_direct_transfer"],
}
COMPARABLE_DEFAULT = "svf_within_target"

PRESETS: dict[str, dict] = {
    "styrgrupp": {
        "label": "Styrgrupp (översikt, SVF-inklusion, ledtider, registertäckning, RCL)",
        "charts": ["scorecard", "jamforelse:svf_inclusion", "jamforelse:svf_within_target",
                   "trend:svf_within_target", "jamforelse:svf_lead_time_median", "register:register_coverage",
                   "jamforelse:register_reporting_90d", "jamforelse:rcl_coverage"],
    },
    "svf": {
        "label": "SVF (inklusion och ledtider)",
        "charts": ["jamforelse:svf_inclusion", "karta:svf_inclusion", "trend:svf_inclusion",
                   "jamforelse:svf_within_target", "karta:svf_within_target", "trend:svf_within_target",
                   "forlopp:svf_within_target", "jamforelse:svf_over_175", "jamforelse:svf_lead_time_median"],
    },
    "register": {
        "label": "Kvalitetsregister och RCL",
        "charts": ["register:register_coverage", "tackning", "register:register_reporting_90d",
                   "jamforelse:rcl_coverage", "trend:rcl_coverage", "jamforelse:rcl_direct_transfer"],
    },
    "publicerat": {
        "label": "Publicerad statistik (Kolada: SVF-inklusion och andel inom ledtid per region)",
        "charts": [f"{kind}:{ind}" for ind in ("svf_inclusion", "svf_within_target")
                   for kind in ("publicerat", "publicerat-karta", "publicerat-trend")],
    },
}
PUBLISHED_PAGE = "publicerad_statistik"
PUBLISHED_PAGE_TABS = {
    "Inklusion i SVF": [f"{kind}:svf_inclusion" for kind in published.PUBLISHED_PAGE_KINDS],
    "Inom ledtid": [f"{kind}:svf_within_target" for kind in published.PUBLISHED_PAGE_KINDS],
}


def chosen_indicator(ctx, sel: Selection) -> str:
    """The indicator of the region comparison page: the selection's, if it has a comparison, else
    the default."""
    cat = ctx.ds.catalogue()
    if sel.indicator and sel.indicator in cat and _has_regions(cat.get(sel.indicator)):
        return sel.indicator
    return COMPARABLE_DEFAULT


def chosen_quality_indicator(ctx, sel: Selection) -> str | None:
    """The quality indicator shown in detail on the register page (the register's first by default)."""
    if not sel.register:
        return None
    qis = [i.id for i in ctx.ds.catalogue() if i.is_quality_indicator and i.register_code == sel.register]
    if sel.indicator in qis:
        return sel.indicator
    return qis[0] if qis else None


def _has_regions(ind) -> bool:
    return "region" in ind.dimensions


def page_views(ds, sel: Selection, page: str) -> list[str]:
    """The view ids a page shows for a selection (every tab)."""
    ctx = context(ds)
    if page == "oversikt":
        return ["scorecard"]
    if page == "svf_inklusion":
        return ["nyckeltal:svf_inclusion", "jamforelse:svf_inclusion", "karta:svf_inclusion", "forlopp:svf_inclusion",
                "trend:svf_inclusion", "avstamning:svf_inclusion"]
    if page == "svf_ledtider":
        return ["nyckeltal:ledtider"] + [v for ids in LEAD_TIME_PAGE_TABS.values() for v in ids]
    if page == "kvalitetsregister":
        if not sel.register:
            return ["register:register_coverage", "register:register_reporting_90d", "register-i-korthet"]
        qi = chosen_quality_indicator(ctx, sel)
        out = ["nyckeltal:register", "kvalitetsindikatorer"]
        if qi:
            out += [f"jamforelse:{qi}", f"trend:{qi}"]
            if "hospital" in ds.catalogue().get(qi).dimensions:
                out.append(f"sjukhus:{qi}")
        return out
    if page == "tackningsgrad":
        return [v for ids in COVERAGE_PAGE_TABS.values() for v in ids]
    if page == "regionjamforelse":
        ind = chosen_indicator(ctx, sel)
        return [f"tratt:{ind}", f"rangordning:{ind}"]
    if page == PUBLISHED_PAGE:
        return [v for ids in PUBLISHED_PAGE_TABS.values() for v in ids]
    return []


PAGES = ("oversikt", "svf_inklusion", "svf_ledtider", "kvalitetsregister", "tackningsgrad", "regionjamforelse",
         PUBLISHED_PAGE)


def preset_views(name: str) -> list[str]:
    try:
        return list(PRESETS[name]["charts"])
    except KeyError:
        raise QueryError(f"okänd förinställning: {str(name)[:40]!r} (finns: {', '.join(PRESETS)})") from None


def available_views(ds) -> list[tuple[str, str]]:
    """(view id, Swedish label) a user may put in a pack, in catalogue order."""
    out = [("scorecard", "Översikt: huvudindikatorer per enhet"), ("tackning", "Täckningsgrad per register och enhet"),
           ("fordelning:svf_within_target", "Ledtider: andel inom X dagar"),
           ("overtid:svf_within_target", "Ledtider: överskridandegrupper"),
           ("malgap:svf_within_target", "Ledtider: patienter kvar till målet")]
    for ind in ds.catalogue():
        if ind.is_quality_indicator:
            continue
        out.append((f"jamforelse:{ind.id}", f"{ind.name_sv} – jämförelse"))
        out.append((f"trend:{ind.id}", f"{ind.name_sv} – trend"))
        for dim, prefix in (("svf_code", "forlopp"), ("treatment_type", "behandling"), ("register", "register")):
            if dim in ind.dimensions:
                out.append((f"{prefix}:{ind.id}", f"{ind.name_sv} – {KIND_LABELS[prefix]}"))
        if "region" in ind.dimensions:
            out.append((f"karta:{ind.id}", f"{ind.name_sv} – karta"))
        if ind.id in published.RECONCILED:
            out += [(f"{kind}:{ind.id}", f"{ind.name_sv} – {KIND_LABELS[kind]}")
                    for kind in ("publicerat", "publicerat-karta", "publicerat-trend")]
    return out


# -- building one view ------------------------------------------------------------------------------

def _builder(ctx, sel: Selection, view_id: str) -> Callable[[], View]:
    cat = ctx.ds.catalogue()
    base, _, level = view_id.partition("@")
    kind, _, arg = base.partition(":")
    if base in reference.BUILDERS:
        return lambda: reference.BUILDERS[base](ctx)
    if base == "scorecard":
        return lambda: overview.scorecard(ctx, sel)
    if base == "tackning":
        return lambda: registers.coverage_heat(ctx, sel)
    if base == "kvalitetsindikatorer":
        if not sel.register:
            raise QueryError("välj ett register för kvalitetsindikatorerna")
        return lambda: registers.quality_table(ctx, sel)
    if base == "register-i-korthet":
        return lambda: registers.registers_in_brief(ctx, sel)
    if base == "nyckeltal:ledtider":
        return lambda: leadtime.key_figures(ctx, sel)
    if base == "nyckeltal:register":
        if not sel.register:
            raise QueryError("välj ett register för nyckeltalen")
        scope = leadtime.scope(ctx, sel)
        return lambda: standard.kpi(ctx, sel, base, ["register_coverage", "register_reporting_90d"], [scope],
                                    f"{ctx.register_names.get(sel.register, sel.register)} i korthet")
    if base == "fordelning:svf_within_target":
        return lambda: leadtime.distribution(ctx, sel)
    if base == "overtid:svf_within_target":
        return lambda: leadtime.overtime(ctx, sel)
    if base == "malgap:svf_within_target":
        return lambda: leadtime.gap(ctx, sel)
    if not arg:
        raise QueryError(f"okänt diagram: {view_id[:60]!r}")
    if kind in published.KINDS:
        return published.builder(ctx, sel, kind, arg)
    ind = cat.get(arg)
    if kind == "karta":
        return lambda: maps.computed_map(ctx, sel, ind.id)
    if kind == "nyckeltal":
        scopes = [("Riket", "riket", {})]
        if sel.regions:
            scopes.append((leadtime.scope_text(ctx, sel), "selected", {"region": list(sel.regions)}))
        if sel.own_region:
            scopes.append((ctx.label("region", sel.own_region), "own", {"region": [sel.own_region]}))
        return lambda: standard.kpi(ctx, sel, base, [ind.id], scopes, f"{ind.short_sv} i korthet")
    if kind == "jamforelse":
        if ind.id == leadtime.MEDIAN and not level:
            return lambda: leadtime.median_comparison(ctx, sel)
        return lambda: standard.comparison(ctx, sel, ind.id, level=level or None, view_id=view_id)
    if kind == "trend":
        return lambda: standard.trend(ctx, sel, ind.id)
    dims = {"forlopp": "svf_code", "behandling": "treatment_type", "register": "register", "sjukhus": "hospital"}
    if kind in dims:
        if dims[kind] not in ind.dimensions:
            raise QueryError(f"{view_id}: indikatorn har inte den dimensionen")
        if ind.id == "register_coverage":
            # coverage matures slowly: per register it shows the latest final year, as the heat table
            start, end, _ = registers.coverage_period(ctx, sel)
            final = sel.replace(start=start, end=end)
            return lambda: standard.breakdown(ctx, final, ind.id, dims[kind])
        if kind == "forlopp" and ind.is_lead_time:
            return lambda: leadtime.by_pathway(ctx, sel, ind.id)
        if kind == "sjukhus":
            return lambda: registers.hospitals(ctx, sel, ind.id)
        return lambda: standard.breakdown(ctx, sel, ind.id, dims[kind])
    if kind == "tratt":
        return lambda: ranking.funnel(ctx, sel, ind.id)
    if kind == "rangordning":
        return lambda: ranking.caterpillar(ctx, sel, ind.id)
    raise QueryError(f"okänt diagram: {view_id[:60]!r}")


def view_families(ctx, sel: Selection, view_id: str) -> set[str]:
    """The population families a view counts, from its id (without building it)."""
    cat = ctx.ds.catalogue()
    base = view_id.partition("@")[0]
    kind, _, arg = base.partition(":")
    if base == "scorecard":
        return {cat.get(i).family for i in overview_ids() if i in cat}
    if base == "tackning":
        return {"register_coverage"}
    if base in ("kvalitetsindikatorer", "register-i-korthet"):
        return {i.family for i in cat if i.is_quality_indicator and (base == "register-i-korthet"
                                                                     or i.register_code == sel.register)}
    if base == "nyckeltal:ledtider" or arg == "svf_within_target" and kind in ("fordelning", "overtid", "malgap"):
        return {"svf_lead_time"}
    if base == "nyckeltal:register":
        return {cat.get("register_coverage").family, cat.get("register_reporting_90d").family}
    if kind in published.PUBLISHED_PAGE_KINDS:
        return set()  # published figures: no counts of ours
    if arg in cat:
        return {cat.get(arg).family}
    return set()


def _title_for(ctx, view_id: str) -> str:
    base = view_id.partition("@")[0]
    kind, _, arg = base.partition(":")
    cat = ctx.ds.catalogue()
    name = cat.get(arg).name_sv if arg and arg in cat else "Översikt"
    return f"{name} – {KIND_LABELS.get(kind, kind)}" if arg else name


def _cache(ds) -> tuple[OrderedDict, threading.Lock]:
    cache = getattr(ds, _ATTR, None)
    if cache is None:
        with _LOCK:
            cache = getattr(ds, _ATTR, None)
            if cache is None:
                cache = (OrderedDict(), threading.Lock())
                setattr(ds, _ATTR, cache)
    return cache


def _cached(ds, key, make):
    store, lock = _cache(ds)
    with lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    value = make()
    with lock:
        store[key] = value
        while len(store) > CACHE_SIZE:
            store.popitem(last=False)
    return value


_SVF_VIEWS = ("nyckeltal:ledtider", "fordelning:svf_within_target", "overtid:svf_within_target",
              "malgap:svf_within_target")
_REGISTER_VIEWS = ("kvalitetsindikatorer", "nyckeltal:register", "scorecard")
_COVERAGE_PERIOD_VIEWS = ("tackning", "register:register_coverage")


def project(ds, sel: Selection, view_id: str) -> Selection:
    """The selection with the fields that cannot change this view reset to their defaults, so a
    view is built (and cached) once for every selection that shows it the same: a register filter
    does not rebuild the SVF charts, a new trend grain only the trends, a pathway filter not the
    register charts."""
    base = view_id.partition("@")[0]
    kind, _, arg = base.partition(":")
    if kind == "om":
        return Selection(sel.start, sel.end)
    cat = ds.catalogue()
    dims = cat.get(arg).dimensions if arg in cat else ()
    if base == "scorecard":
        dims = {d for i in overview_ids() if i in cat for d in cat.get(i).dimensions}
    changes = {"indicator": None}
    if not ("svf_code" in dims or base in _SVF_VIEWS):
        changes["svf_code"] = None
    if not ("register" in dims or base in _REGISTER_VIEWS):
        changes["register"] = None
    if kind != "trend":
        changes["grain"] = "quarter"
    if base not in _COVERAGE_PERIOD_VIEWS:
        changes["coverage_period"] = "final"
    if base in _SVF_VIEWS:
        dims = set(dims) | set(cat.get("svf_within_target").dimensions)
    changes["extra"] = tuple((d, v) for d, v in sel.extra if d in dims)
    return sel.replace(**changes)


def raw_view(ds, sel: Selection, view_id: str) -> View:
    """A view before disclosure control across the output (primary suppression only)."""
    base, _, level = view_id.partition("@")
    if level and level == sel.level:  # the comparison at the selection's own level is the view itself
        return raw_view(ds, sel, base).replace(id=view_id)
    psel = project(ds, sel, view_id)

    def make():
        ctx = context(ds)
        try:
            return _builder(ctx, psel, view_id)()
        except (DataError, QueryError) as exc:
            return failed_view(view_id, "failed", _title_for(ctx, view_id), "", str(exc))
    return _cached(ds, ("raw", psel, view_id), make)


# -- the universe and protection ---------------------------------------------------------------------

def universe(ds, sel: Selection) -> list[str]:
    """Every view id any page or preset shows for the selection, plus the comparison views the
    overview grid is made of and every comparison at both levels (so switching the level does
    not undo a complementary suppression)."""
    ids: list[str] = []
    for page in PAGES:
        ids += page_views(ds, sel, page)
    for preset in PRESETS:
        ids += preset_views(preset)
    cat = ds.catalogue()
    ids += [f"jamforelse:{i}" for i in overview_ids() if i in cat]
    for vid in list(ids):
        if vid.startswith("jamforelse:"):
            ids += [f"{vid}@region", f"{vid}@healthcare_region"]
    return [v for v in dict.fromkeys(ids) if v != "scorecard"]


def _members(ds, sel: Selection, family: str) -> tuple:
    """(view id, projected selection) of every universe view that counts `family`: what the
    family's protection depends on, and so its cache key."""
    ctx = context(ds)
    return tuple((vid, project(ds, sel, vid)) for vid in universe(ds, sel) if family in view_families(ctx, sel, vid))


def family_states(ds, sel: Selection, family: str) -> dict:
    """The final hidden/shown state of every cell of `family` over the selection's universe."""
    members = _members(ds, sel, family)

    def make():
        ctx = context(ds)
        views = [raw_view(ds, psel, vid) for vid, psel in members]
        cells_views = []
        for v in views:
            t = v.table
            if v.error or t is None or t.empty or "cell" not in t.columns:
                continue
            mine = t[[c is not None and c.family == family for c in t["cell"]]]
            if len(mine):
                cells_views.append(v.replace(table=mine))
        states = protectmod._cell_states(cells_views)
        rels = protectmod.relations(states.keys(), _domains(ctx))
        protectmod.secondary_cells(states, rels)
        return states
    return _cached(ds, ("family", family, members), make)


def _domains(ctx) -> dict:
    return {d: ctx.domain(d) for d in ("region", "svf_code", "treatment_type", "sex", "register", "hospital")}


def view(ds, sel: Selection, view_id: str) -> View:
    """The view `view_id` for the selection, protected and with its notes finished (cached)."""
    ctx = context(ds)
    raw = raw_view(ds, sel, view_id)
    if raw.error or raw.table is None or raw.table.empty or "cell" not in raw.table.columns:
        return _cached(ds, ("view", id(raw)), lambda: raw if raw.error else _finish(ctx, raw)
                       if raw.kind == "reconciliation" else notemod.finish(ctx, raw))
    families = sorted({c.family for c in raw.table["cell"] if c is not None})
    members = tuple((fam, _members(ds, sel, fam)) for fam in families)

    def make():
        states = {}
        for fam in families:
            states.update(family_states(ds, sel, fam))
        extra = {c for c, st in states.items() if st.secondary}
        return _finish(ctx, protectmod._apply(raw, states, extra))
    return _cached(ds, ("view", view_id, project(ds, sel, view_id), members), make)


def _finish(ctx, v: View) -> View:
    if v.kind == "funnel":
        v = ranking.finish_funnel(v)
    if v.kind == "scorecard":
        v = overview.finish_notes(ctx, v)
    if v.kind == "reconciliation":
        v = published.finish_reconciliation(v)
    return notemod.finish(ctx, v)


def views(ds, sel: Selection, view_ids) -> list[View]:
    """Several protected views (an output)."""
    return [view(ds, sel, v) for v in view_ids]

"""What goes into a meeting pack: the selection, the charts a preset names, and each chart's figure,
table and speaker notes, computed with the engine and drawn with the dashboard's own figure
builders (charts.figures), so a slide looks like the screen.

A chart is named by an id:
  'scorecard'             the overview grid: main indicators × (riket + units at the level)
  'jamforelse:<ind>'      comparison bars at the selection's level (regions / sjukvårdsregioner)
  'trend:<ind>'           trend over the trend period (riket or the chosen regions, plus one's own)
  'forlopp:<ind>'         bars per SVF pathway (riket)
  'register:<ind>'        bars per quality register (riket), each register's own target marked

No Streamlit import: the command line (`python -m indicators report`) and the app's Mötespaket
page build the same pack from the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from indicators import DataError, QueryError
from indicators.periods import add_months, month_end, month_start
from indicators.schema import HEALTHCARE_REGIONS

from . import DatasetIdentity
from . import tables as xtables

# As the Översikt page (app_pages/1_Oversikt.py), so the slide shows what the screen shows.
SCORECARD_INDICATORS = ("svf_inclusion", "svf_within_target", "svf_over_175", "register_coverage",
                        "register_reporting_90d", "rcl_coverage")

PRESETS: dict[str, dict] = {
    "styrgrupp": {
        "label": "Styrgrupp (översikt, SVF-inklusion, ledtider, registertäckning, RCL)",
        "charts": ["scorecard", "jamforelse:svf_inclusion", "jamforelse:svf_within_target",
                   "trend:svf_within_target", "jamforelse:svf_lead_time_median", "register:register_coverage",
                   "jamforelse:register_reporting_90d", "jamforelse:rcl_coverage"],
    },
    "svf": {
        "label": "SVF (inklusion och ledtider)",
        "charts": ["jamforelse:svf_inclusion", "trend:svf_inclusion", "jamforelse:svf_within_target",
                   "trend:svf_within_target", "forlopp:svf_within_target", "jamforelse:svf_over_175",
                   "jamforelse:svf_lead_time_median"],
    },
    "register": {
        "label": "Kvalitetsregister och RCL",
        "charts": ["register:register_coverage", "jamforelse:register_coverage", "register:register_reporting_90d",
                   "jamforelse:rcl_coverage", "trend:rcl_coverage", "jamforelse:rcl_direct_transfer"],
    },
}

CHART_KINDS = {
    "jamforelse": "Jämförelse",
    "trend": "Trend",
    "forlopp": "Per SVF-förlopp",
    "register": "Per register",
}
GRAIN_LABELS = {"year": "år", "quarter": "kvartal", "month": "månad"}
LEVEL_TEXT = {"region": "regioner", "healthcare_region": "sjukvårdsregioner", "riket": "riket"}
RIKET = "Riket"


# -- the selection ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackSelection:
    """The filters a pack is built for (codes, not names), as in ui.filters.Filters.

    `regions` are the units shown at the region level (empty = all) and the scope of trends;
    `extra_where` holds further engine filters (sex, treatment_type, substance, ...) applied to
    the indicators that have those dimensions.
    """

    start: date | None = None
    end: date | None = None
    level: str = "region"  # 'region' | 'healthcare_region' | 'riket'
    regions: tuple[str, ...] = ()
    own_region: str | None = None
    svf_code: str | None = None
    register: str | None = None
    grain: str = "quarter"
    extra_where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    trend_years: int = 3

    @classmethod
    def from_filters(cls, f) -> PackSelection:
        """From the app's ui.filters.Filters."""
        return cls(start=f.start, end=f.end, level=f.level, regions=tuple(f.regions), own_region=f.own_region,
                   svf_code=f.svf_code, register=f.register, grain=f.grain)

    @classmethod
    def from_where(cls, ds, start=None, end=None, where: dict | None = None, **kw) -> PackSelection:
        """From command-line style arguments: --where DIM=VALUE (region, healthcare_region, svf_code,
        register map onto the selection; anything else becomes an extra engine filter)."""
        from indicators.periods import parse_date

        where = {k: list(v) for k, v in (where or {}).items()}
        start, end = parse_date(start, "--from"), parse_date(end, "--to")
        regions: list[str] = []
        if "region" in where:
            known = set(_region_names(ds))
            for v in where.pop("region"):
                if known and v not in known:
                    raise QueryError(f"okänt värde för region: {v[:40]!r} (regionkod, t.ex. 01)")
                regions.append(v)
        if "healthcare_region" in where:
            ref = _safe_reference(ds, "regions")
            for hr in where.pop("healthcare_region"):
                if hr not in HEALTHCARE_REGIONS:
                    raise QueryError(f"okänt värde för healthcare_region: {hr[:40]!r}")
                if ref is not None:
                    regions += ref.loc[ref["healthcare_region"] == hr, "region_code"].astype(str).tolist()
        single = {}
        for dim in ("svf_code", "register"):
            values = where.pop(dim, [])
            if len(values) > 1:
                raise QueryError(f"--where {dim}: ett värde i taget i ett mötespaket (fick {len(values)})")
            single[dim] = values[0] if values else None
        known_dims = ("treatment_type", "sex", "substance", "year", "quarter", "month")
        for dim in where:
            if dim not in known_dims:
                raise QueryError(f"okänd dimension i --where: {dim[:40]!r}")
        extra = tuple(sorted((k, tuple(v)) for k, v in where.items()))
        return cls(start=start, end=end, regions=tuple(dict.fromkeys(regions)), svf_code=single["svf_code"],
                   register=single["register"], extra_where=extra, **kw)


def resolve_period(ds, sel: PackSelection) -> tuple[date, date]:
    """The pack's period: as given, or the latest 12 whole months before the extract month
    (the app's default)."""
    default_end = month_end(add_months(month_start(ds.extract_date), -1))
    end = sel.end or default_end
    start = sel.start or month_start(add_months(month_start(end), -11))
    if start > end:
        raise QueryError(f"--from ({start}) är efter --to ({end})")
    return start, end


def trend_period(start: date, end: date, years: int = 3) -> tuple[date, date]:
    """As ui.filters.Filters.trend_period: at least `years` calendar years up to the end."""
    return min(start, date(end.year - (years - 1), 1, 1)), end


# -- one chart of a pack ---------------------------------------------------------------------------

@dataclass
class ChartItem:
    """A chart ready for a slide: its figure (as on screen), the numbers behind it and its notes."""

    chart_id: str
    title: str
    selection: str
    figure: go.Figure | None
    table: pd.DataFrame | None = None  # the engine rows shown (for CSV/Excel and checks)
    indicator: object = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the chart could not be made (a missing table, say)
    indicators: list = field(default_factory=list)  # every indicator the chart shows (scorecard: several)
    image_layout: tuple[int, int, float] | None = None  # (width, height, scale) for the slide image


def preset_charts(name: str) -> list[str]:
    try:
        return list(PRESETS[name]["charts"])
    except KeyError:
        raise QueryError(f"okänd förinställning: {str(name)[:40]!r} (finns: {', '.join(PRESETS)})") from None


def available_charts(ds) -> list[tuple[str, str]]:
    """(chart id, Swedish label) for the user to pick from, in catalogue order."""
    out = [("scorecard", "Översikt: huvudindikatorer per enhet")]
    for ind in ds.catalogue():
        if ind.is_quality_indicator:
            continue
        out.append((f"jamforelse:{ind.id}", f"{ind.name_sv} – jämförelse"))
        out.append((f"trend:{ind.id}", f"{ind.name_sv} – trend"))
        if "svf_code" in ind.dimensions:
            out.append((f"forlopp:{ind.id}", f"{ind.name_sv} – per SVF-förlopp"))
        if "register" in ind.dimensions:
            out.append((f"register:{ind.id}", f"{ind.name_sv} – per register"))
    return out


def chart_label(ds, chart_id: str) -> str:
    return dict(available_charts(ds)).get(chart_id, chart_id)


def build_chart(ds, chart_id: str, sel: PackSelection, ident: DatasetIdentity) -> ChartItem:
    """The chart `chart_id` for selection `sel`. Engine errors become an item with `error` set
    (the pack shows a slide saying why) rather than failing the whole pack; an unknown chart id
    or indicator raises QueryError."""
    start, end = resolve_period(ds, sel)
    kind, _, ind_id = chart_id.partition(":")
    if kind == "scorecard":
        builder, ind = _scorecard, None
    else:
        if kind not in CHART_KINDS or not ind_id:
            raise QueryError(f"okänt diagram: {chart_id[:60]!r}")
        ind = ds.catalogue().get(ind_id)
        builder = {"jamforelse": _comparison, "trend": _trend, "forlopp": _by_dimension,
                   "register": _by_dimension}[kind]
        if kind == "forlopp" and "svf_code" not in ind.dimensions or kind == "register" and \
                "register" not in ind.dimensions:
            raise QueryError(f"{chart_id}: indikatorn har inte den dimensionen")
    try:
        return builder(ds, chart_id, ind, sel, ident, start, end)
    except (DataError, QueryError) as exc:
        title = ind.name_sv if ind is not None else "Översikt"
        return ChartItem(chart_id, title, _selection_text(ds, sel, ind, start, end), None, indicator=ind,
                         error=str(exc), indicators=[ind] if ind is not None else [],
                         notes=[f"Diagrammet kunde inte skapas: {exc}"])


# -- helpers ---------------------------------------------------------------------------------------

def _safe_reference(ds, table: str) -> pd.DataFrame | None:
    try:
        return ds.reference(table)
    except (DataError, QueryError):
        return None


def _region_names(ds) -> dict[str, str]:
    ref = _safe_reference(ds, "regions")
    if ref is None:
        return {}
    ref = ref.sort_values("region_code")
    return dict(zip(ref["region_code"].astype(str), ref["region_name"].astype(str)))


def _short_register(name: str) -> str:
    return name[name.rindex("(") + 1:-1] if name.endswith(")") and "(" in name else name


def _where(ind, sel: PackSelection, *, regions: bool = False) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if sel.svf_code and "svf_code" in ind.dimensions:
        out["svf_code"] = [sel.svf_code]
    if sel.register and "register" in ind.dimensions:
        out["register"] = [sel.register]
    if regions and sel.regions and "region" in ind.dimensions:
        out["region"] = list(sel.regions)
    for dim, values in sel.extra_where:
        if dim in ind.dimensions:
            out[dim] = list(values)
    return out


def _not_applied(ind, sel: PackSelection) -> list[str]:
    """Filters of the selection that this indicator cannot take (said in the notes)."""
    out = []
    if sel.svf_code and "svf_code" not in ind.dimensions:
        out.append("SVF-förlopp")
    if sel.register and "register" not in ind.dimensions:
        out.append("register")
    for dim, _ in sel.extra_where:
        if dim not in ind.dimensions:
            out.append(xtables.DIMENSION_LABELS.get(dim, dim).lower())
    return out


def _label(ident: DatasetIdentity, dim: str, value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return RIKET
    v = str(value)
    if dim == "region":
        return ident.region_names.get(v, v)
    if dim == "svf_code":
        return ident.pathway_names.get(v, v)
    if dim == "register":
        return _short_register(ident.register_names.get(v, v))
    if dim == "treatment_type":
        return xtables.TREATMENT_LABELS.get(v, v)
    if dim == "sex":
        return xtables.SEX_LABELS.get(v, v)
    return v


def _geography_text(ds, sel: PackSelection, ident: DatasetIdentity, *, scope: bool = False) -> str:
    if scope:  # charts summing over the chosen regions
        if not sel.regions:
            return RIKET
        return _join([ident.region_names.get(r, r) for r in sel.regions])
    if sel.level == "riket":
        return RIKET
    if sel.level == "healthcare_region":
        text = "sjukvårdsregioner"
    else:
        text = "alla regioner" if not sel.regions else _join([ident.region_names.get(r, r) for r in sel.regions])
    if sel.own_region:
        text += f" (egen region: {ident.region_names.get(sel.own_region, sel.own_region)})"
    return text


def _join(names: list[str], limit: int = 4) -> str:
    names = [str(n) for n in names]
    if len(names) <= limit:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1] if names else ""
    return ", ".join(names[:limit]) + f" och {len(names) - limit} till"


def _period_text(start: date, end: date) -> str:
    from ui import format as fmt

    return fmt.period_text(start, end)


def _selection_text(ds, sel: PackSelection, ind, start: date, end: date, *, geography: str | None = None,
                    extra: tuple[str, ...] = ()) -> str:
    """'2025 · alla regioner · alla förlopp' – the same parts as ui.filters.Filters.selection_text."""
    parts = [_period_text(start, end)]
    if geography:
        parts.append(geography)
    dims = ind.dimensions if ind is not None else ("svf_code", "register")
    if "svf_code" in dims:
        if sel.svf_code:
            ref = _safe_reference(ds, "svf_pathways")
            names = dict(zip(ref["svf_code"], ref["svf_name"])) if ref is not None else {}
            parts.append(names.get(sel.svf_code, sel.svf_code))
        else:
            parts.append("alla förlopp")
    if "register" in dims:
        if sel.register:
            ref = _safe_reference(ds, "registers")
            names = dict(zip(ref["register_code"], ref["register_name"])) if ref is not None else {}
            parts.append(_short_register(names.get(sel.register, sel.register)))
        else:
            parts.append("alla register")
    for dim, values in sel.extra_where:
        if ind is None or dim in ind.dimensions:
            label = xtables.DIMENSION_LABELS.get(dim, dim)
            shown = [xtables.TREATMENT_LABELS.get(v, xtables.SEX_LABELS.get(v, v)) for v in values]
            parts.append(f"{label}: {', '.join(shown)}")
    parts.extend(x for x in extra if x)
    return " · ".join(parts)


def _unit(ind) -> str:
    return ind.unit if ind is not None else "procent"


def _n_line(ind, row, who: str = RIKET) -> str:
    """The total's n for the notes (never for a suppressed row)."""
    from ui import format as fmt

    if row is None or bool(row.get("suppressed", False)):
        return f"{who}: {xtables.SUPPRESSED_TEXT}."
    num, den = row.get("numerator"), row.get("denominator")
    if ind.kind == "median":
        return f"{who}: median {fmt.value_text(row['value'], 'dagar')} för n = {fmt.count(den)} förlopp."
    if ind.kind == "estimated_ratio":
        return (f"{who}: {fmt.pct(row['value'])} – {fmt.count(num)} förlopp mot {fmt.number(den, 0)} "
                "förväntade nya fall (uppskattad nämnare).")
    if ind.kind == "rate":
        return f"{who}: {fmt.number(row['value'], 1)} per 100 000 – {fmt.count(num)} starter."
    return f"{who}: {fmt.pct(row['value'])} – {fmt.n_text(num, den)}."


def _notes(ds, ind, sel: PackSelection, ident: DatasetIdentity, selection: str, riket_row, shown: pd.DataFrame | None,
           label_col: str = "label", start: date | None = None, end: date | None = None,
           total_label: str = RIKET) -> list[str]:
    """Speaker notes: definition, selection, n, interval method, suppression and coverage caveats."""
    from ui import format as fmt

    lines = [f"{ind.name_sv} ({ind.id}).", f"Urval: {selection}."]
    om = (ind.texts or {}).get("om")
    if om:
        lines.append(f"Definition: {om}")
    lines.append(_n_line(ind, riket_row, total_label))
    lines.append(f"Konfidensintervall: {xtables.interval_method(ind)}")
    target = fmt.targets_text(ind.target_low, ind.target_high, ind.direction)
    if ind.targets_from == "registers":
        lines.append("Målnivåer: registrens egna (låg/hög) per register; en grupp som spänner över register med "
                     "olika mål har ingen målnivå.")
    elif target:
        lines.append(f"Målnivå: {target}. Källa: {ind.target_source or '–'}")
    if ind.target_placeholder:
        lines.append("Obs: målnivån är en platshållare, inte verifierad.")
    limit = max(int(ind.min_n or 5), 5)
    if shown is not None and "suppressed" in shown.columns:
        supp = shown[shown["suppressed"].astype(bool)]
        if len(supp):
            names = _join(supp[label_col].astype(str).tolist(), limit=8)
            lines.append(f"Visas som otillräckligt underlag, utan antal och värden (färre än {limit} fall, eller "
                         f"dolt så att det inte kan räknas fram ur totalen): {names}.")
        else:
            lines.append(f"Grupper med färre än {limit} visas inte (otillräckligt underlag); inga i detta diagram.")
        if "provisional" in shown.columns and shown["provisional"].astype("boolean").fillna(False).any():
            lines.append(f"Preliminärt: perioder som slutar efter {_provisional_cutoff(ds, ind)} kan ändras när "
                         "regionerna rapporterar och rättar i efterhand.")
        if "placeholder_target" in shown.columns and shown["placeholder_target"].astype("boolean").fillna(False).any():
            lines.append("Några förlopp bedöms mot ledtidsgränser som är platshållare (källa saknas).")
    not_applied = _not_applied(ind, sel)
    if not_applied:
        lines.append(f"Filtret {', '.join(not_applied)} gäller inte den här indikatorn och är inte tillämpat.")
    lines += _coverage_caveats(ds, ind, sel, start, end)
    tolk = (ind.texts or {}).get("tolkning")
    if tolk:
        lines.append(f"Att tänka på: {tolk}")
    lines.append(f"Data: datauttag {ident.extract_date}, {ident.source}, dataset {ident.dataset_id}.")
    return lines


def _provisional_cutoff(ds, ind) -> str:
    from indicators.periods import provisional_cutoff

    return provisional_cutoff(ds.extract_date, ind.maturity_months).isoformat()


def _coverage_caveats(ds, ind, sel: PackSelection, start, end) -> list[str]:
    """Lead times are read with SVF inclusion; RCL and quality indicators with register coverage."""
    from ui import format as fmt

    if start is None or end is None:
        return []
    other = None
    if ind.is_lead_time:
        other, text = "svf_inclusion", "SVF-inklusionen i riket för samma period och urval är {v} (mål > 70 %); " \
                                        "vid låg inklusion beskriver ledtiden bara en del av patienterna."
    elif ind.id in ("rcl_direct_transfer", "rcl_starts_per_100k"):
        other, text = "rcl_coverage", "RCL:s täckningsgrad i riket för perioden är {v} (mål 85 %)."
    elif ind.is_quality_indicator:
        other, text = "register_coverage", "Registrets täckningsgrad mot Cancerregistret i riket är {v}."
    if other is None:
        return []
    try:
        o_ind = ds.catalogue().get(other)
        where = _where(o_ind, sel)
        if ind.is_quality_indicator and ind.register_code:
            where["register"] = [ind.register_code]
        row = ds.compute(other, start=start, end=end, where=where).iloc[0]
    except (DataError, QueryError, IndexError):
        return []
    value = xtables.SUPPRESSED_TEXT if bool(row["suppressed"]) else fmt.pct(row["value"])
    return [text.format(v=value)]


def _comparison_rows(ds, ind, sel: PackSelection, ident: DatasetIdentity, start, end) -> tuple[pd.DataFrame, pd.Series]:
    """Riket + the units at the level (engine rows, with label and role), riket row separately."""
    where = _where(ind, sel)
    riket = ds.compute(ind.id, start=start, end=end, where=where)
    riket = riket.assign(label=RIKET, role="riket", unit_code=pd.NA)
    rows = [riket]
    dim = None if sel.level == "riket" else sel.level
    if dim is not None and dim in ind.dimensions:
        # Complementary suppression: parts are shown with their total (riket).
        units = ds.compute(ind.id, by=[dim], start=start, end=end, where=where, secondary=True)
        units = units.rename(columns={dim: "unit_code"})
        if dim == "region":
            shown = list(sel.regions) or list(ident.region_names) or units["unit_code"].astype(str).tolist()
            if sel.own_region and sel.own_region not in shown:
                shown.append(sel.own_region)
            units = units[units["unit_code"].astype(str).isin(shown)]
            own = sel.own_region
        else:
            if sel.regions:
                ref = _safe_reference(ds, "regions")
                hr_of = dict(zip(ref["region_code"], ref["healthcare_region"])) if ref is not None else {}
                chosen = {hr_of.get(r) for r in sel.regions} | ({hr_of.get(sel.own_region)} if sel.own_region
                                                                else set())
                units = units[units["unit_code"].isin(chosen)]
            ref = _safe_reference(ds, "regions")
            own = (dict(zip(ref["region_code"], ref["healthcare_region"])).get(sel.own_region)
                   if ref is not None and sel.own_region else None)
        units = units.assign(label=[_label(ident, dim, v) for v in units["unit_code"]],
                             role=["own" if own is not None and str(v) == str(own) else "unit"
                                   for v in units["unit_code"]])
        rows.append(units)
    table = pd.concat(rows, ignore_index=True)
    return table, riket.iloc[0]


# -- the chart builders ------------------------------------------------------------------------------

def _comparison(ds, chart_id, ind, sel, ident, start, end) -> ChartItem:
    from charts import figures

    table, riket = _comparison_rows(ds, ind, sel, ident, start, end)
    geography = _geography_text(ds, sel, ident)
    selection = _selection_text(ds, sel, ind, start, end, geography=geography)
    level = LEVEL_TEXT.get(sel.level if sel.level in ind.dimensions or sel.level == "riket" else "riket")
    title = f"{ind.name_sv} – {level}"
    own_label = ident.region_names.get(sel.own_region) if sel.own_region else None
    fig = figures.bar_comparison(
        table, title=title, subtitle=selection, unit=_unit(ind), target_low=ind.target_low,
        target_high=ind.target_high, direction=ind.direction, show_ci=ind.has_interval,
        own_label=f"Egen region ({own_label})" if own_label else None)
    notes = _notes(ds, ind, sel, ident, selection, riket, table, start=start, end=end)
    return ChartItem(chart_id, title, selection, fig, table=_engine_table(table, "Enhet"), indicator=ind,
                     notes=notes, indicators=[ind])


def _by_dimension(ds, chart_id, ind, sel, ident, start, end) -> ChartItem:
    from charts import figures

    dim = "svf_code" if chart_id.startswith("forlopp:") else "register"
    where = {k: v for k, v in _where(ind, sel, regions=True).items() if k != dim}
    riket = ds.compute(ind.id, start=start, end=end, where=where).assign(label=_geography_text(
        ds, sel, ident, scope=True), role="riket", unit_code=pd.NA)
    parts = ds.compute(ind.id, by=[dim], start=start, end=end, where=where, secondary=True)
    parts = parts.rename(columns={dim: "unit_code"})
    chosen = sel.svf_code if dim == "svf_code" else sel.register
    parts = parts.assign(label=[_label(ident, dim, v) for v in parts["unit_code"]],
                         role=["selected" if chosen and str(v) == chosen else "unit" for v in parts["unit_code"]])
    table = pd.concat([riket, parts], ignore_index=True)
    scope = _geography_text(ds, sel, ident, scope=True)
    selection = _selection_text(ds, sel, ind, start, end, geography=scope)
    what = "per SVF-förlopp" if dim == "svf_code" else "per register"
    title = f"{ind.name_sv} – {what}"
    kwargs = {}
    per_row_targets = ind.targets_from == "registers" and dim == "register"
    if per_row_targets:
        kwargs = {"reference_col": "target_high", "reference_name": "Registrets höga målnivå"}
    fig = figures.bar_comparison(
        table, title=title, subtitle=selection, unit=_unit(ind),
        target_low=None if per_row_targets else ind.target_low,
        target_high=None if per_row_targets else ind.target_high, direction=ind.direction,
        show_ci=ind.has_interval, **kwargs)
    notes = _notes(ds, ind, sel, ident, selection, riket.iloc[0], table, start=start, end=end, total_label=scope)
    if per_row_targets:
        notes.insert(4, "Strecket vid varje register är registrets höga målnivå för täckningsgrad.")
    return ChartItem(chart_id, title, selection, fig, table=_engine_table(table, "Förlopp" if dim == "svf_code"
                                                                             else "Register"),
                     indicator=ind, notes=notes, indicators=[ind])


def _trend_units(ds, sel: PackSelection) -> tuple[str | None, list[str], str | None]:
    """(dimension, units drawn besides riket, own unit) as ui.data.trend_series: at region level the
    chosen regions (max 8) and one's own; at sjukvårdsregion level the shown ones; none for riket."""
    if sel.level == "riket":
        return None, [], None
    if sel.level == "region":
        units = list(sel.regions)[:8]
        own = sel.own_region
    else:
        ref = _safe_reference(ds, "regions")
        hr_of = dict(zip(ref["region_code"].astype(str), ref["healthcare_region"].astype(str))) if ref is not None \
            else {}
        present = set(hr_of.values())
        all_hr = [h for h in HEALTHCARE_REGIONS if h in present]
        chosen = {hr_of.get(r) for r in sel.regions} if sel.regions else set(all_hr)
        own = hr_of.get(sel.own_region) if sel.own_region else None
        if own:
            chosen.add(own)
        units = [h for h in all_hr if h in chosen]
    if own and own not in units:
        units = [own] + units
    return sel.level, units, own


def _period_labels(grain: str, lo: date, hi: date) -> list[str]:
    from indicators.periods import label_range

    out: list[str] = []
    y, m = lo.year, lo.month
    while (y, m) <= (hi.year, hi.month):
        lab = f"{y:04d}" if grain == "year" else f"{y:04d}-Q{(m - 1) // 3 + 1}" if grain == "quarter" \
            else f"{y:04d}-{m:02d}"
        if not out or out[-1] != lab:
            out.append(lab)
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return [lab for lab in out if label_range(grain, lab)[0] >= lo]


def _trend(ds, chart_id, ind, sel, ident, start, end) -> ChartItem:
    """Riket and the trend units per period label over the trend period (as ui.data.trend_table)."""
    from charts import figures
    from ui import format as fmt

    grain = sel.grain if sel.grain in ind.dimensions else "quarter"
    t_start, t_end = trend_period(start, end, sel.trend_years)
    if ind.month_aligned:
        t_start = month_start(t_start)
    where = _where(ind, sel)
    riket = ds.compute(ind.id, by=[grain], start=t_start, end=t_end, where=where).assign(series=RIKET, role="riket")
    parts = [riket]
    geo, units, own = _trend_units(ds, sel)
    if geo and units and geo in ind.dimensions:
        allu = ds.compute(ind.id, by=[grain, geo], start=t_start, end=t_end, where=where, secondary=True)
        allu = allu[allu[geo].astype(str).isin(units)].copy()
        allu["series"] = [_label(ident, geo, u) for u in allu[geo].astype(str)]
        allu["role"] = ["own" if own and str(u) == own else "unit" for u in allu[geo]]
        parts.append(allu.drop(columns=[geo]))
    table = pd.concat(parts, ignore_index=True)
    table["x"] = [fmt.period_label(grain, v) for v in table[grain]]
    x_order = [fmt.period_label(grain, lab) for lab in _period_labels(grain, t_start, t_end)]
    named = [s for s in dict.fromkeys(table["series"]) if s != RIKET]
    geography = "riket" + (f" och {_join(named)}" if named else "")
    selection = _selection_text(ds, sel, ind, t_start, t_end, geography=geography,
                                extra=(f"per {GRAIN_LABELS.get(grain, grain)}",))
    title = f"{ind.name_sv} – trend"
    fig = figures.trend_lines(table, x_order=x_order, title=title, subtitle=selection, unit=_unit(ind),
                              target_low=ind.target_low, target_high=ind.target_high, direction=ind.direction,
                              show_ci=ind.has_interval,
                              note="Ofyllda punkter och prickad linje: preliminärt (data kompletteras).")
    riket_total = ds.compute(ind.id, start=t_start, end=t_end, where=where).iloc[0]
    shown = table.assign(label=[f"{s} {x}" for s, x in zip(table["series"], table["x"])])
    notes = _notes(ds, ind, sel, ident, selection, riket_total, shown, start=t_start, end=t_end,
                   total_label=f"{RIKET}, hela trendperioden")
    return ChartItem(chart_id, title, selection, fig, table=_engine_table(
        table.rename(columns={"series": "Serie"}).drop(columns=["x", "role"]), None), indicator=ind, notes=notes,
        indicators=[ind])


def _scorecard_column(ind) -> str:
    """Column heading as on the Översikt page: short name and target."""
    from ui import format as fmt

    target = fmt.targets_text(ind.target_low, ind.target_high, ind.direction)
    if ind.id == "register_coverage":
        target = "registrens målnivåer"
    return f"<b>{ind.short_sv}</b>" + (f"<br>{target}" if target else "<br>ingen målnivå")


def _scorecard_cell(row, ind) -> str:
    from ui import format as fmt

    if bool(row.get("suppressed", False)) or fmt.is_missing(row.get("value")):
        return xtables.SUPPRESSED_TEXT.replace(" ", "<br>", 1)
    value = fmt.value_text(row["value"], ind.unit)
    n = fmt.n_text(row.get("numerator"), row.get("denominator"))
    return f"<b>{value}</b><br><span style='font-size:10px'>{n}</span>"


def _ci_uncertain(row, ind) -> bool:
    """As ui.data.ci_status(...) == 'uncertain': the 95 % interval includes a target level."""
    from indicators import stats

    if ind.direction not in ("higher", "lower") or bool(row.get("suppressed", False)):
        return False
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if pd.isna(lo) or pd.isna(hi):
        return False
    targets = [t for t in (row.get("target_low"), row.get("target_high")) if not pd.isna(t)]
    return any(stats.target_status_ci(float(lo), float(hi), float(t), ind.direction) == "uncertain"
               for t in targets)


def _scorecard(ds, chart_id, _ind, sel, ident, start, end) -> ChartItem:
    """The Översikt page's grid: riket, one's own unit, then the units alphabetically × indicators."""
    from charts import figures
    from ui import format as fmt

    cat = ds.catalogue()
    inds = [cat.get(i) for i in SCORECARD_INDICATORS if i in cat]
    cells, used, frames, problems, provisional_cols = [], [], [], [], []
    row_labels: dict[str, str] = {}
    own_unit = None
    for ind in inds:
        try:
            table, _riket = _comparison_rows(ds, ind, sel, ident, start, end)
        except (DataError, QueryError) as exc:
            problems.append(f"{ind.short_sv}: {exc}")
            continue
        used.append(ind)
        frames.append(table.assign(Indikator=ind.short_sv))
        if table["provisional"].astype("boolean").fillna(False).any():
            provisional_cols.append(ind.short_sv)
        for _, r in table.iterrows():
            key = "__riket__" if r["role"] == "riket" else str(r["unit_code"])
            if r["role"] == "own":
                own_unit = key
            row_labels[key] = r["label"]
            if bool(r["suppressed"]) or pd.isna(r["value"]):
                level = "suppressed"
            elif pd.isna(r["target_level"]):
                level = "no_target"
            else:
                level = str(r["target_level"])
            cells.append({"row_key": key, "column": _scorecard_column(ind), "text": _scorecard_cell(r, ind),
                          "level": level, "uncertain": _ci_uncertain(r, ind)})
    keys = list(dict.fromkeys(c["row_key"] for c in cells))
    ordered = (["__riket__"] if "__riket__" in keys else []) + ([own_unit] if own_unit in keys else [])
    ordered += sorted((k for k in keys if k not in ordered), key=lambda k: fmt.sv_sort_key(row_labels[k]))
    display = {k: row_labels[k] + (" (egen region)" if k == own_unit and sel.level == "region" else
                                   " (egen sjukvårdsregion)" if k == own_unit else "") for k in ordered}
    cells_df = pd.DataFrame(cells, columns=["row_key", "column", "text", "level", "uncertain"])
    cells_df["row"] = cells_df["row_key"].map(display)
    level_word = {"region": "region", "healthcare_region": "sjukvårdsregion", "riket": "riket"}.get(sel.level,
                                                                                                  "region")
    title = f"Måluppfyllelse per {level_word}"
    geography = "riket" if sel.level == "riket" else f"{len(ordered) - 1} {fmt.LEVEL_PLURAL[sel.level]} och riket"
    selection = _selection_text(ds, sel, None, start, end, geography=geography)
    note_parts = ["◐ = 95 %-intervallet omfattar en målnivå (osäker status)"]
    if provisional_cols:
        note_parts.append("Preliminära värden: " + ", ".join(provisional_cols))
    note = " · ".join(note_parts)
    fig = figures.scorecard(cells_df, rows=[display[k] for k in ordered],
                            columns=list(dict.fromkeys(cells_df["column"])), title=title, subtitle=selection,
                            highlight_rows=[display[k] for k in ordered[:2] if k in ("__riket__", own_unit)],
                            note=note)
    notes = [f"Översikt över huvudindikatorerna. Urval: {selection}.",
             "Färg efter målnivå: grön = hög målnivå uppnådd, gul = låg målnivå uppnådd, röd = målnivån ej "
             "uppnådd, grå = otillräckligt underlag, ljus = ingen målnivå (eller registren har olika mål).",
             "◐: 95 %-konfidensintervallet omfattar en målnivå – färgen kan bero på slumpen. Varje ruta bedöms "
             "på punktskattningen."]
    for ind in used:
        notes.append(f"{ind.short_sv}: {ind.name_sv}. Konfidensintervall: {xtables.interval_method(ind)}")
    if provisional_cols:
        notes.append("Preliminära värden (data kompletteras i efterhand): " + ", ".join(provisional_cols) + ".")
    for m in problems:
        notes.append(f"Kunde inte beräknas – {m}")
    combined = pd.concat(frames, ignore_index=True) if frames else None
    if combined is not None:
        supp = combined[combined["suppressed"].astype(bool)]
        if len(supp):
            notes.append("Visas som otillräckligt underlag, utan antal och värden (för få fall, eller dolt så att "
                         "det inte kan räknas fram ur riket): " + "; ".join(
                f"{k}: {_join(g['label'].astype(str).tolist(), 8)}" for k, g in supp.groupby("Indikator", sort=False)))
        notes.append("SVF-inklusionens nämnare är en uppskattning (kan överstiga 100 %); läs ledtiderna "
                     "tillsammans med inklusionen.")
    notes.append(f"Data: datauttag {ident.extract_date}, {ident.source}, dataset {ident.dataset_id}.")
    table = None
    if combined is not None:
        table = _engine_table(combined, "Enhet")
        table.insert(0, "Indikator", table.pop("Indikator"))
    return ChartItem(chart_id, title, selection, fig, table=table, indicator=None, notes=notes, indicators=used)


def _replace(sel: PackSelection, **changes) -> PackSelection:
    from dataclasses import replace

    return replace(sel, **changes)


def _engine_table(table: pd.DataFrame, label_name: str | None) -> pd.DataFrame:
    """The rows behind a chart: engine columns, with the display label first (no codes/roles)."""
    out = table.drop(columns=[c for c in ("unit_code", "role", "_value") if c in table.columns])
    if label_name and "label" in out.columns:
        out = out.rename(columns={"label": label_name})
        out.insert(0, label_name, out.pop(label_name))
    elif "label" in out.columns:
        out = out.drop(columns=["label"])
    return out.reset_index(drop=True)


def numbers_shown(item: ChartItem) -> np.ndarray:
    """Every count in the chart's table that is not suppressed (used by tests)."""
    if item.table is None:
        return np.array([])
    t = item.table[~item.table["suppressed"].astype(bool)]
    return pd.concat([t[c] for c in ("numerator", "denominator") if c in t.columns]).dropna().to_numpy()

"""Kvalitetsregister: the quality registers' own indicators.

Choose a register in the sidebar (the shared, URL-bound register filter). Without one, the page
shows every register in brief (coverage, reporting speed, how many indicators reach their target
levels). With one: its coverage and reporting speed, a table of its quality indicators (value,
interval, n, låg/hög målnivå, status, uppgift saknas) for the selection and one's own region, and
for a chosen indicator the region comparison and the trend with the target bands.

Every number comes from the engine through ui.data.compute."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from charts import figures
from ui import data, filters, layout
from ui import format as fmt

try:  # ui/downloads.py (another engineer's module); the page works without it
    from ui.downloads import chart_downloads
except ImportError:  # pragma: no cover
    chart_downloads = None


def table_downloads(table: pd.DataFrame, *, title: str, selection: str, key: str) -> None:
    """CSV and Excel of a table shown without a chart."""
    if chart_downloads is None:
        return
    try:
        chart_downloads(None, table, title=title, selection=selection, key=key)
    except Exception as exc:  # noqa: BLE001 - a failing export must not take the page down
        st.caption(f"Nedladdning är inte tillgänglig just nu ({type(exc).__name__}).")


f = filters.current()
layout.page_header(
    "Kvalitetsregister",
    "De nationella kvalitetsregistrens egna indikatorer med registrens målnivåer (gul = låg, grön = hög). "
    "Välj register i sidofältet.",
)


# -- helpers ----------------------------------------------------------------------------------
def qi_list(register: str) -> list:
    return [i for i in data.catalogue() if i.is_quality_indicator and i.register_code == register]


def one_row(indicator_id: str, *, regions: bool = True, region: str | None = None,
            where_extra: dict | None = None) -> pd.Series | None:
    """The ungrouped engine row for the selection (the chosen regions, or one region)."""
    ind = data.indicator(indicator_id)
    where = f.where(ind, regions=regions and region is None)
    if region is not None:
        where["region"] = [region]
    where.update(where_extra or {})
    if ind.is_quality_indicator:
        # all of the register's indicators come from one engine query (cached per selection)
        try:
            df = data.quality_indicator_rows(ind.register_code, f.start, f.end, where).get(indicator_id)
        except (data.DataError, data.QueryError):
            df = None
    else:
        df, _err = data.try_compute(indicator_id, start=f.start, end=f.end, where=where)
    if df is None or df.empty:
        return None
    return df.iloc[0]


def register_label(name: str) -> str:
    """Short register name: the abbreviation in parentheses, else the name without 'Nationella
    kvalitetsregistret för …' ('Hudmelanom', 'Lymfomregistret')."""
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1:-1]
    short = re.sub(r"^(Nationella kvalitetsregistret för|Nationellt kvalitetsregister för|Svenska registret för|"
                   r"Nationella|Nationellt|Svenska|Svenskt)\s+", "", name)
    short = re.sub(r"^cancer i ", "", short)
    return short[:1].upper() + short[1:]


def value_with_n(row, unit: str = "procent") -> str:
    if row is None:
        return "inga data"
    return figures.value_label(row, unit)


def status_text(row, ind) -> str:
    """Target level reached, with the Fingertips CI rule where the interval makes it uncertain."""
    if row is None:
        return "inga data"
    if bool(row["suppressed"]) or fmt.is_missing(row["value"]):
        return fmt.SUPPRESSED
    if fmt.is_missing(row["target_low"]) and fmt.is_missing(row["target_high"]):
        return fmt.NO_TARGET_LABEL
    text = fmt.target_level_text(row["target_level"])
    if data.ci_status(row, ind) == "uncertain":
        text += " (osäkert)"
    return text


def missing_text(row) -> str:
    """'12': outcomes with the item missing (uppgift saknas), as the engine counts them."""
    if row is None or bool(row["suppressed"]) or fmt.is_missing(row["missing"]):
        return fmt.MISSING if row is None or not bool(row["suppressed"]) else fmt.SUPPRESSED
    return fmt.count(int(row["missing"]))


def target_cell(value, placeholder: bool) -> str:
    if fmt.is_missing(value):
        return fmt.MISSING
    return fmt.target_pct(value) + (" ⚠" if placeholder else "")


scope = f.scope_text()
own = f.own_region
own_name = data.label("region", own) if own else None
reg_names = data.register_names()

# -- no register chosen: all registers in brief ---------------------------------------------------
if not f.register:
    st.info("Välj ett kvalitetsregister i sidofältet (”Kvalitetsregister”) för att se dess indikatorer, "
            "regionjämförelse och trend.", icon=":material/arrow_back:")
    st.subheader("Registren i korthet")
    cov, _ = data.try_compute("register_coverage", by=["register"], start=f.start, end=f.end,
                              where=f.where("register_coverage", regions=True, register=False))
    rep, _ = data.try_compute("register_reporting_90d", by=["register"], start=f.start, end=f.end,
                              where=f.where("register_reporting_90d", regions=True, register=False))
    cov = cov.set_index("register") if cov is not None else pd.DataFrame()
    rep = rep.set_index("register") if rep is not None else pd.DataFrame()
    rows = []
    cov_prov = bool(len(cov)) and bool(cov["provisional"].fillna(False).astype(bool).any())
    cov_title = "Täckningsgrad" + (" (preliminär)" if cov_prov else "")
    for code, name in reg_names.items():
        counts = {"high": 0, "low": 0, "none": 0, "supp": 0, "notarget": 0}
        qis = qi_list(code)
        for qi in qis:
            r = one_row(qi.id)
            if r is None or bool(r["suppressed"]):
                counts["supp"] += 1
            elif fmt.is_missing(r["target_level"]):
                counts["notarget"] += 1
            else:
                counts[str(r["target_level"])] += 1
        rows.append({
            "Register": register_label(name),
            cov_title: value_with_n(cov.loc[code]) if code in cov.index else "inga data",
            "Registrerade inom 90 dagar": value_with_n(rep.loc[code]) if code in rep.index else "inga data",
            "Indikatorer": len(qis),
            "Hög": counts["high"], "Låg": counts["low"], "Under": counts["none"],
            "Utan mål": counts["notarget"], "För få fall": counts["supp"],
        })
    overview = pd.DataFrame(rows)
    st.caption(f"{f.period_text} · {scope}. Täckningsgraden är andelen av Cancerregistrets tumörer som finns i "
               "registret. Hög / Låg / Under: antal av registrets indikatorer vars värde når hög målnivå, låg "
               "målnivå eller ingen av dem; Utan mål: indikatorer utan målnivå; För få fall: otillräckligt underlag."
               + (" Täckningsgraden för perioden är preliminär: anmälningar kommer in under lång tid efter "
                  "diagnosen." if cov_prov else ""))
    st.dataframe(overview, hide_index=True, width="stretch", height=35 * (len(overview) + 1) + 3)
    table_downloads(overview, title="Kvalitetsregistren i korthet", selection=f"{f.period_text} · {scope}",
                    key="kvr_oversikt")
    st.stop()

# -- one register ---------------------------------------------------------------------------------
code = f.register
st.header(reg_names.get(code, code))
qis = qi_list(code)

cov = one_row("register_coverage", where_extra={"register": [code]})
rep = one_row("register_reporting_90d", where_extra={"register": [code]})
m = st.columns(3)
m[0].metric(f"Täckningsgrad mot Cancerregistret, {scope.lower() if scope == fmt.RIKET else scope}",
            fmt.SUPPRESSED if cov is None or bool(cov["suppressed"]) else fmt.pct(cov["value"]),
            help="Andelen av tumörerna i Cancerregistret inom registrets diagnoser som finns i registret. "
                 + ("" if cov is None else figures.value_label(cov, "procent")))
m[1].metric("Registrerade inom 90 dagar",
            fmt.SUPPRESSED if rep is None or bool(rep["suppressed"]) else fmt.pct(rep["value"]),
            help="Andelen registreringar som kommit in inom 90 dagar från diagnos. "
                 + ("" if rep is None else figures.value_label(rep, "procent")))
m[2].metric("Kvalitetsindikatorer", fmt.count(len(qis)))
if cov is not None and not bool(cov["suppressed"]) and float(cov["value"]) < 90:
    if bool(cov["provisional"]):
        st.caption(f"Täckningsgraden {fmt.pct(cov['value'])} är preliminär: anmälningar till registret kommer in "
                   "under lång tid efter diagnos, så de senaste månaderna ser lägre ut än de blir.")
    else:
        st.warning(f"Täckningsgraden är {fmt.pct(cov['value'])}: registrets resultat beskriver bara en del av "
                   "patienterna och kan vara missvisande.", icon=":material/warning:")

if not qis:
    layout.no_data("Registret har inga kvalitetsindikatorer i indikatortabellen.")
    st.stop()

# -- the indicators table ------------------------------------------------------------------------
st.subheader("Kvalitetsindikatorer")
table_rows, download_rows = [], []
any_provisional = False
for qi in qis:
    r = one_row(qi.id)
    ro = one_row(qi.id, region=own) if own else None
    any_provisional |= r is not None and bool(r["provisional"])
    name = qi.name_sv + (" (lägre är bättre)" if qi.direction == "lower" else "")
    row = {"Indikator": name, scope: value_with_n(r), "95 % KI": "" if r is None else
           fmt.interval_text(r["ci_low"], r["ci_high"]).replace("95\u00a0% KI ", "")}
    if own:
        row[own_name] = value_with_n(ro)
    row.update({
        "Målnivå låg / hög": f"{target_cell(qi.target_low, False)} / {target_cell(qi.target_high, False)}"
        + (" ⚠" if qi.target_placeholder and (qi.target_low or qi.target_high) else ""),
        f"Status, {own_name if own else scope.lower() if scope == fmt.RIKET else scope}": status_text(ro if own else r, qi),
        "Uppgift saknas": missing_text(ro if own else r),
    })
    table_rows.append(row)
    for unit_label, rr in ((scope, r), (own_name, ro)):
        if rr is None or unit_label is None:
            continue
        supp = bool(rr["suppressed"])
        download_rows.append({
            "Indikator": qi.name_sv, "Enhet": unit_label,
            "Andel (%)": None if supp or fmt.is_missing(rr["value"]) else round(float(rr["value"]), 1),
            "95 % KI, låg": None if supp or fmt.is_missing(rr["ci_low"]) else round(float(rr["ci_low"]), 1),
            "95 % KI, hög": None if supp or fmt.is_missing(rr["ci_high"]) else round(float(rr["ci_high"]), 1),
            "Täljare": rr["numerator"], "Nämnare": rr["denominator"], "Uppgift saknas": rr["missing"],
            "Låg målnivå": qi.target_low, "Hög målnivå": qi.target_high,
            "Målnivåer": "platshållare" if qi.target_placeholder else "registrets",
            "Riktning": "lägre är bättre" if qi.direction == "lower" else "högre är bättre",
            "Status": status_text(rr, qi), "Preliminärt": "ja" if bool(rr["provisional"]) else "",
        })
qi_table = pd.DataFrame(table_rows)
selection_text = f"{f.period_text} · {scope}" + (f" och {own_name}" if own else "")
st.caption(f"{selection_text}. Värde med täljare av nämnare; ⚠ = målnivån är en platshållare, inte registrets "
           "fastställda nivå. ”Osäkert” betyder att 95 %-intervallet omfattar en målnivå. Uppgift saknas räknas "
           "inte som ej uppfyllt utan redovisas för sig.")
if any_provisional:
    st.caption("Värdena är preliminära: perioden slutar senare än tolv månader före uttaget och registreringar "
               "kommer in under lång tid.")
st.dataframe(qi_table, hide_index=True, width="stretch", height=35 * (len(qi_table) + 1) + 3)
table_downloads(pd.DataFrame(download_rows), title=f"Kvalitetsindikatorer, {reg_names.get(code, code)}",
                selection=selection_text, key="kvr_tabell")

# -- one indicator: region comparison and trend --------------------------------------------------
st.subheader("Indikator i detalj")
qi_ids = [q.id for q in qis]
qi_names = {q.id: q.name_sv for q in qis}
chosen = st.selectbox("Indikator", qi_ids, index=0, key="kvalitetsindikator", bind="query-params",
                      format_func=lambda i: qi_names.get(i, i))
chosen = chosen if chosen in qi_ids else qi_ids[0]
ind = data.indicator(chosen)
placeholder_note = " Målnivåerna är platshållare (ej registrets fastställda)." if ind.target_placeholder else ""

try:
    comp = data.comparison_table(chosen, f)
except (data.DataError, data.QueryError) as exc:
    comp = None
    layout.no_data(f"Regionjämförelsen kan inte visas: {exc}")
if comp is not None and not comp.empty:
    title = ind.name_sv
    n_units = int((comp["role"] != "riket").sum())
    geography = ("riket" if f.level == "riket" else f"{n_units} {fmt.LEVEL_PLURAL[f.level]} och riket")
    selection = f.selection_text(ind, geography=geography)
    fig = figures.bar_comparison(
        comp, title=title, subtitle=selection, unit=ind.unit, target_low=ind.target_low,
        target_high=ind.target_high, direction=ind.direction,
        own_label=f"Egen region ({own_name})" if own else None,
        note=("⚠ Målnivåerna är platshållare." if ind.target_placeholder else None),
    )
    layout.chart(fig, layout.result_table(comp, label_title="Enhet", unit=ind.unit, extra={"missing": "Uppgift saknas"}),
                 title=title, selection=selection, key="kvr_jamforelse", indicator=ind)
    riket_row = comp[comp["role"] == "riket"]
    miss = "" if riket_row.empty else missing_text(riket_row.iloc[0])
    st.caption("Staplarna är sorterade med bäst värde överst; strecken är 95 %-konfidensintervall. "
               + (f"Uppgift saknas i riket: {miss}." if miss and miss not in (fmt.MISSING, fmt.SUPPRESSED) else "")
               + placeholder_note)

try:
    trend, x_order = data.trend_table(chosen, f)
except (data.DataError, data.QueryError) as exc:
    trend = None
    layout.no_data(f"Trenden kan inte visas: {exc}")
if trend is not None and not trend.empty:
    title = f"{ind.name_sv} över tid"
    series = trend["series"].drop_duplicates().tolist()
    selection = f.selection_text(ind, period=f.trend_period(), geography=fmt.join_names(series),
                                 extra=[fmt.GRAIN_LABELS[f.grain].lower() + "svis"])
    fig = figures.trend_lines(trend, x_order=x_order, title=title, subtitle=selection, unit=ind.unit,
                              target_low=ind.target_low, target_high=ind.target_high, direction=ind.direction,
                              x_title=fmt.GRAIN_LABELS[f.grain])
    tt = trend.assign(label=trend["series"] + " " + trend["x"].astype(str))
    layout.chart(fig, layout.result_table(tt, label_title="Enhet och period", unit=ind.unit), title=title,
                 selection=selection, key="kvr_trend", indicator=ind)
    st.caption("Öppna punkter och prickad linje = preliminära värden (registreringar kommer in under lång tid). "
               "Perioder med för få fall lämnar ett glapp." + placeholder_note)

layout.indicator_info(ind)

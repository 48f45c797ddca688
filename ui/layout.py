"""Page building blocks: header, data-status line, the error page, a view drawn with its table and
downloads, key-figure cards, indicator descriptions and Swedish tables.

Pages call these so that every page looks and behaves the same: a view is drawn with the shared
plotly template and `theme=None` (screen = export), its table is one click away, and its downloads
sit under it.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import textfmt as fmt
from charts import render as chart_render
from charts import theme
from charts.grid import frames as grid_frames
from export import tables as xtables
from views.model import HIDDEN_SECONDARY
from textfmt.safe import md
from views.status import level_key

from . import data
from .downloads import view_downloads


def page_header(title: str, intro: str | None = None) -> None:
    """The page title and a one-line introduction."""
    st.title(title)
    if intro:
        st.caption(intro)


def show(view, *, key: str | None = None, chosen_days: int | None = None, on_select=None, table: bool = True):
    if view.kind in ("scorecard", "heat") and on_select is None and not view.error:
        grid(view, key=key or fmt.slug(view.id, 40))
        return None
    """Draw a view: its chart (or its table for kinds without one), a caption for rows hidden to
    protect a small group, the table behind it in an expander, and the downloads.
    Returns what st.plotly_chart returns (the selection state when `on_select` is given)."""
    key = key or fmt.slug(view.id, 40)
    if view.error:
        no_data(f"{md(view.title)}: kan inte visas – {md(view.error)}")
        return None
    if view.table is None or view.table.empty:
        no_data(f"{md(view.title)}: inga resultat för urvalet.")
        return None
    ds = data.dataset()
    ctx = data.context()
    fig = chart_render.figure(view, chosen_days=chosen_days)
    event = None
    if fig is not None:
        kwargs = {"on_select": on_select, "selection_mode": ("points",)} if on_select is not None else {}
        event = st.plotly_chart(fig, theme=None, key=key, width="stretch",
                                config=chart_render.plotly_config(fmt.slug(view.title)), **kwargs)
    frame = xtables.frame(view, ds.catalogue())
    if fig is None:
        st.markdown(f"**{md(view.title)}**")
        st.caption(md(view.selection))
        show_table(frame, key=f"{key}_t", expanded=True)
    hidden_note(view)
    if fig is not None and table:
        show_table(frame, key=f"{key}_t")
    view_downloads(view, ctx.identity, ds.catalogue(), key=key, chosen_days=chosen_days, figure=fig is not None)
    return event


def hidden_note(view) -> None:
    """Say which units are hidden to protect a small group beside them (complementary suppression)."""
    t = view.table
    if t is None or t.empty or "hidden" not in t.columns:
        return
    names = list(dict.fromkeys(t.loc[t["hidden"] == HIDDEN_SECONDARY, "label"].astype(str)))
    if names:
        st.caption(f"{md(fmt.join_names(names, 6))}: {fmt.SUPPRESSED_SECONDARY} – annars kunde en grupp med för få fall "
                   "räknas fram ur de andra siffrorna.")


def kpi_cards(view, *, extra: dict | None = None) -> None:
    """Key figures as cards: one per row of a kpi view (indicator × unit), value with n and a
    preliminary mark."""
    if view.error or view.table is None or view.table.empty:
        no_data(f"Nyckeltalen kan inte visas: {view.error or 'inga resultat'}")
        return
    cat = data.dataset().catalogue()
    rows = view.table.to_dict("records")
    # cards of a fixed width that wrap onto the next line on a narrow screen, never truncated
    with st.container(horizontal=True, wrap=True, gap="small"):
        for r in rows:
            ind = cat.get(r["indicator"])
            missing = fmt.missing_text(r)
            value = "–" if missing else fmt.value_text(r["value"], ind.unit)
            prov = " · preliminärt" if bool(r.get("provisional")) and not missing else ""
            level = level_key(r)
            status = "" if missing or level == "no_target" else \
                f"{theme.LEVEL_SYMBOLS[level]} {theme.LEVEL_NAMES[level].lower()}"
            with st.container(border=True, width=205):
                st.metric(md(f"{r['indicator_label']} · {r['label']}"), value)
                if missing:
                    st.caption(fmt.capitalize(missing) + ("" if missing == fmt.NO_CASES else
                                                          f" (färre än {ind.min_n} fall eller dolt för att skydda "
                                                          "en liten grupp)"))
                else:
                    n = (f"n = {fmt.count(r['denominator'])}" if ind.kind == "median"
                         else fmt.n_text(r["numerator"], r["denominator"]))
                    ci = fmt.interval_text(r.get("ci_low"), r.get("ci_high"), ind.unit)
                    st.caption(" · ".join(x for x in (status, n, ci) if x) + prov)
        for label, (value, caption) in (extra or {}).items():
            with st.container(border=True, width=205):
                st.metric(md(label), value)
                st.caption(md(caption))


def indicator_info(ind, *, expanded: bool = False) -> None:
    """rccShiny's three description texts plus the target and its source, in an expander."""
    with st.expander(f"Om indikatorn: {md(ind.name_sv)}", expanded=expanded, icon=":material/info:"):
        texts = ind.texts or {}
        if texts.get("om"):
            st.markdown(f"**Om indikatorn.** {md(texts['om'])}")
        if texts.get("tolkning"):
            st.markdown(f"**Att tänka på vid tolkning.** {md(texts['tolkning'])}")
        if texts.get("teknisk"):
            st.markdown(f"**Teknisk beskrivning.** {md(texts['teknisk'])}")
        target = fmt.targets_text(ind.target_low, ind.target_high, ind.direction)
        if target:
            st.markdown(f"**Målnivå.** {target[0].upper() + target[1:]}. {md(ind.target_source)}")


def no_data(message: str) -> None:
    """A calm notice where a chart would be (no data for the selection, or a data problem)."""
    st.info(message, icon=":material/info:")


def swedish_table(table: pd.DataFrame, decimals: int | dict[str, int] = 1) -> tuple[pd.DataFrame, dict]:
    """`table` for st.dataframe with Swedish numbers: every number as text ('72,4', '1 234'; whole
    numbers without decimals), also in columns that mix numbers and words ('otillräckligt
    underlag') and nullable integer columns, right-aligned; '' for a missing cell. Returns (table,
    column_config). The browser's number formatting (a decimal point) is never used."""
    import numbers

    def is_number(v) -> bool:
        return isinstance(v, numbers.Number) and not isinstance(v, bool) and not fmt.is_missing(v)

    out = table.copy()
    cfg = {}
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_bool_dtype(series):
            continue
        values = list(series)
        numbers_in = [v for v in values if is_number(v)]
        if not numbers_in:
            continue
        whole = all(float(v).is_integer() for v in numbers_in)
        d = decimals.get(col, 1) if isinstance(decimals, dict) else decimals
        out[col] = [fmt.number(v, 0 if whole else d) if is_number(v) else ("" if fmt.is_missing(v) else v)
                    for v in values]
        out[col] = out[col].astype(object)
        cfg[col] = st.column_config.TextColumn(col, alignment="right")
    return out, cfg


def show_table(table: pd.DataFrame, *, key: str | None = None, height: int | str = "auto",
               decimals: int | dict[str, int] = 1, expanded: bool = False) -> None:
    """A result table with Swedish number formats (decimal comma, space between thousands) in an
    expander under a chart."""
    if expanded:
        shown, cfg = swedish_table(table, decimals)
        st.dataframe(shown, hide_index=True, width="stretch", column_config=cfg, key=key, height=height)
        return
    with st.expander("Visa tabell", icon=":material/table:"):
        shown, cfg = swedish_table(table, decimals)
        st.dataframe(shown, hide_index=True, width="stretch", column_config=cfg, key=key, height=height)


# -- frame: data status and the data error page --------------------------------------------------

def data_status(source: data.DataSource) -> None:
    """One line at the top of every page: which data set, its extract date, its validation status."""
    ds = data.dataset()
    level, summary, report = data.validation_status()
    icon = {"ok": "✅", "warning": "⚠️", "error": "⛔"}[level]
    origin = {"snapshot": "Snapshot", "argument": "Data", "environment": "Data", "sample": "Exempeldata"}[source.origin]
    name = source.path.name if source.origin != "sample" else "syntetiska data"
    cols = st.columns([4, 1.6], vertical_alignment="center")
    cols[0].caption(f"{origin}: **{md(name)}** · uttaget {fmt.date_text(ds.extract_date)} · {icon} {summary}")
    with cols[1].popover("Datastatus", icon=":material/fact_check:", width="stretch"):
        st.markdown(f"**Källa:** {md(source.description)}")
        st.markdown(f"**Uttagsdatum:** {fmt.date_text(ds.extract_date)}")
        st.markdown(f"**Kontroll:** {icon} {summary}")
        if len(report):
            show = report.assign(table=[fmt.table_label(t) for t in report["table"]],
                                 reason=[fmt.plain_reason(r) for r in report["reason"]])
            show = show.rename(columns={"table": "Tabell", "reason": "Anmärkning", "rows": "Rader"})
            shown, cfg = swedish_table(show[[c for c in ("Tabell", "Rader", "Anmärkning") if c in show]])
            st.dataframe(shown, hide_index=True, width="stretch", column_config=cfg)
        try:
            imported = ds.import_report()
        except data.DataError as exc:
            st.caption(md(str(exc)))
            imported = None
        if imported is not None and len(imported):
            st.markdown(f"**Importrapport** (rader i källfilerna som inte blev data, {fmt.count(imported['rows'].sum())} "
                        "totalt):")
            shown, cfg = swedish_table(imported.rename(columns={"source": "Källfil", "reason": "Skäl",
                                                                "rows": "Rader"}))
            st.dataframe(shown, hide_index=True, width="stretch", column_config=cfg)
        summary_table = ds.table_summary()
        if len(summary_table):
            tab = summary_table.assign(table=[fmt.table_label(t) for t in summary_table["table"]],
                                       first_date=[_date_cell(d) for d in summary_table["first_date"]],
                                       last_date=[_date_cell(d) for d in summary_table["last_date"]],
                                       error=[e if isinstance(e, str) and e else "" for e in summary_table["error"]])
            tab = tab.rename(columns={"table": "Tabell", "rows_read": "Lästa rader",
                                      "rows_valid": "Godkända rader", "first_date": "Första datum",
                                      "last_date": "Sista datum", "error": "Fel"})
            shown, cfg = swedish_table(tab[["Tabell", "Lästa rader", "Godkända rader", "Första datum",
                                            "Sista datum", "Fel"]])
            st.dataframe(shown, hide_index=True, width="stretch", column_config=cfg)


def _date_cell(value) -> str:
    """A date in a status table: '2025-12-31' ('' when the table has no dates)."""
    if fmt.is_missing(value):
        return ""
    try:
        return pd.Timestamp(value).date().isoformat()
    except (TypeError, ValueError):
        return str(value)


def data_error_page(error: Exception, source: data.DataSource | None = None) -> None:
    """The page shown instead of the dashboard when the data cannot be loaded (never a traceback)."""
    st.title("Data kunde inte läsas in")
    where = f" från {md(source.description)}" if source else ""
    st.error(f"Indikatorpanelen kunde inte läsa in data{where}.", icon=":material/error:")
    messages = [m.strip() for m in re.split(r";\s*|\n", str(error)) if m.strip()]
    st.markdown("**Meddelanden:**")
    st.markdown("\n".join(f"- {md(m)}" for m in messages) or "- (inget meddelande)")
    st.markdown(
        "**Vad kan man göra?** Kontrollera att katalogen innehåller ett fullständigt uttag med "
        "`manifest.json` (se datakontraktet). Ange en annan katalog med `streamlit run app.py -- --data KATALOG` "
        "eller miljövariabeln `INDIKATORPANELEN_DATA`; med `INDIKATORPANELEN_STORE` visas det aktuella "
        "snapshotet i lagret (läs in ett med `python -m indicators ingest KÄLLA --store LAGER`)."
    )


def grid(view, *, key: str, on_select: str | None = None):
    """The overview grid (or the coverage table) as a coloured table that reads at any width (it
    scrolls sideways on a narrow screen): one row per unit, one column per indicator (register),
    each cell with its status symbol, value and n. The same view's plotly grid goes into the PNG/SVG
    downloads and the pack. Returns the table's selection state (a clicked cell) when `on_select`."""
    if view.error or view.table is None or view.table.empty:
        no_data(f"{md(view.title)}: inga resultat för urvalet.")
        return None
    frame, colours = grid_frames(view)
    rows, columns = list(frame.index), list(frame.columns)
    st.markdown(f"**{md(view.title)}**")
    st.caption(md(view.selection))
    kwargs = {"on_select": on_select, "selection_mode": "single-cell"} if on_select else {}
    event = st.dataframe(frame.style.apply(lambda _: colours, axis=None), key=key, width="stretch",
                         height=36 * (len(rows) + 1) + 3, **kwargs)
    hidden_note(view)
    ctx = data.context()
    view_downloads(view, ctx.identity, data.dataset().catalogue(), key=key)
    return event, rows, columns


def bound_tabs(names: list[str]):
    """Tabs bound to the URL (?flik=…), so a link opens the right one; an unknown value in a link
    gets a notice. Only the open tab's content should be drawn (`tab.open`)."""
    bad = [v for v in st.query_params.get_all("flik") if v not in names]
    if bad:
        st.warning(f"Okänt värde i länken ignorerades: flik = ”{md(bad[0][:40])}”.", icon=":material/link_off:")
    return st.tabs(names, key="flik", bind="query-params", on_change="rerun")

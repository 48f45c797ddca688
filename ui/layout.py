"""Page building blocks: header, data-status line, the error page, chart blocks with their
downloads, indicator descriptions and tidy result tables.

Pages call these so that every page looks and behaves the same: a chart is drawn with the shared
plotly template and `theme=None` (screen = export), and under every chart come the download
buttons of ui.downloads (when that module exists).
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from charts import theme

from . import data
from . import format as fmt

try:  # written by another engineer; the app works without it
    from ui.downloads import chart_downloads as _chart_downloads
except ImportError:  # pragma: no cover - depends on the tree
    _chart_downloads = None


def page_file(name: str):
    """The path of a page file by its file name ('2_SVF_inklusion.py'), in app_pages/ or pages/;
    None when it does not exist (another engineer's page not written yet)."""
    if not name:
        return None
    root = data.ROOT
    for folder in ("app_pages",):
        path = root / folder / name
        if path.is_file():
            return path
    return None


def page_header(title: str, intro: str | None = None) -> None:
    """The page title and a one-line introduction."""
    st.title(title)
    if intro:
        st.caption(intro)


def slug(text: str) -> str:
    """A file-name/key friendly version of a title: 'Andel inom ledtid – Bröst' → 'andel_inom_ledtid_brost'."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "A", "Ä": "A", "Ö": "O", "é": "e"})
    s = re.sub(r"[^a-z0-9]+", "_", text.translate(table).lower()).strip("_")
    return s[:60] or "diagram"


def chart(fig: go.Figure, table: pd.DataFrame | None = None, *, title: str, selection: str, key: str,
          indicator=None, on_select=None) -> object:
    """Draw a figure (shared template, theme=None) and the download buttons under it.

    `title` and `selection` are the chart's title and the selection line (already in the figure);
    they also name the exported files. `table` is the data behind the chart for CSV/Excel.
    Returns what st.plotly_chart returns (the selection state when `on_select` is given).
    """
    theme.apply(fig)
    kwargs = {}
    if on_select is not None:
        kwargs = {"on_select": on_select, "selection_mode": ("points",)}
    event = st.plotly_chart(fig, theme=None, key=key, width="stretch", config=theme.plotly_config(slug(title)),
                            **kwargs)
    if _chart_downloads is not None:
        try:
            _chart_downloads(fig, table if table is not None else pd.DataFrame(), title=title, selection=selection,
                             key=f"dl_{key}", indicator=indicator)
        except Exception as exc:  # noqa: BLE001 - a failing export must not take the page down
            st.caption(f"Nedladdning är inte tillgänglig just nu ({type(exc).__name__}).")
    return event


def indicator_info(ind, *, expanded: bool = False) -> None:
    """rccShiny's three description texts plus the target and its source, in an expander."""
    with st.expander(f"Om indikatorn: {ind.name_sv}", expanded=expanded, icon=":material/info:"):
        texts = ind.texts or {}
        if texts.get("om"):
            st.markdown(f"**Om indikatorn.** {texts['om']}")
        if texts.get("tolkning"):
            st.markdown(f"**Att tänka på vid tolkning.** {texts['tolkning']}")
        if texts.get("teknisk"):
            st.markdown(f"**Teknisk beskrivning.** {texts['teknisk']}")
        target = fmt.targets_text(ind.target_low, ind.target_high, ind.direction)
        if target:
            st.markdown(f"**Målnivå.** {target[0].upper() + target[1:]}. {ind.target_source}")


def no_data(message: str) -> None:
    """A calm notice where a chart would be (no data for the selection, or a data problem)."""
    st.info(message, icon=":material/info:")


def result_table(df: pd.DataFrame, *, label_col: str = "label", label_title: str = "Enhet",
                 unit: str = "procent", extra: dict[str, str] | None = None) -> pd.DataFrame:
    """The data behind a chart as a tidy Swedish table (for display and download).

    Columns: <label_title>, Värde, 95 % KI låg/hög, Täljare, Nämnare, Målnivå uppnådd, Preliminärt,
    plus `extra` columns (source column → Swedish title). Suppressed rows keep NA values and say
    "otillräckligt underlag" in the status column.
    """
    value_title = {"procent": "Andel (%)", "dagar": "Dagar", "per 100 000": "Per 100 000"}.get(unit, "Värde")
    out = pd.DataFrame({label_title: df[label_col].astype(str).to_numpy()})
    out[value_title] = pd.to_numeric(df["value"], errors="coerce").round(1).to_numpy()
    if "ci_low" in df:
        out["95 % KI, låg"] = pd.to_numeric(df["ci_low"], errors="coerce").round(1).to_numpy()
        out["95 % KI, hög"] = pd.to_numeric(df["ci_high"], errors="coerce").round(1).to_numpy()
    if "numerator" in df and df["numerator"].notna().any():
        out["Täljare"] = df["numerator"].astype("Int64").to_numpy()
    if "denominator" in df:
        out["Nämnare" if unit != "dagar" else "Antal"] = (
            pd.to_numeric(df["denominator"], errors="coerce").round(1).to_numpy())
    for src, title in (extra or {}).items():
        if src in df:
            out[title] = df[src].to_numpy()
    status = []
    for _, r in df.iterrows():
        if bool(r.get("suppressed", False)):
            status.append(fmt.SUPPRESSED)
        else:
            status.append(fmt.target_level_text(r.get("target_level")))
    out["Målnivå"] = status
    if "provisional" in df:
        out["Preliminärt"] = ["ja" if bool(p) else "" for p in df["provisional"].fillna(False)]
    return out


def swedish_table(table: pd.DataFrame, decimals: int | dict[str, int] = 1) -> tuple[pd.DataFrame, dict]:
    """`table` for st.dataframe with Swedish numbers: numeric columns as text ('72,4', '1 234',
    '–' when missing; whole-number columns without decimals), right-aligned. Returns (table,
    column_config). The browser's number formatting (a decimal point) is never used."""
    out = table.copy()
    cfg = {}
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        values = pd.to_numeric(series, errors="coerce")
        known = values.dropna()
        whole = pd.api.types.is_integer_dtype(series) or bool(len(known) and (known == known.round()).all())
        d = decimals.get(col, 1) if isinstance(decimals, dict) else decimals
        out[col] = [fmt.number(v, 0 if whole else d) for v in values]
        cfg[col] = st.column_config.TextColumn(col, alignment="right")
    return out, cfg


def show_table(table: pd.DataFrame, *, key: str | None = None, height: int | str = "auto",
               decimals: int | dict[str, int] = 1, expanded: bool = False) -> None:
    """A result table with Swedish number formats (decimal comma, space between thousands) in an
    expander under a chart."""
    with st.expander("Visa tabell", icon=":material/table:", expanded=expanded):
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
    cols = st.columns([6, 1.4], vertical_alignment="center")
    cols[0].caption(f"{origin}: **{name}** · uttaget {fmt.date_text(ds.extract_date)} · {icon} {summary}")
    with cols[1].popover("Datastatus", icon=":material/fact_check:", width="stretch"):
        st.markdown(f"**Källa:** {source.description}")
        st.markdown(f"**Uttagsdatum:** {fmt.date_text(ds.extract_date)}")
        st.markdown(f"**Kontroll:** {icon} {summary}")
        if len(report):
            show = report.assign(table=[fmt.table_label(t) for t in report["table"]])
            show = show.rename(columns={"table": "Tabell", "reason": "Anmärkning", "rows": "Rader"})
            shown, cfg = swedish_table(show[[c for c in ("Tabell", "Rader", "Anmärkning") if c in show]])
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
    where = f" från {source.description}" if source else ""
    st.error(f"Indikatorpanelen kunde inte läsa in data{where}.", icon=":material/error:")
    messages = [m.strip() for m in re.split(r";\s*|\n", str(error)) if m.strip()]
    st.markdown("**Meddelanden:**")
    st.markdown("\n".join(f"- {m}" for m in messages) or "- (inget meddelande)")
    st.markdown(
        "**Vad kan man göra?** Kontrollera att katalogen innehåller ett fullständigt uttag med "
        "`manifest.json` (se datakontraktet). Ange en annan katalog med `streamlit run app.py -- --data KATALOG` "
        "eller miljövariabeln `INDIKATORPANELEN_DATA`; med `INDIKATORPANELEN_STORE` visas det aktuella "
        "snapshotet i lagret (läs in ett med `python -m indicators ingest KÄLLA --store LAGER`)."
    )


def table_downloads(table: pd.DataFrame, *, title: str, selection: str, key: str) -> None:
    """CSV and Excel of a table shown without a chart (never takes the page down)."""
    try:
        from ui.downloads import chart_downloads
    except ImportError:
        return
    try:
        chart_downloads(None, table, title=title, selection=selection, key=key)
    except Exception as exc:  # noqa: BLE001 - a failing export must not take the page down
        st.caption(f"Nedladdning är inte tillgänglig just nu ({type(exc).__name__}).")


def short_date(d) -> str:
    """'31 dec 2025'; '' when missing."""
    if d is None or pd.isna(d):
        return ""
    d = pd.Timestamp(d).date()
    return f"{d.day} {fmt.MONTHS_SV[d.month - 1]} {d.year}"


def extract_tables(summary: pd.DataFrame) -> pd.DataFrame:
    """The extract set's tables for display: Swedish name, source, rows read and accepted, date
    range and error (from `Dataset.table_summary()`)."""
    return pd.DataFrame({
        "Tabell": [fmt.table_label(t) for t in summary["table"]],
        "Källa": ["medföljer Indikatorpanelen" if b else ("saknas" if not s else s.rsplit("/", 1)[-1])
                  for b, s in zip(summary["bundled"], summary["source"], strict=True)],
        "Lästa rader": [fmt.count(v) for v in summary["rows_read"]],
        "Godkända rader": [fmt.count(v) for v in summary["rows_valid"]],
        "Första datum": [short_date(d) for d in summary["first_date"]],
        "Sista datum": [short_date(d) for d in summary["last_date"]],
        "Fel": summary["error"].fillna("").astype(str).to_numpy(),
    })

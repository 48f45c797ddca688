"""Download buttons under every chart and table: PNG and SVG of the chart (stamped with title,
selection, extract date and source; rendered on the server by kaleido), and the numbers behind it
as CSV and Excel (Swedish columns, selection and extract date in the file, suppressed groups as
'otillräckligt underlag').

Usage, in a page::

    from ui.downloads import chart_downloads
    st.plotly_chart(fig, theme=None, config=export.images.plotly_config("inom_ledtid"))
    chart_downloads(fig, result, title="Andel behandlade inom ledtid", selection=selection_text,
                    key="ledtid_region", indicator=ind)

The files are generated only when a button is clicked (callable `data`, Streamlit >= 1.52), and a
click does not rerun the page (`on_click="ignore"`). The callables run outside the script thread,
so they capture everything they need here and call no Streamlit commands.
"""

from __future__ import annotations

import inspect
import os
import re
import unicodedata
from pathlib import Path

import pandas as pd
import streamlit as st

from export import DatasetIdentity, dataset_identity
from export import images as ximages
from export import tables as xtables

MIME_PNG = "image/png"
MIME_SVG = "image/svg+xml"
MIME_CSV = "text/csv"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def slug(text: str, max_len: int = 60) -> str:
    """'Andel behandlade inom ledtid – Bröst' → 'andel_behandlade_inom_ledtid_brost'."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return (text[:max_len].rstrip("_")) or "indikatorpanelen"


# -- which data set is on screen ---------------------------------------------------------------------

def _current_dataset():
    """The Dataset the app shows: D1's ui.data accessor when there is one, else the env/default dir."""
    try:
        from ui import data as uidata  # D1's module
    except Exception:  # noqa: BLE001
        uidata = None
    if uidata is not None:
        for name in ("dataset", "get_dataset", "current_dataset"):
            fn = getattr(uidata, name, None)
            if callable(fn):
                try:
                    required = [p for p in inspect.signature(fn).parameters.values()
                                if p.default is inspect.Parameter.empty
                                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
                except (TypeError, ValueError):
                    required = []
                if not required:
                    ds = fn()
                    if ds is not None and hasattr(ds, "extract_date"):
                        return ds
    return _fallback_dataset(os.environ.get("INDIKATORPANELEN_DATA", "data/sample"))


@st.cache_resource(show_spinner=False)
def _fallback_dataset(directory: str):
    from indicators import open_data

    return open_data(Path(directory))


@st.cache_resource(show_spinner=False, max_entries=8)
def _identity_for(directory: str, extract_date: str, loaded: int, _ds) -> DatasetIdentity:
    """Keyed by the Dataset object too (`loaded` = its id), so a reloaded set gets a fresh id."""
    return dataset_identity(_ds)


def current_identity() -> DatasetIdentity:
    """Extract date, source, dataset id and code→name maps of the data set on screen (cached)."""
    try:
        ds = _current_dataset()
        return _identity_for(str(ds.directory), str(ds.extract_date), id(ds), ds)
    except Exception:  # noqa: BLE001 - a download must never break the page
        return DatasetIdentity(extract_date=None, source="", dataset_id="")


def export_context(title: str, selection: str, indicator=None,
                   identity: DatasetIdentity | None = None) -> xtables.ExportContext:
    ident = identity or current_identity()
    return xtables.ExportContext(
        title=title, selection=selection, extract_date=ident.extract_date, source=ident.source,
        dataset_id=ident.dataset_id, indicator=indicator, region_names=ident.region_names,
        pathway_names=ident.pathway_names, register_names=ident.register_names)


# -- the buttons -------------------------------------------------------------------------------------

def chart_downloads(fig, table, *, title, selection, key, indicator=None) -> None:
    """PNG, SVG, CSV and Excel download buttons in one row (PNG/SVG only when `fig` is given,
    CSV/Excel only when `table` is a DataFrame). Nothing is generated until a button is clicked."""
    if fig is not None:
        ximages.start_renderer()  # once per process, in the background: the first click is warm
    ident = current_identity()
    ctx = export_context(title, selection, indicator, ident)
    base = slug(title)
    if ident.extract_date:
        base = f"{base}_{ident.extract_date}"
    source = ident.source
    extra = ident.footnote_extra

    row = st.container(horizontal=True, gap="small", key=f"dl_{key}")
    with row:
        if fig is not None:
            fig_copy = fig.__class__(fig)  # later changes to the screen figure don't leak in

            def png(f=fig_copy):
                return ximages.stamped_png(f, title, selection, ident.extract_date, source, footnote_extra=extra)

            def svg(f=fig_copy):
                return ximages.stamped_svg(f, title, selection, ident.extract_date, source, footnote_extra=extra)

            st.download_button("PNG", png, file_name=f"{base}.png", mime=MIME_PNG, key=f"{key}_png",
                               on_click="ignore", icon=":material/image:",
                               help="Bild för presentation (16:9, 3200 × 1800) med titel, urval och datauttag")
            st.download_button("SVG", svg, file_name=f"{base}.svg", mime=MIME_SVG, key=f"{key}_svg",
                               on_click="ignore", icon=":material/image:",
                               help="Vektorbild (skalbar) med titel, urval och datauttag")
        if isinstance(table, pd.DataFrame) and len(table) and len(table.columns):
            frame = table.copy()

            def csv(t=frame):
                return xtables.to_csv_bytes(t, ctx)

            def xlsx(t=frame):
                return xtables.to_excel_bytes(t, ctx)

            st.download_button("CSV", csv, file_name=f"{base}.csv", mime=MIME_CSV, key=f"{key}_csv",
                               on_click="ignore", icon=":material/table:",
                               help="Siffrorna bakom, semikolonseparerade (öppnas i Excel), med urval och datauttag")
            st.download_button("Excel", xlsx, file_name=f"{base}.xlsx", mime=MIME_XLSX, key=f"{key}_xlsx",
                               on_click="ignore", icon=":material/table_view:",
                               help="Siffrorna bakom som Excel, med urvalet överst och fliken 'Om urvalet'")

"""Indikatorpanelen: the frame. Page config, login gate, which data set, the shared URL-bound
filters in the sidebar, the data-status line, and st.navigation over the files in app_pages/.

Run: `streamlit run app.py` (sample data), `streamlit run app.py -- --data DIR`, or with the
environment variables INDIKATORPANELEN_DATA=DIR / INDIKATORPANELEN_STORE=STORE (see ui/data.py).
Pages only compose views: they read the selection with ui.filters.current() and draw
ui.data.view(id).

Without any extract (no data directory, or one without extract tables) only the published
figures and the descriptions of the indicators are shown (ui.navigation.WITHOUT_EXTRACT), with a
filter of their own (the year) and a line saying why.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # pages import ui/, views/, charts/ and indicators/ from the repo root
    sys.path.insert(0, str(ROOT))

from indicators import DataError  # noqa: E402
from ui import auth, data, filters, layout  # noqa: E402
from textfmt.safe import md  # noqa: E402
from ui.navigation import PAGES, WITHOUT_EXTRACT  # noqa: E402

st.set_page_config(page_title="Indikatorpanelen", page_icon=":material/monitoring:", layout="wide",
                   initial_sidebar_state="expanded")
auth.gate()


def _navigation(without_extract: bool = False):
    sections: dict[str, list] = {}
    default = WITHOUT_EXTRACT[0] if without_extract else "oversikt"
    for spec in PAGES:
        if without_extract and spec.url_path not in WITHOUT_EXTRACT:
            continue
        page = st.Page(str(spec.path), title=spec.title, icon=spec.icon, url_path=spec.url_path,
                       default=(spec.url_path == default), help=spec.help)
        sections.setdefault(spec.section, []).append(page)
    return st.navigation(sections, position="sidebar")


error, without_extract = None, None
try:
    source = data.resolve_source()
    data.activate(source)
    data.dataset()
    without_extract = data.no_extract_reason()
except DataError as exc:
    error = exc

page = _navigation(without_extract is not None)
if error is not None:
    layout.data_error_page(error, locals().get("source"))
    st.stop()

if without_extract is not None:
    try:
        filters.published_sidebar()
    except DataError as exc:  # a bundled reference table is unusable
        layout.data_error_page(exc, source)
        st.stop()
    st.caption(f"Inget uttag: {md(without_extract)} · Bara publicerad statistik visas "
               f"({md(data.published_attribution())}) och beskrivningen av indikatorerna.")
    filters.show_notices()
    page.run()
    st.stop()

spec = next((p for p in PAGES if p.url_path == page.url_path), PAGES[0])
try:
    filters.sidebar(uses_svf=spec.uses_svf, uses_register=spec.uses_register, uses_grain=spec.uses_grain)
except DataError as exc:  # a reference table needed by the filters is unusable
    layout.data_error_page(exc, source)
    st.stop()
layout.data_status(source)
filters.show_notices()
page.run()

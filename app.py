"""Indikatorpanelen: the frame. Page config, login gate, which data set, the shared URL-bound
filters in the sidebar, the data-status line, and st.navigation over the files in app_pages/.

Run: `streamlit run app.py` (sample data), `streamlit run app.py -- --data DIR`, or with the
environment variables INDIKATORPANELEN_DATA=DIR / INDIKATORPANELEN_STORE=STORE (see ui/data.py).
Pages are UI only; they read the filters with ui.filters.current() and numbers with ui.data.compute().
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # pages import ui/, charts/ and indicators/ from the repo root
    sys.path.insert(0, str(ROOT))

st.set_page_config(page_title="Indikatorpanelen", page_icon=":material/monitoring:", layout="wide",
                   initial_sidebar_state="expanded")

try:  # ui/auth.py is written by another engineer; without it there is no login
    from ui.auth import gate as _gate
except ImportError:
    _gate = None
if _gate is not None:
    _gate()

from indicators import DataError  # noqa: E402
from ui import data, filters, layout  # noqa: E402

# The page files live in app_pages/, not pages/: a folder named pages/ triggers Streamlit's old
# auto-discovery on a process's first run, and a shared deep link then shows "Page not found"
# (README, "Sidnavigering").
PAGE_DIR = "app_pages"

# (file, title, icon, url_path, section, uses pathway filter, uses register filter)
PAGES = [
    ("1_Oversikt.py", "Översikt", ":material/dashboard:", "oversikt", "", True, True),
    ("2_SVF_inklusion.py", "SVF – inklusion", ":material/group_add:", "svf_inklusion", "SVF", True, False),
    ("3_SVF_ledtider.py", "SVF – ledtider", ":material/timer:", "svf_ledtider", "SVF", True, False),
    ("4_Kvalitetsregister.py", "Kvalitetsregister", ":material/fact_check:", "kvalitetsregister",
     "Register och läkemedel", False, True),
    ("5_Tackningsgrad.py", "Täckningsgrad", ":material/donut_large:", "tackningsgrad",
     "Register och läkemedel", True, True),
    ("6_Regionjamforelse.py", "Regionjämförelse", ":material/compare_arrows:", "regionjamforelse",
     "Jämförelse och underlag", True, True),
    ("7_Om_indikatorerna.py", "Om indikatorerna", ":material/menu_book:", "om_indikatorerna",
     "Jämförelse och underlag", False, False),
    ("8_Motespaket.py", "Mötespaket", ":material/slideshow:", "motespaket",
     "Jämförelse och underlag", True, True),
]
HELP = {
    "oversikt": "Regioner × huvudindikatorer för perioden, färgade efter målnivå.",
    "svf_inklusion": "Andel nya cancerfall som utreds inom SVF, mot målet 70 %.",
    "svf_ledtider": "Andel behandlade inom ledtiden (mål 80 %), median och långa väntetider.",
}


def _navigation():
    sections: dict[str, list] = {}
    uses: dict[str, tuple[bool, bool]] = {}
    for file, title, icon, url_path, section, svf, reg in PAGES:
        path = ROOT / PAGE_DIR / Path(file).name
        if not path.exists():
            continue
        page = st.Page(str(path), title=title, icon=icon, url_path=url_path,
                       default=(url_path == "oversikt"), help=HELP.get(url_path))
        sections.setdefault(section, []).append(page)
        uses[url_path] = (svf, reg)
    return st.navigation(sections, position="sidebar"), uses


page, uses = _navigation()

try:
    source = data.resolve_source()
    data.activate(source)
    data.dataset()
except DataError as exc:
    layout.data_error_page(exc, locals().get("source"))
    st.stop()

uses_svf, uses_register = uses.get(page.url_path, (True, True))
try:
    selection = filters.sidebar(uses_svf=uses_svf, uses_register=uses_register)
except DataError as exc:  # a reference table needed by the filters is unusable
    layout.data_error_page(exc, source)
    st.stop()
layout.data_status(source)
filters.show_notices(selection)
page.run()

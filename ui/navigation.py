"""The pages of the app: file, title, icon, url path, menu section and which shared filters apply.
app.py builds the navigation from this list; pages use `page_file` to link to each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A folder named pages/ triggers Streamlit's old auto-discovery on a process's first run, and a
# shared deep link then shows "Page not found" (README, "Sidnavigering").
PAGE_DIR = ROOT / "app_pages"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    url_path: str
    section: str
    uses_svf: bool = True
    uses_register: bool = True
    uses_grain: bool = True
    help: str | None = None

    @property
    def path(self) -> Path:
        return PAGE_DIR / self.file


PAGES = (
    PageSpec("1_Oversikt.py", "Översikt", ":material/dashboard:", "oversikt", "", True, True, False,
             "Regioner × huvudindikatorer för perioden, färgade efter målnivå."),
    PageSpec("2_SVF_inklusion.py", "SVF – inklusion", ":material/group_add:", "svf_inklusion", "SVF", True, False,
             True, "Andel nya cancerfall som utreds inom SVF, mot målet 70 %."),
    PageSpec("3_SVF_ledtider.py", "SVF – ledtider", ":material/timer:", "svf_ledtider", "SVF", True, False, True,
             "Andel behandlade inom ledtiden (mål 80 %), median och långa väntetider."),
    PageSpec("9_Publicerad_statistik.py", "Publicerad statistik", ":material/public:", "publicerad_statistik", "SVF",
             False, False, False, "Officiella SVF-siffror per region och år (Källa: Kolada), även utan uttag."),
    PageSpec("4_Kvalitetsregister.py", "Kvalitetsregister", ":material/fact_check:", "kvalitetsregister",
             "Register och läkemedel", False, True, True),
    PageSpec("5_Tackningsgrad.py", "Täckningsgrad", ":material/donut_large:", "tackningsgrad",
             "Register och läkemedel", True, True, True),
    PageSpec("6_Regionjamforelse.py", "Regionjämförelse", ":material/compare_arrows:", "regionjamforelse",
             "Jämförelse och underlag", True, True, False),
    PageSpec("7_Om_indikatorerna.py", "Om indikatorerna", ":material/menu_book:", "om_indikatorerna",
             "Jämförelse och underlag", False, False, False),
    PageSpec("8_Motespaket.py", "Mötespaket", ":material/slideshow:", "motespaket", "Jämförelse och underlag",
             True, True, True),
    PageSpec("9_Cancerplan.py", "Cancerplan", ":material/flag:", "cancerplan", "Jämförelse och underlag",
             False, False, False, "Handlingsplanens mål: status, trend mot målet, ansvarig och uppföljningsrapport."),
)


# Without any extract the app shows only these pages (published figures and the descriptions)
WITHOUT_EXTRACT = ("publicerad_statistik", "om_indikatorerna")


def page(url_path: str) -> PageSpec | None:
    return next((p for p in PAGES if p.url_path == url_path), None)


def page_file(url_path: str) -> str | None:
    """The file of the page with this url path (for st.switch_page / st.page_link)."""
    spec = page(url_path)
    return str(spec.path) if spec is not None and spec.path.is_file() else None

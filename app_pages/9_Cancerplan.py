"""Cancerplan: the follow-up of a plan's goals (issue 14). The example plan by default, or the plan
owners' own Excel/CSV file (every row that could not be used is listed, with row and column); the
follow-up year; filters by chapter and unit; the summary of statuses per chapter; every goal with
the status of each unit, its chart against the goal line and the deadline, responsible, timeframe
and status notes; the results table as CSV/Excel; the yearly follow-up report as PowerPoint or
PDF. The views come from views.plan (protected as one output); this page only draws them."""

from __future__ import annotations

import hashlib

import streamlit as st

from export import pack as xpack
from indicators.plan import CHAPTERS, SAMPLE_PLAN, PlanError, default_year
from indicators.plan.model import NO_CHAPTER_LABEL
from reports.plan_report import report_pack
from textfmt.safe import md
from ui import data, layout
from ui import plan as uplan
from views.plan import plan_output

_REPORT_KEY = "_cancerplan_report"

ds = data.dataset()
layout.page_header(
    "Cancerplan",
    "Uppföljning av handlingsplanens mål: varje mål med status för varje enhet det gäller – uppnått, på väg, ej "
    "uppnått, otillräckligt underlag eller ej mätbar – med värdena mot målet och måldatum, ansvarig, tidsram och "
    "statusanteckningar.",
)
st.caption("Urvalet i sidopanelen används inte här: planen säger vilka enheter, förlopp och register målen gäller, "
           "och målen bedöms på hela kalenderår. Formatet för planfilen beskrivs i docs/cancerplan.md och på "
           "exempelplanens blad ”Så fyller du i”.")

# -- which plan -------------------------------------------------------------------------------------
with st.expander("Planfil: exempelplanen eller er egen plan", icon=":material/upload_file:",
                 expanded=uplan.plan_source()[0] is not None):
    uploaded = st.file_uploader("Ladda upp planen (.xlsx eller .csv)", type=["xlsx", "csv"], key="cp_upload",
                                help="En Excel- eller CSV-fil med kolumnerna Mål, Vad ska göras, Hur, Ansvarig, "
                                     "Tidsram …, och för mätbara mål Indikator, Målvärde och Måldatum.")
    if uploaded is not None:
        uplan.set_plan_source(uploaded.getvalue(), uploaded.name)
    c1, c2 = st.columns(2)
    c1.download_button("Ladda ner exempelplanen (.xlsx)", SAMPLE_PLAN.read_bytes(), file_name=SAMPLE_PLAN.name,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="cp_sample",
                       on_click="ignore", icon=":material/download:",
                       help="Börja från exemplet: ett blad med målen och ett med instruktioner.")
    if uplan.plan_source()[0] is not None and c2.button("Visa exempelplanen igen", key="cp_reset",
                                                        icon=":material/restart_alt:"):
        uplan.set_plan_source(None, None)
        st.rerun()

source, name = uplan.plan_source()
first_year = default_year(ds)
years = list(range(ds.extract_date.year, ds.extract_date.year - 11, -1))
c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
year = c1.selectbox("Uppföljningsår", years, index=years.index(uplan.chosen_year(first_year))
                    if uplan.chosen_year(first_year) in years else years.index(first_year), key="cp_year",
                    format_func=lambda y: f"{y} (ofullständigt)" if y > first_year else str(y),
                    help="Målen bedöms på helårsvärdet för året. Standard: det senaste hela året före uttagsdatumet.")
uplan.remember_year(year)

try:
    with st.spinner("Bedömer planens mål …"):  # the first time for a plan and year; then cached
        out = plan_output(ds, source, name=name, year=year)
except PlanError as exc:
    st.error(f"Planen kunde inte läsas: {md(exc)}", icon=":material/error:")
    st.info("Rätta filen och ladda upp den igen, eller visa exempelplanen.", icon=":material/info:")
    st.stop()
except (data.DataError, data.QueryError) as exc:
    layout.no_data(f"Planen kunde inte bedömas: {md(exc)}")
    st.stop()

plan = out.plan
c2.markdown(f"**{md(plan.title)}**  \n" + md(f"{plan.source} · {len(plan.goals)} mål"
                                             + (f" · {plan.healthcare_region.label}" if plan.healthcare_region else "")))
for line in plan.title_lines[1:3]:
    st.caption(md(line))
if plan.problems:
    rows = len({(p.sheet, p.row) for p in plan.problems})
    with st.container(border=True):
        st.warning(f"{rows} rader i {md(plan.source)} har fel och är utelämnade. Övriga mål visas.",
                   icon=":material/warning:")
        st.markdown("\n".join(f"- {md(p)}" for p in plan.problems[:200]))
        if len(plan.problems) > 200:
            st.caption(f"… och {len(plan.problems) - 200} fel till (python -m indicators plan-check listar alla).")
if plan.ignored_columns:
    st.caption("Kolumner som inte används: " + md(", ".join(plan.ignored_columns)))

# -- filters ------------------------------------------------------------------------------------------
chapter_names = {c: CHAPTERS.get(c, NO_CHAPTER_LABEL) for c in out.all_chapters()}
f1, f2 = st.columns(2)
chosen_chapters = f1.multiselect("Kapitel", list(chapter_names), key="cp_kapitel", placeholder="Alla kapitel",
                                 format_func=lambda c: chapter_names[c])
chosen_units = f2.multiselect("Enheter", out.all_units(), key="cp_enheter", placeholder="Alla enheter",
                              help="Regioner, sjukvårdsregioner och riket som planens mål gäller.")
shown = out.filtered(chosen_chapters or None, chosen_units or None)
if not shown.results:
    layout.no_data("Inga mål i planen för det urvalet.")
    st.stop()

# -- summary ------------------------------------------------------------------------------------------
st.subheader("Sammanfattning")
layout.show(shown.summary, key="cp_summary", table=True)
st.caption("✓ uppnått · ↗ på väg (trenden når målet senast måldatum) · ✗ ej uppnått · – otillräckligt underlag "
           "(för få fall, för få år eller inga data) · ○ ej mätbar (ingen indikator i panelen). ”Osäkert”: "
           "95 %-intervallet omfattar målvärdet, så statusen kan bero på slumpen.")

# -- downloads and the report ---------------------------------------------------------------------------
with st.expander("Resultattabell och uppföljningsrapport", icon=":material/download:"):
    layout.show(shown.results_view, key="cp_resultat")
    st.markdown("**Årlig uppföljningsrapport** – titelsida, sammanfattning, en sida per mål och bilagan "
                "”Hur målen mäts”, för urvalet ovan.")
    meeting = st.text_input("Rubrik på titelsidan (valfritt)", key="cp_meeting", max_chars=120,
                            placeholder=f"{plan.title} – uppföljning {year}")
    signature = (hashlib.sha256(source or b"").hexdigest(), name, year, tuple(chosen_chapters), tuple(chosen_units),
                 meeting)
    if st.button("Bygg uppföljningsrapport", type="primary", icon=":material/summarize:", key="cp_build"):
        with st.status("Bygger rapporten …", expanded=True) as status:
            bar = st.progress(0.0, text="Förbereder")
            try:
                built = report_pack(ds, shown, meeting=meeting,
                                    progress=lambda f, t: bar.progress(max(0.0, min(1.0, f)), text=t))
            except RuntimeError as exc:  # the renderer (Chromium) failed: say so, keep the page
                status.update(label=f"Bilderna kunde inte ritas: {exc}", state="error")
                built = None
            if built is not None:
                status.update(label=f"Klart: {built.slide_count} sidor", state="complete", expanded=False)
                st.session_state[_REPORT_KEY] = {"pack": built, "signature": signature}
    result = st.session_state.get(_REPORT_KEY)
    if result:
        built = result["pack"]
        if result["signature"] != signature:
            st.info("Planen, året eller urvalet har ändrats sedan rapporten byggdes; bygg om för att få med "
                    "ändringarna.", icon=":material/update:")
        d1, d2 = st.columns(2)
        d1.download_button("Ladda ner PowerPoint (.pptx)", lambda p=built: xpack.to_pptx(p),
                           file_name=xpack.pack_filename(built, "pptx"), mime=xpack.MIME_PPTX, key="cp_dl_pptx",
                           on_click="ignore", type="primary", icon=":material/download:", width="stretch")
        d2.download_button("Ladda ner PDF", lambda p=built: xpack.to_pdf(p), file_name=xpack.pack_filename(built, "pdf"),
                           mime=xpack.MIME_PDF, key="cp_dl_pdf", on_click="ignore", icon=":material/picture_as_pdf:",
                           width="stretch")

# -- every goal -----------------------------------------------------------------------------------------
chapter = object()
for view in shown.goals:
    results = view.options.get("results", ())
    if not results:
        continue
    goal = results[0].goal
    if goal.chapter != chapter:
        chapter = goal.chapter
        st.subheader(md(goal.chapter_label))
    uplan.goal_block(view, results, year, key=f"cp_goal_{hashlib.sha1(goal.id.encode()).hexdigest()[:10]}")

with st.expander("Hur målen mäts", icon=":material/menu_book:"):
    layout.show(shown.measurement, key="cp_matning")
    layout.show(shown.appendix, key="cp_hur")

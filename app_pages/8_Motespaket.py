"""Mötespaket: a PowerPoint (16:9) or PDF pack for a meeting, built from the current selection.

Either a preset (the steering group's 'styrgrupp': overview, SVF inclusion, lead times, register
coverage, RCL; or the cancer plan's yearly follow-up, for the RPO meeting that follows the plan:
the plan and year of the Cancerplan page, built by reports.plan_report) or the views the user picks. The slides are the same protected views the pages
draw. Nothing is built until the user asks for it; progress shows while the views are drawn;
then download buttons for PowerPoint and PDF. The pack is kept for the session, and a notice says
when the selection has changed since it was built.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

import textfmt as fmt
from export import pack as xpack
from ui import data, filters, layout
from textfmt.safe import md
from views import PRESETS, available_views, preset_views

PLAN_PRESET = "cancerplan"  # the cancer plan's follow-up (not a views preset: the plan decides its views)

_RESULT_KEY = "_motespaket_result"

sel = filters.current()
ds = data.dataset()
ident = data.context().identity
layout.page_header(
    "Mötespaket",
    "Ett färdigt bildspel för mötet, byggt från urvalet i sidopanelen: en titelsida med urval och datauttag, en "
    "bild per diagram med talarstöd (definition, antal, intervall, undertryckning) och avslutande definitioner.",
)
selection_text = xpack.pack_selection_text(ds, sel)
st.markdown(f"**Urval från sidopanelen:** {md(selection_text)}")
st.caption(f"Datauttag {ident.extract_date} · dataset {ident.dataset_id}. Ändra urvalet i sidopanelen; paketet "
           "byggs först när du klickar på knappen.")

c1, c2 = st.columns([2, 1])
meeting = c1.text_input("Mötets namn (titelsidan)", key="mp_meeting", placeholder="t.ex. RPO cancer – styrgrupp",
                        max_chars=120)
meeting_date = c2.date_input("Mötesdatum", value=date.today(), key="mp_date", format="YYYY-MM-DD")

mode = st.radio("Innehåll", ["preset", "pick"], key="mp_mode", horizontal=True,
                format_func=lambda m: {"preset": "Förinställning", "pick": "Välj diagram själv"}[m])
choices = dict(available_views(ds))
if mode == "preset":
    preset = st.selectbox("Förinställning", [*PRESETS, PLAN_PRESET], key="mp_preset",
                          format_func=lambda p: PRESETS[p]["label"] if p in PRESETS
                          else "Cancerplanens uppföljning (planens mål, status och bilagan Hur målen mäts)")
    if preset == PLAN_PRESET:
        from indicators.plan import default_year
        from ui import plan as uplan

        plan_year = uplan.chosen_year(default_year(ds))
        charts = [PLAN_PRESET]
        st.caption(f"Innehåll: titelsida, sammanfattning per kapitel, målen i korthet, en bild per mål och bilagan "
                   f"”Hur målen mäts”, för planen {md(uplan.plan_label())} och uppföljningsår {plan_year} (välj plan "
                   "och år på sidan Cancerplan). Urvalet i sidopanelen används inte: planen anger enheterna.")
    else:
        charts = preset_views(preset)
        st.caption("Innehåll: " + " · ".join(choices.get(c, c) for c in charts))
else:
    preset = None
    charts = st.multiselect("Diagram (i den ordning du väljer dem)", list(choices), key="mp_charts",
                            default=["scorecard"], format_func=lambda c: choices.get(c, c),
                            placeholder="Välj ett eller flera diagram")

signature = (sel, tuple(charts), meeting, str(meeting_date))
if charts == [PLAN_PRESET]:
    signature += (uplan.plan_label(), plan_year)

if st.button("Bygg mötespaket", type="primary", icon=":material/slideshow:", key="mp_build", disabled=not charts):
    with st.status("Bygger mötespaketet …", expanded=True) as status:
        bar = st.progress(0.0, text="Förbereder")

        def progress(fraction: float, text: str) -> None:
            bar.progress(max(0.0, min(1.0, fraction)), text=text)

        try:
            if charts == [PLAN_PRESET]:
                from reports.plan_report import build_plan_report

                plan_data, plan_name = uplan.plan_source()
                built = build_plan_report(ds, plan_data, name=plan_name, year=plan_year, meeting=meeting,
                                          meeting_date=meeting_date, progress=progress)
            else:
                built = xpack.build_pack(ds, charts, sel, meeting=meeting, meeting_date=meeting_date, preset=preset,
                                         progress=progress)
        except (data.DataError, data.QueryError) as exc:  # also a plan file that cannot be read (PlanError)
            status.update(label=f"Paketet kunde inte byggas: {md(exc)}", state="error")
            built = None
        except RuntimeError as exc:  # the renderer (Chromium) failed: say so, keep the page
            status.update(label=f"Bilderna kunde inte ritas: {exc}", state="error")
            built = None
        if built is not None:
            bar.progress(1.0, text="Klart")
            failed = [i.title for i in built.items if i.error]
            status.update(label=f"Klart: {built.slide_count} bilder på {fmt.number(built.build_seconds, 1)} s"
                          + (f" ({len(failed)} diagram kunde inte skapas)" if failed else ""),
                          state="complete", expanded=False)
            st.session_state[_RESULT_KEY] = {"pack": built, "signature": signature}

result = st.session_state.get(_RESULT_KEY)
if result:
    built: xpack.Pack = result["pack"]
    if result["signature"] != signature:
        st.info("Urvalet eller innehållet har ändrats sedan paketet byggdes. Filerna nedan gäller urvalet "
                f"”{md(built.selection)}”; bygg om för att få med ändringarna.", icon=":material/update:")
    cols = st.columns(2)
    with cols[0]:
        st.download_button("Ladda ner PowerPoint (.pptx)", lambda p=built: xpack.to_pptx(p),
                           file_name=xpack.pack_filename(built, "pptx"), mime=xpack.MIME_PPTX, key="mp_dl_pptx",
                           on_click="ignore", type="primary", icon=":material/download:", width="stretch")
    with cols[1]:
        st.download_button("Ladda ner PDF", lambda p=built: xpack.to_pdf(p),
                           file_name=xpack.pack_filename(built, "pdf"), mime=xpack.MIME_PDF, key="mp_dl_pdf",
                           on_click="ignore", icon=":material/picture_as_pdf:", width="stretch")
    with st.expander(f"Innehåll ({built.slide_count} bilder)", icon=":material/view_carousel:"):
        st.markdown(f"1. **{md(built.title)}** – titelsida ({built.meeting_date}, datauttag "
                    f"{built.identity.extract_date}, dataset {built.identity.dataset_id})")
        for i, (item, png) in enumerate(zip(built.items, built.images), start=2):
            st.markdown(f"{i}. **{md(item.title)}** – {md(item.selection)}")
            if png is not None:
                st.image(png, width=480, caption=built.alt_texts[i - 2].split("\n")[0])
            elif item.error:
                st.caption(f"Kunde inte skapas: {md(item.error)}")
        st.markdown(f"{built.slide_count - built.definition_slides + 1}. **{md(built.closing_title)}**")

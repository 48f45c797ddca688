"""Om indikatorerna: the catalogue as a reader needs it.

Every indicator's definition and rccShiny's three texts ("Om indikatorn", "Att tänka på vid
tolkning", "Teknisk beskrivning"); every target with its source, placeholders visibly marked (SVF
lead-time limits with status placeholder, registers and quality indicators with target_status
placeholder); and the loaded data set: its tables, row counts and date ranges.

Reads the catalogue and reference tables through ui.data; computes no indicator."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import textfmt as fmt
from ui import data, layout
from textfmt.safe import md
from views.reference import PLACEHOLDER


KIND_LABELS = {
    "proportion": "Andel (täljare av nämnare), med 95 % konfidensintervall (Wilson)",
    "estimated_ratio": "Andel med uppskattad nämnare (kan överstiga 100 %, inget konfidensintervall)",
    "rate": "Antal per 100 000 invånare (inget konfidensintervall)",
    "median": "Median i dagar, med fördelningsfritt 95 % intervall",
}
DIRECTION_LABELS = {"higher": "Högre är bättre", "lower": "Lägre är bättre", "none": "Ingen riktning (beskrivande)"}
DIMENSION_LABELS = {
    "region": "region", "healthcare_region": "sjukvårdsregion", "svf_code": "SVF-förlopp",
    "treatment_type": "behandlingstyp", "sex": "kön", "register": "register", "substance": "läkemedelssubstans",
    "year": "år", "quarter": "kvartal", "month": "månad",
}
GROUP_ORDER = ["SVF", "Kvalitetsregister", "Cancerläkemedel"]
GROUP_TITLES = {"SVF": "Standardiserade vårdförlopp (SVF)", "Kvalitetsregister": "Kvalitetsregistren",
                "Cancerläkemedel": "Register för cancerläkemedel (RCL)"}
def readable(text: str) -> str:
    """'end_date (förloppets avslut)' → 'Förloppets avslut (end_date)': the words first."""
    m = re.match(r"^([a-z_]+) \((.+)\)$", text or "")
    if not m:
        return text or ""
    words = m.group(2)
    return f"{words[:1].upper()}{words[1:]} ({m.group(1)})"


def target_line(ind) -> str:
    if ind.targets_from == "registers":
        return "Registrens egna målnivåer för täckningsgrad (se fliken Målnivåer och källor)."
    text = fmt.targets_text(ind.target_low, ind.target_high, ind.direction)
    if not text:
        return "Ingen målnivå."
    return text[:1].upper() + text[1:] + "."


layout.page_header(
    "Om indikatorerna",
    "Vad varje indikator mäter, hur den räknas och vad man ska tänka på, målnivåerna med sina källor, och vilka "
    "data som är inlästa. Målnivåer som är platshållare (inte hämtade från en källa) är märkta ⚠.",
)
ctx = data.context()
catalogue = list(data.dataset().catalogue())
fixed = [i for i in catalogue if not i.is_quality_indicator]
qis = [i for i in catalogue if i.is_quality_indicator]
reg_names = ctx.register_names

tab_ind, tab_qi, tab_targets, tab_data = st.tabs(
    ["Indikatorer", "Kvalitetsregistrens indikatorer", "Målnivåer och källor", "Datamängden"])

# -- the fixed indicators ------------------------------------------------------------------------
with tab_ind:
    st.caption(f"{len(fixed)} indikatorer för SVF, kvalitetsregistren och läkemedel, plus {len(qis)} "
               "kvalitetsindikatorer från registren (nästa flik). Öppna en indikator för definition och texter.")
    groups = sorted({i.group for i in fixed}, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else 99)
    for group in groups:
        st.subheader(GROUP_TITLES.get(group, group))
        for ind in (i for i in fixed if i.group == group):
            mark = " ⚠" if ind.target_placeholder else ""
            goal = ("registrens målnivåer" if ind.targets_from == "registers"
                    else fmt.targets_text(ind.target_low, ind.target_high, ind.direction) or "ingen målnivå")
            with st.expander(f"{md(ind.name_sv)} · {goal}{mark}", icon=":material/info:"):
                texts = ind.texts or {}
                st.markdown("**Om indikatorn**")
                st.markdown(texts.get("om", "–"))
                st.markdown("**Att tänka på vid tolkning**")
                st.markdown(texts.get("tolkning", "–"))
                st.markdown("**Teknisk beskrivning**")
                st.markdown(texts.get("teknisk", "–"))
                target_source = ind.target_source or ""
                rows = [
                    ("Mått", KIND_LABELS.get(ind.kind, ind.kind)),
                    ("Enhet", ind.unit),
                    ("Riktning", DIRECTION_LABELS.get(ind.direction, ind.direction)),
                    ("Målnivå", target_line(ind)),
                    ("Målnivåns källa", (f"{PLACEHOLDER}: " if ind.target_placeholder else "") + target_source
                     if target_source else "–"),
                    ("Period efter", readable(ind.period_date)),
                    ("Region", ind.region_rule),
                    ("Kan delas upp efter", ", ".join(DIMENSION_LABELS.get(d, d) for d in ind.dimensions)),
                    ("Minsta antal för att visas", f"{ind.min_n} (färre visas som ”{fmt.SUPPRESSED}”)"),
                    ("Preliminärt", f"de senaste {ind.maturity_months} månaderna före uttaget"),
                ]
                rows.append(("Konfidensintervall", ind.interval_text))
                if ind.is_lead_time:
                    rows.append(("Ledtidsgränser", "per förlopp och behandlingstyp, se fliken Målnivåer och källor "
                                                   "(gränser som är platshållare är märkta ⚠)"))
                st.dataframe(pd.DataFrame(rows, columns=["Egenskap", "Beskrivning"]), hide_index=True,
                             width="stretch")

# -- the register quality indicators ------------------------------------------------------------
with tab_qi:
    qi_view = data.view("om:kvalitetsindikatorer")
    qi_table = qi_view.table
    n_ph = int((qi_table["Målnivåernas status"] == PLACEHOLDER).sum()) if len(qi_table) else 0
    st.caption(f"{len(qi_table)} kvalitetsindikatorer från {qi_table['Register'].nunique() if len(qi_table) else 0} "
               f"register. {n_ph} har målnivåer eller uppgifter som är platshållare (⚠): de är inte registrens "
               "fastställda nivåer och ska inte användas som officiella mål.")
    layout.show(qi_view, key="om_qi")
    if qis:
        names = {q.id: f"{ctx.label('register', q.register_code)} · {q.name_sv}" for q in qis}
        chosen = st.selectbox("Visa texterna för", [q.id for q in qis], key="om_kvalitetsindikator",
                              format_func=lambda i: names.get(i, i))
        q = data.dataset().catalogue().get(chosen)
        with st.container(border=True):
            st.markdown(f"#### {md(q.name_sv)}")
            st.caption(f"{md(reg_names.get(q.register_code, q.register_code))} · "
                       f"{DIRECTION_LABELS.get(q.direction, q.direction)} · {target_line(q)}"
                       + (f" {PLACEHOLDER}." if q.target_placeholder else ""))
            for key, head in (("om", "Om indikatorn"), ("tolkning", "Att tänka på vid tolkning"),
                              ("teknisk", "Teknisk beskrivning")):
                st.markdown(f"**{head}**")
                st.markdown(md((q.texts or {}).get(key, "–")))

# -- targets and their sources -------------------------------------------------------------------
with tab_targets:
    st.subheader("Nationella mål")
    lines = []
    for ind in fixed:
        if ind.targets_from == "registers":
            continue
        if fmt.is_missing(ind.target_low) and fmt.is_missing(ind.target_high):
            continue
        lines.append(f"- **{ind.name_sv}**: {target_line(ind)[:-1].lower()}"
                     + (f" · **{PLACEHOLDER}**" if ind.target_placeholder else "")
                     + f"  \n  Källa: {ind.target_source or '–'}")
    st.markdown("\n".join(lines))
    st.caption("En enda målnivå visas som hög målnivå (grönt fält i diagrammen); med två nivåer är den låga gul.")

    st.subheader("Ledtidsgränser för SVF")
    lt_view = data.view("om:ledtidsgranser")
    n_ph = int((lt_view.table["Status"] == PLACEHOLDER).sum())
    st.caption(f"{len(lt_view.table)} gränser, varav {n_ph} platshållare (⚠): för de förloppen har ingen källa hittats "
               "och värdet är bara ett rimligt antagande. Resultat som bedömts mot en platshållare märks i diagrammen. "
               "Målet är detsamma för alla förlopp: 80 % av patienterna inom gränsen.")
    layout.show(lt_view, key="om_ledtider")

    st.subheader("Kvalitetsregistren: målnivåer för täckningsgrad")
    layout.show(data.view("om:registermal"), key="om_register")

# -- the data set ----------------------------------------------------------------------------------
with tab_data:
    ds = data.dataset()
    source = data.current_source()
    manifest = ds.manifest or {}
    st.markdown(f"**Uttagsdatum:** {fmt.date_text(ds.extract_date)}  \n**Data:** {md(source.description)}"
                + (f"  \n**Källa enligt uttaget:** {md(manifest['source'])}" if manifest.get("source") else ""))
    if manifest.get("description"):
        st.caption(md(manifest["description"]))
    layout.show(data.view("om:tabeller"), key="om_tabeller")
    st.caption("Rader som inte klarade kontrollerna ingår inte i indikatorerna; orsakerna finns i valideringsrapporten "
               "på sidan Täckningsgrad. Datumen är tabellens huvuddatum: diagnosdatum, förloppets start eller "
               "behandlingsstart.")

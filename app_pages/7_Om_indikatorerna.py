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

from ui import data, layout
from ui import format as fmt


PLACEHOLDER = "⚠ platshållare"
SOURCED = "källa angiven"
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
def show(table: pd.DataFrame, *, mark_column: str | None = None, **kwargs) -> None:
    """A whole table without an inner scrollbar (up to 30 rows); rows whose `mark_column` says
    placeholder get a yellow background, so they stand out."""
    height = 35 * (min(len(table), 30) + 1) + 3
    shown = table
    if mark_column and mark_column in table.columns and len(table):
        shown = table.style.apply(
            lambda row: ["background-color: #fff4cc" if row[mark_column] == PLACEHOLDER else "" for _ in row], axis=1)
    st.dataframe(shown, hide_index=True, width="stretch", height=height, **kwargs)


def register_label(code: str) -> str:
    """Short register name: the abbreviation in parentheses, else the name without 'Nationella
    kvalitetsregistret för …' ('Hudmelanom', 'Lymfomregistret')."""
    name = reg_names.get(code, code)
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1:-1]
    short = re.sub(r"^(Nationella kvalitetsregistret för|Nationellt kvalitetsregister för|Svenska registret för|"
                   r"Nationella|Nationellt|Svenska|Svenskt)\s+", "", name)
    short = re.sub(r"^cancer i ", "", short)
    return short[:1].upper() + short[1:]


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


def status_mark(status) -> str:
    return PLACEHOLDER if str(status or "").strip() == "placeholder" else SOURCED


layout.page_header(
    "Om indikatorerna",
    "Vad varje indikator mäter, hur den räknas och vad man ska tänka på, målnivåerna med sina källor, och vilka "
    "data som är inlästa. Målnivåer som är platshållare (inte hämtade från en källa) är märkta ⚠.",
)
catalogue = list(data.catalogue())
fixed = [i for i in catalogue if not i.is_quality_indicator]
qis = [i for i in catalogue if i.is_quality_indicator]
reg_names = data.register_names()

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
            with st.expander(f"{ind.name_sv} · {goal}{mark}", icon=":material/info:"):
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
                if ind.is_lead_time:
                    rows.append(("Ledtidsgränser", "per förlopp och behandlingstyp, se fliken Målnivåer och källor "
                                                   "(gränser som är platshållare är märkta ⚠)"))
                st.dataframe(pd.DataFrame(rows, columns=["Egenskap", "Beskrivning"]), hide_index=True,
                             width="stretch")

# -- the register quality indicators ------------------------------------------------------------
with tab_qi:
    qi_ref = data.reference("quality_indicators")
    status_of = {}
    if "target_status" in qi_ref.columns:
        status_of = dict(zip(qi_ref["indicator_code"].astype(str), qi_ref["target_status"], strict=True))
    source_of = {}
    if "source" in qi_ref.columns:
        source_of = dict(zip(qi_ref["indicator_code"].astype(str), qi_ref["source"], strict=True))
    rows = []
    reg_order = {c: i for i, c in enumerate(reg_names)}
    qis = sorted(qis, key=lambda q: reg_order.get(q.register_code, 99))  # registers in the reference order
    for q in qis:
        code = q.id.split(":", 1)[1]
        has_target = not (fmt.is_missing(q.target_low) and fmt.is_missing(q.target_high))
        rows.append({
            "Register": register_label(q.register_code),
            "Indikator": q.name_sv,
            "Låg målnivå": fmt.target_pct(q.target_low),
            "Hög målnivå": fmt.target_pct(q.target_high),
            "Målnivåernas status": (PLACEHOLDER if status_mark(status_of.get(code)) == PLACEHOLDER else
                                    SOURCED if has_target else "ingen målnivå"),
            "Riktning": DIRECTION_LABELS.get(q.direction, q.direction),
            "Källa": "" if fmt.is_missing(source_of.get(code)) else str(source_of.get(code)),
        })
    qi_table = pd.DataFrame(rows)
    n_ph = int((qi_table["Målnivåernas status"] == PLACEHOLDER).sum()) if len(qi_table) else 0
    st.caption(f"{len(qi_table)} kvalitetsindikatorer från {qi_table['Register'].nunique() if len(qi_table) else 0} "
               f"register. {n_ph} har målnivåer eller uppgifter som är platshållare (⚠): de är inte registrens "
               "fastställda nivåer och ska inte användas som officiella mål.")
    show(qi_table, mark_column="Målnivåernas status")
    layout.table_downloads(qi_table, title="Kvalitetsregistrens indikatorer", selection="Indikatorkatalogen",
                    key="om_qi")
    if qis:
        names = {q.id: f"{register_label(q.register_code)} · {q.name_sv}" for q in qis}
        chosen = st.selectbox("Visa texterna för", [q.id for q in qis], key="om_kvalitetsindikator",
                              format_func=lambda i: names.get(i, i))
        q = data.indicator(chosen)
        with st.container(border=True):
            st.markdown(f"#### {q.name_sv}")
            st.caption(f"{reg_names.get(q.register_code, q.register_code)} · "
                       f"{DIRECTION_LABELS.get(q.direction, q.direction)} · {target_line(q)}"
                       + (f" {PLACEHOLDER}." if q.target_placeholder else ""))
            for key, head in (("om", "Om indikatorn"), ("tolkning", "Att tänka på vid tolkning"),
                              ("teknisk", "Teknisk beskrivning")):
                st.markdown(f"**{head}**")
                st.markdown((q.texts or {}).get(key, "–"))

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
    lt = data.lead_time_targets().copy()
    pathway = data.pathway_names()
    lt_table = pd.DataFrame({
        "Förlopp": [pathway.get(c, c) for c in lt["svf_code"].astype(str)],
        "Behandlingstyp": [fmt.treatment_label(t) for t in lt["treatment_type"]],
        "Utökad utredning": ["ja" if bool(x) else "nej" for x in lt["extended_workup"]],
        "Gräns (dagar)": lt["target_days"].astype("Int64").to_numpy(),
        "Gäller från": [fmt.date_text(pd.Timestamp(d).date()) if not fmt.is_missing(d) else "" for d in lt["valid_from"]],
        "Status": [status_mark(s) for s in lt["status"]],
        "Källa": lt["source"].fillna("").astype(str).to_numpy() if "source" in lt.columns else "",
    }).sort_values(["Förlopp", "Behandlingstyp"], key=lambda s: s.map(fmt.sv_sort_key), kind="stable")
    n_ph = int((lt_table["Status"] == PLACEHOLDER).sum())
    st.caption(f"{len(lt_table)} gränser, varav {n_ph} platshållare (⚠): för de förloppen har ingen källa hittats och "
               "värdet är bara ett rimligt antagande. Resultat som bedömts mot en platshållare märks i diagrammen. "
               "Målet är detsamma för alla förlopp: 80 % av patienterna inom gränsen.")
    only_ph = st.toggle("Visa bara platshållare", key="om_bara_platshallare")
    show(lt_table[lt_table["Status"] == PLACEHOLDER] if only_ph else lt_table, mark_column="Status")
    layout.table_downloads(lt_table, title="Ledtidsgränser för SVF", selection="Referenstabell", key="om_ledtider")

    st.subheader("Kvalitetsregistren: målnivåer för täckningsgrad")
    regs = data.reference("registers")
    reg_table = pd.DataFrame({
        "Register": [register_label(c) for c in regs["register_code"].astype(str)],
        "Låg målnivå": [fmt.target_pct(v) for v in regs["coverage_target_low"]],
        "Hög målnivå": [fmt.target_pct(v) for v in regs["coverage_target_high"]],
        "Status": [status_mark(s) for s in regs["target_status"]] if "target_status" in regs.columns else SOURCED,
        "Källa": regs["source"].fillna("").astype(str).to_numpy() if "source" in regs.columns else "",
    })
    show(reg_table, mark_column="Status")
    layout.table_downloads(reg_table, title="Kvalitetsregistrens målnivåer för täckningsgrad", selection="Referenstabell",
                    key="om_register")

# -- the data set ----------------------------------------------------------------------------------
with tab_data:
    ds = data.dataset()
    source = data.current_source()
    manifest = ds.manifest or {}
    st.markdown(f"**Uttagsdatum:** {fmt.date_text(ds.extract_date)}  \n**Data:** {source.description}"
                + (f"  \n**Källa enligt uttaget:** {manifest['source']}" if manifest.get("source") else ""))
    if manifest.get("description"):
        st.caption(manifest["description"])
    summary = ds.table_summary()
    tables = layout.extract_tables(summary)
    show(tables)
    st.caption("Rader som inte klarade kontrollerna ingår inte i indikatorerna; orsakerna finns i valideringsrapporten "
               "på sidan Täckningsgrad. Datumen är tabellens huvuddatum: diagnosdatum, förloppets start eller "
               "behandlingsstart.")
    layout.table_downloads(tables, title="Tabellerna i uttaget", selection=f"Uttag {fmt.date_text(ds.extract_date)}",
                    key="om_tabeller")

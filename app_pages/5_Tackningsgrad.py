"""Täckningsgrad och datakvalitet: can the numbers be trusted?

- Register coverage against the Cancer Register, register × region, as a heat table coloured by
  each register's own target levels;
- reporting speed (registered within 90 days of diagnosis) per register, and per region for the
  register chosen in the sidebar;
- RCL coverage by region against 85 %, with the share registered by direct transfer;
- the validation report: rows left out of the indicators, by table and reason.

Every number comes from the engine through ui.data."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import streamlit as st

from charts import figures
from indicators.periods import provisional_cutoff
from ui import data, filters, layout
from ui import format as fmt


def register_label(code: str, name: str) -> str:
    """A short column label: the abbreviation in parentheses, else the name without the usual
    'Nationella kvalitetsregistret för …' ('Hudmelanom', 'Lymfomregistret')."""
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1:-1]
    short = re.sub(r"^(Nationella kvalitetsregistret för|Nationellt kvalitetsregister för|Svenska registret för|"
                   r"Nationella|Nationellt|Svenska|Svenskt)\s+", "", name)
    short = re.sub(r"^cancer i ", "", short)
    short = short[:1].upper() + short[1:]
    if len(short) > 16 and " " in short:  # wrap long names over two lines
        cut = short.rfind(" ", 0, len(short) // 2 + 4)
        short = short[:cut] + "<br>" + short[cut + 1:] if cut > 0 else short
    return short


f = filters.current()
layout.page_header(
    "Täckningsgrad och datakvalitet",
    "Går siffrorna att lita på? Hur stor del av cancerfallen som finns i kvalitetsregistren och i Register för "
    "cancerläkemedel, hur snabbt registreringarna kommer in, och vilka rader i uttaget som inte kunde användas.",
)
geo = f.geo_dim or "region"
fc = f if f.geo_dim else f.replace(level="region")
own = fc.own_unit
own_name = data.label("region", f.own_region) if f.own_region else None
units = fc.shown_units()
unit_word = {"region": "Region", "healthcare_region": "Sjukvårdsregion"}[geo]

tab_cov, tab_speed, tab_rcl, tab_report = st.tabs(
    ["Täckningsgrad i kvalitetsregistren", "Inrapporteringshastighet", "Register för cancerläkemedel",
     "Valideringsrapport"])

# -- 1. coverage, register × unit ------------------------------------------------------------------
with tab_cov:
    cov_ind = data.indicator("register_coverage")
    reg_table = data.reference("registers")
    names = dict(zip(reg_table["register_code"].astype(str), reg_table["register_name"].astype(str), strict=True))
    placeholder_regs = set()
    if "target_status" in reg_table.columns:
        placeholder_regs = set(reg_table.loc[reg_table["target_status"].astype(str).str.strip() == "placeholder",
                                             "register_code"].astype(str))
    col_label = {c: register_label(c, n) + (" ⚠" if c in placeholder_regs else "") for c, n in names.items()}
    # Coverage matures slowly (notifications arrive long after diagnosis): when the chosen period is
    # still provisional, offer the latest calendar year with final values, and say which is shown.
    cutoff = provisional_cutoff(data.dataset().extract_date, cov_ind.maturity_months)
    final_year = cutoff.year if cutoff >= date(cutoff.year, 12, 31) else cutoff.year - 1
    cov_start, cov_end = f.start, f.end
    if f.end > cutoff:
        choice = st.segmented_control(
            "Period för täckningsgraden", ["vald", "slutlig"], default="slutlig", key="tg_period",
            bind="query-params", required=True,
            format_func=lambda o: (f"{f.period_text} (vald period, preliminär)" if o == "vald"
                                   else f"{final_year} (senaste året med slutliga värden)"),
            help="Anmälningar till kvalitetsregistren kommer in under lång tid efter diagnosen, så täckningsgraden "
                 f"för de senaste {cov_ind.maturity_months} månaderna blir högre med tiden.")
        if choice != "vald":
            cov_start, cov_end = date(final_year, 1, 1), date(final_year, 12, 31)
    by_unit, err1 = data.try_compute("register_coverage", by=["register", geo], start=cov_start, end=cov_end,
                                     secondary=True)
    by_reg, err2 = data.try_compute("register_coverage", by=["register"], start=cov_start, end=cov_end)
    if by_unit is None or by_reg is None:
        layout.no_data(err1 or err2 or "Inga data.")
    else:
        by_unit = by_unit[by_unit[geo].astype(str).isin(units)].copy()
        by_unit["row_key"] = by_unit[geo].astype(str)
        by_reg = by_reg.assign(row_key="__riket__")
        both = pd.concat([by_reg, by_unit], ignore_index=True)
        # a register with no cases at all in a unit has no engine row: show it as too few cases, not blank
        have = set(zip(both["row_key"], both["register"].astype(str), strict=True))
        regs_present = list(dict.fromkeys(both["register"].astype(str)))
        filler = [{"row_key": k, "register": c, "suppressed": True, "provisional": False} for k in ["__riket__", *units]
                  for c in regs_present if (k, c) not in have]
        if filler:
            both = pd.concat([both, pd.DataFrame(filler)], ignore_index=True)
            both["suppressed"] = both["suppressed"].astype(bool)
        row_name = {"__riket__": fmt.RIKET} | {u: fc.unit_label(u) for u in units}
        order = ["__riket__"] + ([own] if own in units else []) + sorted(
            (u for u in units if u != own), key=lambda u: fmt.sv_sort_key(row_name[u]))
        display = {k: row_name[k] + (" (egen)" if k == own else "") for k in order}
        cells, rows_dl = [], []
        for _, r in both.iterrows():
            code = str(r["register"])
            supp = bool(r["suppressed"]) or fmt.is_missing(r["value"])
            level = ("suppressed" if supp else "no_target" if fmt.is_missing(r["target_level"])
                     else str(r["target_level"]))
            text = (fmt.SUPPRESSED.replace(" ", "<br>", 1) if supp else
                    f"<b>{fmt.pct(r['value'])}</b><br><span style='font-size:10px'>n = {fmt.count(r['denominator'])}</span>")
            hover = (f"<b>{display[r['row_key']]}</b> – {names.get(code, code)}<br>{figures.value_label(r, 'procent')}"
                     f"<br>{fmt.interval_text(r['ci_low'], r['ci_high'])}"
                     f"<br>{fmt.targets_text(r['target_low'], r['target_high'])}"
                     + (" (platshållare)" if code in placeholder_regs else "")
                     + f"<br>{fmt.SUPPRESSED if supp else fmt.target_level_text(r['target_level'])}")
            status = None if supp else data.ci_status(r, cov_ind)
            cells.append({"row": display[r["row_key"]], "column": col_label.get(code, code), "text": text,
                          "level": level, "uncertain": status == "uncertain", "hover": hover})
            rows_dl.append({unit_word: display[r["row_key"]], "Register": names.get(code, code),
                            "Täckningsgrad (%)": None if supp else round(float(r["value"]), 1),
                            "95 % KI, låg": None if supp else round(float(r["ci_low"]), 1),
                            "95 % KI, hög": None if supp else round(float(r["ci_high"]), 1),
                            "Registrerade": r["numerator"], "Fall i Cancerregistret": r["denominator"],
                            "Låg målnivå": r["target_low"], "Hög målnivå": r["target_high"],
                            "Målnivåer": "platshållare" if code in placeholder_regs else "registrets",
                            "Status": fmt.SUPPRESSED if supp else fmt.target_level_text(r["target_level"]),
                            "Preliminärt": "ja" if bool(r["provisional"]) else ""})
        columns = [col_label[c] for c in names if c in set(both["register"].astype(str))]
        title = "Täckningsgrad mot Cancerregistret per register"
        selection = (f"{fmt.period_text(cov_start, cov_end)} · {len(units)} {fmt.LEVEL_PLURAL[geo]} och riket"
                     " · alla register")
        prov = bool(both["provisional"].fillna(False).astype(bool).any())
        note = "Färg efter registrets egna målnivåer. ◐ = 95 %-intervallet omfattar en målnivå. ⚠ = målnivåerna är platshållare."
        if prov:
            note += " Preliminärt: anmälningar kommer in under lång tid."
        fig = figures.scorecard(pd.DataFrame(cells), rows=[display[k] for k in order], columns=columns, title=title,
                                subtitle=selection, highlight_rows=[display[k] for k in order[:2]
                                                                    if k in ("__riket__", own)], note=note)
        layout.chart(fig, pd.DataFrame(rows_dl), title=title, selection=selection, key="tg_register",
                     indicator=cov_ind)
        st.caption(
            "Täckningsgraden är andelen av tumörerna i Cancerregistret, inom registrets diagnoser, som också finns i "
            "kvalitetsregistret (n = antal fall i Cancerregistret). Grön = registrets höga målnivå, gul = den låga, "
            "röd = under målnivån, grå = otillräckligt underlag. Med låg täckningsgrad beskriver registrets "
            "indikatorer bara en del av patienterna."
            + (" Perioden är preliminär: anmälningar till registren kommer in under lång tid efter diagnosen, så "
               "de senaste månaderna ser lägre ut än de blir." if prov else "")
        )
        layout.indicator_info(cov_ind)

# -- 2. reporting speed ---------------------------------------------------------------------------
with tab_speed:
    rep_ind = data.indicator("register_reporting_90d")
    try:
        speed = data.breakdown_table("register_reporting_90d", "register", f, highlight=f.register,
                                     total_label="Alla register")
    except (data.DataError, data.QueryError) as exc:
        speed = None
        layout.no_data(f"Inrapporteringshastigheten kan inte visas: {exc}")
    if speed is not None and not speed.empty:
        title = "Registrerade inom 90 dagar från diagnos, per register"
        selection = f.selection_text(rep_ind, geography=f.scope_text(), register=False, extra=["alla register"])
        fig = figures.bar_comparison(speed, title=title, subtitle=selection, unit="procent",
                                     target_low=rep_ind.target_low, target_high=rep_ind.target_high,
                                     direction=rep_ind.direction,
                                     note="⚠ Den höga målnivån (90 %) är en platshållare." if rep_ind.target_placeholder
                                     else None)
        layout.chart(fig, layout.result_table(speed, label_title="Register"), title=title, selection=selection,
                     key="tg_inrapportering", indicator=rep_ind)
        st.caption("Andelen registreringar som kommit in i INCA inom 90 dagar från diagnosdatum. Bara registreringar "
                   "som finns i uttaget räknas, så de senaste månaderna ser bättre ut än de är. "
                   + rep_ind.target_source)
    if f.register:
        try:
            per_unit = data.comparison_table("register_reporting_90d", fc)
        except (data.DataError, data.QueryError) as exc:
            per_unit = None
            layout.no_data(f"Inrapporteringen per {unit_word.lower()} kan inte visas: {exc}")
        if per_unit is not None and not per_unit.empty:
            title = f"Registrerade inom 90 dagar, {data.label('register', f.register)}, per {unit_word.lower()}"
            n_units = int((per_unit["role"] != "riket").sum())
            selection = fc.selection_text(rep_ind, geography=f"{n_units} {fmt.LEVEL_PLURAL[geo]} och riket")
            fig = figures.bar_comparison(per_unit, title=title, subtitle=selection, unit="procent",
                                         target_low=rep_ind.target_low, target_high=rep_ind.target_high,
                                         direction=rep_ind.direction,
                                         own_label=f"Egen region ({own_name})" if own_name else None)
            layout.chart(fig, layout.result_table(per_unit, label_title=unit_word), title=title,
                         selection=selection, key="tg_inrapportering_region", indicator=rep_ind)
    else:
        st.caption("Välj ett register i sidofältet för att se inrapporteringen per region.")

# -- 3. RCL --------------------------------------------------------------------------------------------
with tab_rcl:
    rcl = data.indicator("rcl_coverage")
    direct = data.indicator("rcl_direct_transfer")
    cov_t = dir_t = None
    try:
        cov_t = data.comparison_table("rcl_coverage", fc)
        dir_t = data.comparison_table("rcl_direct_transfer", fc)
    except (data.DataError, data.QueryError) as exc:
        layout.no_data(f"RCL-täckningen kan inte visas: {exc}")
    if cov_t is not None and not cov_t.empty:
        n_units = int((cov_t["role"] != "riket").sum())
        geography = f"{n_units} {fmt.LEVEL_PLURAL[geo]} och riket"
        title = "Täckningsgrad i Register för cancerläkemedel"
        selection = fc.selection_text(rcl, geography=geography)
        fig = figures.bar_comparison(cov_t, title=title, subtitle=selection, unit="procent",
                                     target_low=rcl.target_low, target_high=rcl.target_high, direction=rcl.direction,
                                     own_label=f"Egen region ({own_name})" if own_name else None)
        # the table behind: coverage and direct transfer side by side, per unit
        table = layout.result_table(cov_t, label_title=unit_word)
        if dir_t is not None and not dir_t.empty:
            d = dir_t.assign(_k=dir_t["unit_code"].astype("string").fillna("__riket__"))
            c = cov_t.assign(_k=cov_t["unit_code"].astype("string").fillna("__riket__"))
            d = d.set_index("_k").reindex(c["_k"])
            table["Direktöverförda (%)"] = pd.to_numeric(d["value"], errors="coerce").round(1).to_numpy()
            table["Direktöverförda, antal"] = d["numerator"].to_numpy()
            table["RCL-registreringar med känt sätt"] = d["denominator"].to_numpy()
        layout.chart(fig, table, title=title, selection=selection, key="tg_rcl", indicator=rcl)
        st.caption(f"Andelen läkemedelsstarter (kända från regionernas ordinationssystem) som är registrerade i RCL. "
                   f"Mål: minst {fmt.target_pct(rcl.target_high)}. {rcl.target_source}")
    if dir_t is not None and not dir_t.empty:
        title = "Andel RCL-registreringar via direktöverföring"
        selection = fc.selection_text(direct, geography=geography)
        fig = figures.bar_comparison(dir_t, title=title, subtitle=selection, unit="procent", direction="higher",
                                     own_label=f"Egen region ({own_name})" if own_name else None)
        layout.chart(fig, layout.result_table(dir_t, label_title=unit_word), title=title, selection=selection,
                     key="tg_rcl_direkt", indicator=direct)
        st.caption("Direktöverföring (till exempel från Cytobase) i stället för manuell registrering ger som regel "
                   "högre och jämnare täckning. Inget mål; läs tillsammans med täckningsgraden ovan.")
    layout.indicator_info(rcl)

# -- 4. validation report ------------------------------------------------------------------------
with tab_report:
    ds = data.dataset()
    report = ds.validation_report()
    summary = ds.table_summary()
    failed = summary[summary["error"].notna()]
    st.markdown(f"**Uttaget** {fmt.date_text(ds.extract_date)} · {data.current_source().description}")
    if len(failed):
        st.error("Tabeller som inte kunde användas (indikatorer som behöver dem visas inte): "
                 + "; ".join(f"{fmt.table_label(t)}: {e}" for t, e in zip(failed["table"], failed["error"],
                                                                           strict=True)),
                 icon=":material/error:")
    left_out = report[report["rows"].notna()].copy()
    # Rows that break a rule of the data contract are left out of every indicator; a few reasons only
    # keep a row out of some indicators (the engine says so in the reason, "(ingår inte i …)").
    partial = left_out["reason"].astype(str).str.contains("(ingår inte i", regex=False)
    total = int(left_out.loc[~partial, "rows"].sum()) if len(left_out) else 0
    st.subheader("Rader som lämnats utanför")
    if not len(left_out):
        st.success("Alla rader i uttaget klarade kontrollerna.", icon=":material/check_circle:")
    else:
        text = (f"{fmt.count(total)} rader i uttaget bröt mot en regel i datakontraktet och ingår inte i någon "
                "indikator. De tas aldrig bort i tysthet: här är de, per tabell och orsak.")
        if partial.any():
            text += (f" Dessutom ingår {fmt.count(int(left_out.loc[partial, 'rows'].sum()))} rader inte i vissa "
                     "indikatorer (se orsaken); i övriga indikatorer räknas de.")
        st.caption(text)
        shown = pd.DataFrame({
            "Tabell": [fmt.table_label(t) for t in left_out["table"]],
            "Orsak": left_out["reason"].astype(str).to_numpy(),
            "Rader": left_out["rows"].astype("Int64").to_numpy(),
            "Följd": ["ingår inte i alla indikatorer" if p else "utanför alla indikatorer" for p in partial],
        })
        st.dataframe(shown.assign(Rader=[fmt.count(v) for v in shown["Rader"]]), hide_index=True, width="stretch",
                     height=35 * (len(shown) + 1) + 3,
                     column_config={"Rader": st.column_config.TextColumn("Rader", width="small")})
        layout.table_downloads(shown, title="Valideringsrapport: rader som lämnats utanför",
                        selection=f"Uttag {fmt.date_text(ds.extract_date)}", key="tg_validering")
    st.subheader("Tabellerna i uttaget")
    tables = layout.extract_tables(summary)
    st.dataframe(tables, hide_index=True, width="stretch", height=35 * (len(tables) + 1) + 3)
    layout.table_downloads(tables, title="Tabellerna i uttaget", selection=f"Uttag {fmt.date_text(ds.extract_date)}",
                    key="tg_tabeller")
    st.caption("Referenstabellerna (regioner, förlopp, ledtidsgränser, register, kvalitetsindikatorer) medföljer "
               "Indikatorpanelen; en tabell med samma namn i uttaget ersätter den medföljande.")

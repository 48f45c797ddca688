"""SVF – ledtider: the share treated within the pathway's lead time (target 80 %) by region with
Wilson intervals, by pathway and treatment type, as a trend; the median lead time with its
interval; the share more than 75 % over the limit; how many more patients within the lead
time would have reached 80 % (⌈0,8·n⌉ − x, from the engine's counts); and the distribution of
lead times (share within X days, with a URL-bound slider, and the RCC overtime groups) from
indicators.distribution."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import figures
from ui import data, filters, layout
from ui import format as fmt

WITHIN, OVER, MEDIAN = "svf_within_target", "svf_over_175", "svf_lead_time_median"

f = filters.current()
within = data.indicator(WITHIN)
over = data.indicator(OVER)
median = data.indicator(MEDIAN)
target = within.target_high
pathway = data.label("svf_code", f.svf_code) if f.svf_code else "alla förlopp"
level_word = {"region": "region", "healthcare_region": "sjukvårdsregion", "riket": "riket"}[f.level]

layout.page_header(
    "SVF – ledtider",
    "Andel patienter som startat behandling inom förloppets ledtid från välgrundad misstanke. "
    f"Nationellt mål: {fmt.target_pct(target)} inom ledtiden.",
)


def _one(ind_id: str, where: dict) -> pd.Series | None:
    t, _ = data.try_compute(ind_id, by=[], start=f.start, end=f.end, where=where)
    return t.iloc[0] if t is not None and len(t) else None


def key_figures() -> None:
    scope_where = f.where(within, regions=True)
    who = f.scope_text()
    if f.own_region:
        scope_where = {**f.where(within), "region": [f.own_region]}
        who = data.label("region", f.own_region)
    w, o, m = _one(WITHIN, scope_where), _one(OVER, scope_where), _one(MEDIAN, scope_where)
    cols = st.columns(4)

    def n_part(row) -> str:
        n = fmt.n_text(row["numerator"], row["denominator"])
        return f"{n} patienter" if n and not bool(row["suppressed"]) else fmt.SUPPRESSED

    if w is not None:
        cols[0].metric("Inom ledtid", figures.value_label(w, "procent", show_n=False), border=True)
        cols[0].caption(f"{who} · {n_part(w)} · {pathway}")
        need = data.patients_to_target(w, target)
        if need is not None:
            cols[3].metric(f"Patienter kvar till {fmt.target_pct(target)}", fmt.count(need), border=True)
            cols[3].caption(f"{who}: så många fler inom ledtiden hade nått målet (⌈0,8 · n⌉ − antal inom ledtid)"
                            if need else f"{who}: målet är nått")
    if m is not None:
        cols[1].metric("Median ledtid", fmt.days(m["value"]) if not m["suppressed"] else fmt.SUPPRESSED,
                       border=True)
        cols[1].caption(" · ".join(x for x in (who, fmt.interval_text(m["ci_low"], m["ci_high"], "dagar"),
                                               fmt.SUPPRESSED if m["suppressed"] or fmt.is_missing(m["denominator"])
                                               else f"n = {fmt.count(m['denominator'])}") if x))
    if o is not None:
        cols[2].metric("Mer än 75 % över ledtiden", figures.value_label(o, "procent", show_n=False), border=True)
        cols[2].caption(f"{who} · {n_part(o)} · lägre är bättre")
    st.caption(f"Period: {f.period_text}. Ledtiden räknas i kalenderdagar från välgrundad misstanke till start av "
               "behandling; förloppet räknas i den region som avslutat det.")
    if w is not None and bool(w.get("placeholder_target", False) is True):
        st.caption("⚠ Urvalet innehåller förlopp som bedömts mot en ledtidsgräns som är en platshållare (källan har "
                   "inte hittats, se Om indikatorerna). Gränser med ⚠ nedan är platshållare.")


def limits_by_pathway() -> dict[str, str]:
    """svf_code → the lead-time limit text from the reference table ('28 dagar', '47–68 dagar')."""
    t = data.lead_time_targets()
    t = t[~t["extended_workup"].astype(bool)]
    latest = t.sort_values("valid_from").groupby(["svf_code", "treatment_type"], as_index=False).last()
    out = {}
    for code, g in latest.groupby("svf_code"):
        lo, hi = int(g["target_days"].min()), int(g["target_days"].max())
        text = f"{lo} dagar" if lo == hi else f"{lo}–{hi} dagar"
        # a limit that could not be sourced is marked wherever it is shown (contract §2)
        out[str(code)] = text + (" ⚠" if (g["status"] == "placeholder").any() else "")
    return out


def single_limits() -> dict[str, float]:
    """svf_code → the limit in days where the pathway has one limit for all treatments."""
    t = data.lead_time_targets()
    t = t[~t["extended_workup"].astype(bool)]
    latest = t.sort_values("valid_from").groupby(["svf_code", "treatment_type"], as_index=False).last()
    return {str(c): float(g["target_days"].iloc[0]) for c, g in latest.groupby("svf_code")
            if g["target_days"].nunique() == 1}


def compare_chart(ind, key: str, title: str, note: str | None = None, extra_cols=None, table=None) -> pd.DataFrame | None:
    try:
        comp = table if table is not None else data.comparison_table(ind.id, f)
    except (data.DataError, data.QueryError) as exc:
        layout.no_data(f"{ind.short_sv} kan inte visas: {exc}")
        return None
    if comp is None or not len(comp):
        layout.no_data(f"Inga resultat för {ind.short_sv.lower()} i urvalet.")
        return None
    selection = f.selection_text(ind, geography=f.comparison_text())
    fig = figures.bar_comparison(comp, title=title, subtitle=selection, unit=ind.unit, target_low=ind.target_low,
                                 target_high=ind.target_high, direction=ind.direction, note=note,
                                 own_label=f.own_label)
    layout.chart(fig, layout.result_table(comp, label_title=fmt.LEVEL_LABELS[f.level], unit=ind.unit,
                                          extra=extra_cols), title=title, selection=selection, key=key, indicator=ind)
    return comp


def section_within() -> None:
    """Andel inom ledtid: by unit, patients to the target, by pathway, by treatment type, trend."""
    try:
        comp = data.comparison_table(WITHIN, f)
    except (data.DataError, data.QueryError) as exc:
        comp = None
        layout.no_data(f"Andel inom ledtid kan inte visas: {exc}")
    if comp is not None and len(comp):
        comp = comp.copy()
        comp["patients_to_target"] = [data.patients_to_target(r, target) for _, r in comp.iterrows()]
        title = f"Andel behandlade inom ledtid per {level_word}" if f.level != "riket" else "Andel inom ledtid, riket"
        compare_chart(within, "within_region", title, table=comp,
                      note="Strecken visar 95 % konfidensintervall (Wilson).",
                      extra_cols={"patients_to_target": f"Fler inom ledtid för {fmt.target_pct(target)}"})

        # how many more patients within the lead time would have reached the target
        gap = comp[[r != "riket" or f.level == "riket" for r in comp["role"]]].copy()
        gap["value"] = pd.to_numeric(gap["patients_to_target"], errors="coerce")
        gap["ci_low"] = gap["ci_high"] = float("nan")
        gap["gap_text"] = [None if fmt.is_missing(v) else
                           (f"målet nått ({fmt.n_text(x, n)})" if v == 0 else
                            f"{fmt.count(v)} fler ({fmt.n_text(x, n)})")
                           for v, x, n in zip(gap["value"], gap["numerator"], gap["denominator"])]
        title = f"Fler patienter inom ledtid som hade behövts för {fmt.target_pct(target)}"
        selection = f.selection_text(within, geography=f.comparison_text())
        fig = figures.bar_comparison(gap, title=title, subtitle=selection, unit="antal", direction="lower",
                                     show_ci=False, value_axis_title="Antal patienter", text_col="gap_text",
                                     own_label=f.own_label,
                                     note="⌈0,8 · n⌉ − antal inom ledtid. Inom parentes: behandlade inom ledtid av alla.")
        layout.chart(fig, layout.result_table(gap, label_title=fmt.LEVEL_LABELS[f.level], unit="antal"),
                     title=title, selection=selection, key="within_gap", indicator=within)

    # by pathway (full width: pathway names are long)
    try:
        by_path = data.breakdown_table(WITHIN, "svf_code", f, highlight=f.svf_code,
                                       total_label=f"{f.scope_text()}, alla förlopp")
    except (data.DataError, data.QueryError) as exc:
        by_path = None
        layout.no_data(f"Per förlopp kan inte visas: {exc}")
    if by_path is not None and len(by_path):
        limits = limits_by_pathway()
        by_path["label"] = [lab if role == "riket" else f"{lab} ({limits.get(str(code), '–')})"
                            for lab, role, code in zip(by_path["label"], by_path["role"], by_path["unit_code"])]
        title = "Andel inom ledtid per förlopp"
        selection = f.selection_text(within, geography=f.scope_text(), svf=False,
                                     extra=[f"markerat: {pathway}" if f.svf_code else ""])
        fig = figures.bar_comparison(by_path, title=title, subtitle=selection, unit="procent",
                                     target_high=target, direction="higher", selected_label=pathway,
                                     note="Inom parentes: förloppets ledtidsgräns (varierar med behandling).")
        layout.chart(fig, layout.result_table(by_path, label_title="Förlopp"), title=title, selection=selection,
                     key="within_pathway", indicator=within)

    # by treatment type
    try:
        by_treat = data.breakdown_table(WITHIN, "treatment_type", f,
                                        total_label=f"{f.scope_text()}, alla behandlingar")
    except (data.DataError, data.QueryError) as exc:
        by_treat = None
        layout.no_data(f"Per behandlingstyp kan inte visas: {exc}")
    if by_treat is not None and len(by_treat):
        title = "Andel inom ledtid per behandlingstyp"
        selection = f.selection_text(within, geography=f.scope_text())
        fig = figures.bar_comparison(by_treat, title=title, subtitle=selection, unit="procent",
                                     target_high=target, direction="higher")
        layout.chart(fig, layout.result_table(by_treat, label_title="Behandlingstyp"), title=title,
                     selection=selection, key="within_treatment", indicator=within)

    trend_chart(within, "within_trend", "Andel inom ledtid",
                "Ofyllda punkter och prickad linje: preliminärt. Skuggat band: 95 % konfidensintervall.")
    layout.indicator_info(within)


def trend_chart(ind, key: str, name: str, note: str) -> None:
    try:
        trend, x_order = data.trend_table(ind.id, f)
    except (data.DataError, data.QueryError) as exc:
        layout.no_data(f"Trenden kan inte visas: {exc}")
        return
    if not len(trend):
        return
    grain_word = {"year": "år", "quarter": "kvartal", "month": "månad"}[f.grain]
    title = f"{name} per {grain_word}"
    selection = f.selection_text(ind, period=f.trend_period(), geography=f.trend_text(trend["series"].drop_duplicates()))
    fig = figures.trend_lines(trend, x_order=x_order, title=title, subtitle=selection, unit=ind.unit,
                              target_low=ind.target_low, target_high=ind.target_high, direction=ind.direction,
                              note=note)
    layout.chart(fig, layout.result_table(trend, label_col="series", label_title="Enhet", unit=ind.unit,
                                          extra={"x": "Period"}),
                 title=title, selection=selection, key=key, indicator=ind)


def section_median() -> None:
    """Median ledtid with its interval, by unit and by pathway, against the lead-time limit."""
    limits = single_limits()
    limit = limits.get(f.svf_code) if f.svf_code else None
    try:
        comp_m = data.comparison_table(MEDIAN, f)
    except (data.DataError, data.QueryError) as exc:
        comp_m = None
        layout.no_data(f"Medianen kan inte visas: {exc}")
    if comp_m is not None and len(comp_m):
        if limit is not None:
            comp_m["limit"] = limit
        title = f"Median ledtid per {level_word}" if f.level != "riket" else "Median ledtid, riket"
        selection = f.selection_text(median, geography=f.comparison_text())
        if limit is not None:
            limit_text = f"Ledtidsgräns för {pathway}: {int(limit)} dagar."
        elif f.svf_code:
            limit_text = (f"{pathway} har olika ledtidsgränser per behandling "
                          f"({limits_by_pathway().get(f.svf_code, '–')}).")
        else:
            limit_text = "Välj ett förlopp för att jämföra med dess ledtidsgräns."
        note = "Strecken visar 95 % konfidensintervall (ordningsstatistika). " + limit_text
        fig = figures.bar_comparison(comp_m, title=title, subtitle=selection, unit="dagar", direction="lower",
                                     reference_col="limit" if limit is not None else None, note=note,
                                     own_label=f.own_label)
        layout.chart(fig, layout.result_table(comp_m, label_title=fmt.LEVEL_LABELS[f.level], unit="dagar"),
                     title=title, selection=selection, key="median_region", indicator=median)
    try:
        med_path = data.breakdown_table(MEDIAN, "svf_code", f, highlight=f.svf_code,
                                        total_label=f"{f.scope_text()}, alla förlopp")
    except (data.DataError, data.QueryError) as exc:
        med_path = None
        layout.no_data(f"Median per förlopp kan inte visas: {exc}")
    if med_path is not None and len(med_path):
        med_path["limit"] = [limits.get(str(c)) if role != "riket" else None
                             for c, role in zip(med_path["unit_code"], med_path["role"])]
        text_limits = limits_by_pathway()
        med_path["label"] = [lab if role == "riket" else f"{lab} ({text_limits.get(str(code), '–')})"
                             for lab, role, code in zip(med_path["label"], med_path["role"], med_path["unit_code"])]
        title = "Median ledtid per förlopp"
        selection = f.selection_text(median, geography=f.scope_text(), svf=False,
                                     extra=[f"markerat: {pathway}" if f.svf_code else ""])
        fig = figures.bar_comparison(med_path, title=title, subtitle=selection, unit="dagar", direction="lower",
                                     selected_label=pathway, reference_col="limit",
                                     note="Streck: förloppets ledtidsgräns där den är densamma för alla behandlingar; "
                                          "inom parentes: gränsen eller gränsernas spann.")
        layout.chart(fig, layout.result_table(med_path, label_title="Förlopp", unit="dagar"), title=title,
                     selection=selection, key="median_pathway", indicator=median)
    layout.indicator_info(median)


def section_long() -> None:
    """The share more than 75 % over the limit, by unit and as a trend."""
    title = (f"Andel med ledtid mer än 75 % över gränsen per {level_word}" if f.level != "riket"
             else "Andel mer än 75 % över ledtiden, riket")
    compare_chart(over, "over_region", title, note="Lägre är bättre. Inget nationellt mål.")
    trend_chart(over, "over_trend", "Andel mer än 75 % över ledtiden",
                "Ofyllda punkter och prickad linje: preliminärt. Lägre är bättre.")
    st.caption("Hela fördelningen av ledtider, andelen inom valfritt antal dagar och alla överskridandegrupper "
               "finns under fliken Fördelning.")
    layout.indicator_info(over)


DAYS_KEY = "inom_dagar"  # the slider's URL parameter (?inom_dagar=35)
DAYS_MAX = 120
_DAYS_DEFAULT_KEY = "_inom_dagar_default"


def distribution_series() -> list[tuple[str, str, dict]]:
    """(name, role, engine where) of the lines in the distribution: the chosen regions summed (or
    riket), and one's own region when it is not the only chosen region."""
    out = [(f.scope_text(), "riket" if not f.regions else "unit", f.where(within, regions=True))]
    if f.own_region and tuple(f.regions) != (f.own_region,):
        out.append((f"Egen region: {data.label('region', f.own_region)}", "own",
                    {**f.where(within), "region": [f.own_region]}))
    return out


def lowest_limits() -> dict[str, int]:
    """svf_code → the shortest current lead-time limit of the pathway (days)."""
    t = data.lead_time_targets()
    t = t[~t["extended_workup"].astype(bool)]
    latest = t.sort_values("valid_from").groupby(["svf_code", "treatment_type"], as_index=False).last()
    return {str(c): int(g["target_days"].min()) for c, g in latest.groupby("svf_code")}


def days_slider(default: int) -> int:
    """The "Andel inom X dagar" slider, bound to the URL. It starts at `default` (the pathway's limit)
    and follows the limit when the pathway changes, unless the user has moved it."""
    url = st.query_params.get(DAYS_KEY)
    url_ok = url is not None and url.isdigit() and 1 <= int(url) <= DAYS_MAX
    if url is not None and not url_ok:
        st.warning(f"Okänt värde i länken ignorerades: {DAYS_KEY} = ”{str(url)[:40]}”.",
                   icon=":material/link_off:")
    previous = st.session_state.get(_DAYS_DEFAULT_KEY)
    if DAYS_KEY not in st.session_state:
        if not url_ok:
            st.session_state[DAYS_KEY] = default
    elif previous is not None and previous != default and st.session_state[DAYS_KEY] == previous:
        st.session_state[DAYS_KEY] = default  # not moved by the user: follow the new limit
    st.session_state[_DAYS_DEFAULT_KEY] = default
    # value=None: the start value comes from the URL or from session state (set above)
    return int(st.slider("Andel inom X dagar", min_value=1, max_value=DAYS_MAX, value=None, step=1, key=DAYS_KEY,
                         bind="query-params", format="%d dagar",
                         help="Andelen patienter som startat behandling inom så här många dagar från välgrundad "
                              "misstanke. Startvärdet är förloppets ledtidsgräns (den kortaste när gränsen "
                              "varierar med behandlingen; 28 dagar för alla förlopp)."))


def section_distribution() -> None:
    """The lead-time distribution (share within X days, with a slider) and the RCC overtime groups."""
    limit = single_limits().get(f.svf_code) if f.svf_code else None
    if limit is not None:
        limit_text = f"Ledtidsgräns för {pathway}: {fmt.days(limit)}."
    elif f.svf_code:
        limit_text = (f"{pathway} har olika ledtidsgränser per behandling ({limits_by_pathway().get(f.svf_code, '–')}); "
                      "ingen gräns ritas.")
    else:
        limit_text = "Förloppen har olika ledtidsgränser; välj ett förlopp för att se dess gräns."
    if limit is not None:
        start_days = int(limit)
    elif f.svf_code:
        start_days = lowest_limits().get(f.svf_code, 28)
    else:
        start_days = 28
    chosen = days_slider(start_days)

    series, missing = [], []
    for name, role, where in distribution_series():
        try:
            table = data.lead_time_days(f.start, f.end, where)
            groups = data.overtime_groups(f.start, f.end, where)
        except (data.DataError, data.QueryError) as exc:
            layout.no_data(f"Fördelningen kan inte visas: {exc}")
            return
        if not len(table):
            missing.append(name)
            continue
        point = data.share_within(table, chosen)
        series.append({"name": name, "role": role, "table": table, "groups": groups, "n": point["n"],
                       "chosen": point})
    min_n = fmt.count(within.min_n)
    if not series:
        layout.no_data(f"Fördelningen visas inte: {fmt.SUPPRESSED} – färre än {min_n} behandlade patienter i "
                       f"urvalet ({f.period_text} · {fmt.join_names(missing)} · {pathway}).")
        return

    # the chosen X: share within X days with its interval and n, straight from the engine's table
    cols = st.columns(max(3, len(series) + 1))
    for col, s in zip(cols, series):
        p = s["chosen"]
        col.metric(f"Inom {fmt.days(chosen)} · {s['name']}", fmt.pct(p["share"]), border=True)
        col.caption(f"{fmt.interval_text(p['ci_low'], p['ci_high'])} · n = {fmt.count(p['n'])} patienter")
    for name in missing:
        st.caption(f"{name} visas inte: {fmt.SUPPRESSED} (färre än {min_n} behandlade patienter).")

    geography = f.scope_text() + (f" och egen region {data.label('region', f.own_region)}"
                                  if any(s["role"] == "own" for s in series) else "")
    selection = f.selection_text(within, geography=geography)
    # show the days up to where almost everyone has started (and at least the limit and X)
    first = series[0]["table"]
    reach = first.loc[first["share_within"] >= 99, "days"]
    longest = max(float(s["table"]["days"].max()) for s in series)
    x_max = max(float(reach.iloc[0]) if len(reach) else longest, 1.75 * start_days) + 5
    x_max = max(min(x_max, longest + 2), float(chosen) + 3)
    title = "Andel behandlade inom X dagar"
    note = f"{limit_text}<br>Skuggat band: 95 % konfidensintervall (Wilson). Punkten: andelen inom X dagar (reglaget)."
    fig = figures.lead_time_distribution(series, title=title, subtitle=selection, limit=limit,
                                         target=target if limit is not None else None, chosen_days=chosen,
                                         x_max=x_max, note=note)
    table = pd.concat([pd.DataFrame({"Enhet": s["name"], "Dagar": s["table"]["days"].astype(int).to_numpy(),
                                     "Andel inom (%)": s["table"]["share_within"].round(1).to_numpy(),
                                     "95 % KI, låg": s["table"]["ci_low"].round(1).to_numpy(),
                                     "95 % KI, hög": s["table"]["ci_high"].round(1).to_numpy(),
                                     "Patienter i urvalet": s["n"]}) for s in series], ignore_index=True)
    layout.chart(fig, table, title=title, selection=selection, key="distribution", indicator=within)

    title = "Ledtid i förhållande till gränsen"
    groups = [s for s in series if len(s["groups"])]
    note = ("RCC:s överskridandegrupper: hur långt över ledtidsgränsen behandlingen startade "
            "(varje patient mot gränsen för sin behandling).")
    fig = figures.overtime_bars([{**s, "table": s["groups"]} for s in groups], title=title, subtitle=selection,
                                note=note)
    table = pd.concat([pd.DataFrame({"Enhet": s["name"], "Grupp": s["groups"]["label"].to_numpy(),
                                     "Andel (%)": s["groups"]["share"].round(1).to_numpy(),
                                     "Patienter i urvalet": s["n"]}) for s in groups], ignore_index=True)
    layout.chart(fig, table, title=title, selection=selection, key="overtime", indicator=within)
    layout.show_table(table, key="overtime_table")
    layout.indicator_info(within)


key_figures()

# the tab is part of the URL (?flik=Median+ledtid) and only the open tab is computed
TABS = ["Andel inom ledtid", "Median ledtid", "Långa väntetider", "Fördelning"]
bad_tab = [v for v in st.query_params.get_all("flik") if v not in TABS]
if bad_tab:
    st.warning(f"Okänt värde i länken ignorerades: flik = ”{bad_tab[0][:40]}”.", icon=":material/link_off:")
tab_within, tab_median, tab_long, tab_dist = st.tabs(TABS, key="flik", bind="query-params", on_change="rerun")
for tab, section in ((tab_within, section_within), (tab_median, section_median), (tab_long, section_long),
                     (tab_dist, section_distribution)):
    with tab:
        if tab.open is not False:
            section()

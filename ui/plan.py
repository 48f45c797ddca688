"""Streamlit pieces of the Cancerplan page (app_pages/9_Cancerplan.py) and the meeting pack's plan
preset: which plan the session follows (the example, or the file a plan owner uploaded), and how
one goal is drawn — its statuses, its chart (layout.show, with table and downloads), responsible,
timeframe and status notes. Everything here renders protected plan views (views.plan); user-written
plan texts are escaped for Streamlit's markdown (textfmt.safe.md)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import textfmt as fmt
from charts import theme
from indicators.plan import SAMPLE_PLAN
from indicators.plan.status import format_value
from textfmt.safe import md, one_line
from views.plan import goal_line, status_counts

from . import layout

_SOURCE_KEY = "_cancerplan_source"  # {'name': …, 'data': bytes} of an uploaded plan; absent: the example
_YEAR_KEY = "_cancerplan_year"


def plan_source() -> tuple[bytes | None, str | None]:
    """(content, file name) of the plan this session follows; (None, None) for the example."""
    saved = st.session_state.get(_SOURCE_KEY)
    if saved:
        return saved["data"], saved["name"]
    return None, None


def set_plan_source(data: bytes | None, name: str | None) -> None:
    if data is None:
        st.session_state.pop(_SOURCE_KEY, None)
    else:
        st.session_state[_SOURCE_KEY] = {"data": data, "name": name}


def plan_label() -> str:
    _data, name = plan_source()
    return name or SAMPLE_PLAN.name


def chosen_year(default: int) -> int:
    return int(st.session_state.get(_YEAR_KEY) or default)


def remember_year(year: int) -> None:
    st.session_state[_YEAR_KEY] = int(year)


def status_badge(results) -> str:
    """'✓ 8 · ✗ 1' for a goal's results (symbols and counts, no colour needed)."""
    counts = status_counts(results)
    return " · ".join(f"{theme.PLAN_STATUS_SYMBOLS[s]} {n}" for s, n in counts.items() if n)


def _status_table(results, year: int) -> pd.DataFrame:
    rows = []
    for r in results:
        p = r.latest
        if p is None:
            value = ""
        elif p.suppressed:
            value = fmt.SUPPRESSED_SECONDARY_SHORT if p.protected else fmt.SUPPRESSED
        elif not p.has_data:
            value = "inga data"
        else:
            value = format_value(p.value, r.indicator.unit) if p.value is not None else ""
        trend = ""
        if r.trend is not None and r.trend.projection_year and r.status in ("on_track", "not_met"):
            trend = f"{format_value(r.trend.projection, r.indicator.unit)} år {r.trend.projection_year}"
        rows.append({"Enhet": r.unit_label,
                     "Status": f"{theme.PLAN_STATUS_SYMBOLS[r.status]} {r.status_label}"
                               + (" (osäkert)" if r.uncertain else ""),
                     f"Värde {year}": value, "Trend vid måldatum": trend, "Motivering": r.reason,
                     "_status": r.status})
    return pd.DataFrame(rows)


def _coloured(table: pd.DataFrame):
    colours = [theme.PLAN_STATUS_COLORS[s] for s in table["_status"]]
    shown = table.drop(columns=["_status"])
    if not shown["Trend vid måldatum"].astype(bool).any():
        shown = shown.drop(columns=["Trend vid måldatum"])

    def paint(column):
        return [f"background-color: {c}; color: {theme.TEXT}" for c in colours]

    return shown.style.apply(paint, subset=["Status"])


def goal_block(view, results, year: int, *, key: str) -> None:
    """One goal: heading with its statuses, the status of each unit, the chart with table and
    downloads, responsible, timeframe, the latest note, and the plan's own texts on request."""
    if not results:
        return
    goal = results[0].goal
    ind = next((r.indicator for r in results if r.indicator is not None), None)
    with st.container(border=True):
        st.markdown(f"#### {md(view.title)}")
        st.caption(" · ".join(x for x in (f"**{status_badge(results)}**", md(goal.area),
                                          f"Mäts som: {md(goal_line(goal, ind))}") if x))
        table = _status_table(results, year)
        st.dataframe(_coloured(table), hide_index=True, width="stretch", key=f"{key}_status",
                     height="auto" if len(table) <= 12 else 420)
        if view.table is not None and len(view.table):
            layout.show(view, key=key)
        cols = st.columns(3)
        cols[0].markdown(f"**Ansvarig**  \n{md(goal.responsible_text) or '–'}")
        cols[1].markdown(f"**Tidsram**  \n{md(goal.timeframe_text) or '–'}")
        note = goal.latest_note
        cols[2].markdown(f"**Senaste anteckning**  \n" + (f"{note.date.isoformat()}: {md(one_line(note.text, 600))}"
                                                          if note else "–"))
        with st.expander("Mer om målet: planens texter, mätning och alla anteckningar", icon=":material/notes:"):
            for head, text in (("Vad ska göras", goal.what), ("Hur", goal.how), ("Vem", goal.who),
                               ("När", goal.when), ("Uppföljning", goal.follow_up), ("Så mäts målet", goal.measurement),
                               ("Kommentar", goal.comment)):
                if text:
                    st.markdown(f"**{head}.** {md(text)}")
            if goal.filter_labels:
                st.markdown(f"**Avgränsning.** {md('; '.join(goal.filter_labels))}")
            for n in sorted(goal.notes, key=lambda n: n.date, reverse=True):
                st.markdown(f"- {n.date.isoformat()}: {md(n.text)}")
            st.caption(f"Rad {goal.row} i planfilen.")

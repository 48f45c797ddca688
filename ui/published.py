"""The reconciliation with the published figures, as the SVF pages show it: an expander under the
charts that lists region × year where computed and published differ by more than the tolerance,
with the tolerance and the reasons the two may differ (views/published.py builds the view)."""

from __future__ import annotations

import streamlit as st

from textfmt.safe import md

from . import layout


def reconciliation(view) -> None:
    """The reconciliation view in an expander (closed): what was compared, the table of the
    differences beyond tolerance (with its downloads), the tolerance and the explanation."""
    if view.error:
        layout.no_data(f"{md(view.title)}: kan inte visas – {md(view.error)}")
        return
    rows = 0 if view.table is None else len(view.table)
    source = view.options.get("attribution") or "publicerad statistik"
    label = (f"Jämförelse med publicerad statistik ({source}): {rows} region-år med större skillnad än toleransen"
             if rows else f"Jämförelse med publicerad statistik ({source}): inga skillnader större än toleransen")
    with st.expander(md(label), icon=":material/rule:"):
        notes = list(view.notes)
        # notes: what was compared, the count, the tolerance, why they may differ, whose difference
        st.markdown(" ".join(md(n) for n in notes[:3]))
        if rows:
            layout.show(view, key=f"avst_{view.indicator}")
        for line in notes[3:]:
            st.caption(md(line))

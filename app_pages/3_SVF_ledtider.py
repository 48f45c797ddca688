"""SVF – ledtider: the share treated within the pathway's lead time (target 80 %) by unit, by
pathway and treatment type and as a trend; the median with its interval; the share more than 75 %
over the limit; patients to the target; and the distribution of lead times ("andel inom X
dagar", with a URL-bound slider) with the RCC overtime groups. Only the open tab is drawn."""

from __future__ import annotations

import streamlit as st

import textfmt as fmt
from textfmt.safe import md
from ui import data, filters, layout, published
from views import LEAD_TIME_PAGE_TABS

sel = filters.current()
cat = data.dataset().catalogue()
within = cat.get("svf_within_target")
layout.page_header(
    "SVF – ledtider",
    "Andel patienter som startat behandling inom förloppets ledtid från välgrundad misstanke. "
    f"Nationellt mål: {fmt.target_pct(within.target_high)} inom ledtiden.",
)

key_view = data.view("nyckeltal:ledtider")
extra = {}
if not key_view.error and len(key_view.table):
    row = key_view.table[key_view.table["indicator"] == "svf_within_target"].iloc[0]
    need = row.get("patients_to_target")
    if not fmt.is_missing(need):
        extra[f"Patienter kvar till {fmt.target_pct(within.target_high)}"] = (
            fmt.count(need), "så många fler inom ledtiden hade nått målet" if need else "målet är nått")
layout.kpi_cards(key_view, extra=extra)
st.caption(f"Period: {fmt.period_text(sel.start, sel.end)}. Ledtiden räknas i kalenderdagar från välgrundad misstanke "
           "till start av behandling; förloppet räknas i den region som avslutat det.")

DAYS_KEY = "inom_dagar"  # the slider's URL parameter (?inom_dagar=35)
DAYS_MAX = 120
_DAYS_DEFAULT_KEY = "_inom_dagar_default"


def days_slider(default: int) -> int:
    """The "Andel inom X dagar" slider, bound to the URL. It starts at `default` (the pathway's limit)
    and follows the limit when the pathway changes, unless the user has moved it."""
    url = st.query_params.get(DAYS_KEY)
    url_ok = url is not None and url.isdigit() and 1 <= int(url) <= DAYS_MAX
    if url is not None and not url_ok:
        st.warning(f"Okänt värde i länken ignorerades: {DAYS_KEY} = ”{md(str(url)[:40])}”.", icon=":material/link_off:")
    previous = st.session_state.get(_DAYS_DEFAULT_KEY)
    if DAYS_KEY not in st.session_state:
        if not url_ok:
            st.session_state[DAYS_KEY] = default
    elif previous is not None and previous != default and st.session_state[DAYS_KEY] == previous:
        st.session_state[DAYS_KEY] = default  # not moved by the user: follow the new limit
    st.session_state[_DAYS_DEFAULT_KEY] = default
    return int(st.slider("Andel inom X dagar", min_value=1, max_value=DAYS_MAX, value=None, step=1, key=DAYS_KEY,
                         bind="query-params", format="%d d",
                         help="Andelen patienter som startat behandling inom så här många dagar från välgrundad "
                              "misstanke. Startvärdet är förloppets ledtidsgräns (den kortaste när gränsen "
                              "varierar med behandlingen; 28 dagar för alla förlopp)."))


@st.fragment
def distribution() -> None:
    """The distribution redraws alone when the slider moves (no rerun of the page)."""
    view = data.view("fordelning:svf_within_target")
    chosen = days_slider(int(view.options.get("default_days", 28)))
    layout.show(view, key="distribution", chosen_days=chosen)
    layout.show(data.view("overtid:svf_within_target"), key="overtime")


TABS = list(LEAD_TIME_PAGE_TABS)
tabs = layout.bound_tabs(TABS)
info = {"Andel inom ledtid": "svf_within_target", "Median ledtid": "svf_lead_time_median",
        "Långa väntetider": "svf_over_175", "Fördelning": "svf_within_target"}
for tab, name in zip(tabs, TABS):
    with tab:
        if tab.open is False:
            continue
        if name == "Fördelning":
            distribution()
        else:
            for view_id in LEAD_TIME_PAGE_TABS[name]:
                if view_id.startswith("avstamning:"):
                    published.reconciliation(data.view(view_id))
                else:
                    layout.show(data.view(view_id))
        layout.indicator_info(cat.get(info[name]))

"""One explicit plotly template for screen and export, so a slide looks like the screen.

`import streamlit` replaces plotly's default template, and Streamlit's own chart theme is applied
in the browser only; an image rendered with kaleido would then differ from the screen. So every
figure gets `template=TEMPLATE` (registered here) and is drawn with `st.plotly_chart(fig,
theme=None)` (stack-notes §1.6). Swedish number format comes from `separators=", "` (decimal
comma, space as thousands separator).

Colours follow rccShiny's conventions (style.md §3) — a yellow band for the low target level, a
green one for the high level, grey for "otillräckligt underlag" — in a palette that people with
red-green colour blindness can read (Okabe & Ito's bluish green, yellow and vermillion: in a
deuteranopia simulation they stay three different lightnesses and hues), and status is never told
by colour alone: every cell also carries a symbol (✓ hög, ◐ låg, ✗ ej uppnådd, – otillräckligt
underlag).
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from indicators.plan.status import STATUS_LABELS as _PLAN_LABELS
from indicators.plan.status import STATUS_SYMBOLS as _PLAN_SYMBOLS

TEMPLATE = "indikatorpanelen"
SEPARATORS = ", "
FONT_FAMILY = "Source Sans Pro, Liberation Sans, Arial, DejaVu Sans, sans-serif"

# Base palette
TEXT = "#1f2a36"
MUTED = "#5f6b77"
GRID = "#e3e7eb"
BACKGROUND = "#ffffff"

BAR = "#5b87b5"          # an ordinary unit
BAR_MUTED = "#b7c8da"    # units shown for context (not selected)
RIKET = "#33414f"        # the national value
OWN = "#d9480f"          # one's own region (highlight)
SELECTED = "#7b3f99"     # a chosen pathway/register (distinct from BAR and OWN)
SUPPRESSED = "#bdbdbd"   # otillräckligt underlag
PROVISIONAL = "#8a94a0"

# Target bands behind bars and lines (rccShiny: yellow = låg målnivå, green = hög målnivå)
BAND_LOW = "rgba(240, 228, 66, 0.30)"
BAND_HIGH = "rgba(0, 158, 115, 0.20)"
LINE_LOW = "#b8a800"
LINE_HIGH = "#00795a"

# Status cell colours by engine target_level (Okabe-Ito), and the symbol each status carries
LEVEL_COLORS = {
    "high": "#2aa884",   # hög målnivå: bluish green
    "low": "#f0e442",    # låg målnivå: yellow
    "none": "#e07b39",   # neither: vermillion
    "suppressed": "#e0e0e0",  # otillräckligt underlag: light grey
    "no_target": "#eef1f4",   # indicator without a target: neutral
    "no_cases": "#ffffff",    # no cases at all: white, with a border
}
LEVEL_SYMBOLS = {"high": "✓", "low": "◐", "none": "✗", "suppressed": "–", "no_target": "", "no_cases": ""}
LEVEL_NAMES = {"high": "Hög målnivå uppnådd", "low": "Låg målnivå uppnådd", "none": "Målnivå ej uppnådd",
               "suppressed": "Otillräckligt underlag", "no_target": "Ingen målnivå", "no_cases": "Inga fall"}

# Cancer-plan goal status (indicators.plan STATUSES), in the same colour-blind-safe style: the
# three judged outcomes reuse the target-level colours (bluish green, yellow, vermillion), grey for
# too little data, lavender for a goal the panel cannot measure; every status has its own symbol.
PLAN_STATUS_COLORS = {
    "met": LEVEL_COLORS["high"],
    "on_track": LEVEL_COLORS["low"],
    "not_met": LEVEL_COLORS["none"],
    "insufficient": LEVEL_COLORS["suppressed"],
    "not_measurable": "#b4a7d6",
}
PLAN_STATUS_SYMBOLS = dict(_PLAN_SYMBOLS)
PLAN_STATUS_NAMES = dict(_PLAN_LABELS)

# RCC overtime groups (indicators.distribution.OVERTIME_GROUPS): green within the limit, then
# yellow → red the further over it.
OVERTIME_COLORS = {
    "inom": "#3fb58f",
    "1-25": "#f0e442",
    "26-50": "#e69f00",
    "51-75": "#d55e00",
    "over75": "#8c2d04",
}

# Categorical colours for lines (trend per unit); own region and riket use OWN / RIKET.
COLORWAY = ["#2b5f91", "#7b3f99", "#2a9d8f", "#b5651d", "#6c757d", "#c2185b", "#1b998b", "#8d6e63",
            "#3949ab", "#00897b"]

_registered = False


def register() -> str:
    """Register the template with plotly (idempotent) and return its name."""
    global _registered
    if _registered and TEMPLATE in pio.templates:
        return TEMPLATE
    axis = dict(
        gridcolor=GRID,
        linecolor="#c5ccd3",
        zerolinecolor="#c5ccd3",
        ticks="outside",
        tickcolor="#c5ccd3",
        title=dict(font=dict(size=13, color=MUTED)),
        tickfont=dict(size=12, color=TEXT),
        automargin=True,
    )
    template = go.layout.Template(
        layout=go.Layout(
            font=dict(family=FONT_FAMILY, size=13, color=TEXT),
            title=dict(font=dict(size=18, color=TEXT), x=0, xanchor="left", y=0.98, yanchor="top",
                       pad=dict(l=4)),
            paper_bgcolor=BACKGROUND,
            plot_bgcolor=BACKGROUND,
            colorway=COLORWAY,
            separators=SEPARATORS,
            xaxis=axis,
            yaxis=axis,
            legend=dict(font=dict(size=12), bgcolor="rgba(255,255,255,0.8)", orientation="h",
                        yanchor="top", y=-0.12, x=0, xanchor="left"),
            hoverlabel=dict(font=dict(family=FONT_FAMILY, size=13), bgcolor="white"),
            margin=dict(l=10, r=20, t=80, b=60),
            bargap=0.25,
        ),
    )
    pio.templates[TEMPLATE] = template
    _registered = True
    return TEMPLATE


def apply(fig: go.Figure) -> go.Figure:
    """Set the template and Swedish separators on a figure (returns it)."""
    register()
    fig.update_layout(template=TEMPLATE, separators=SEPARATORS)
    return fig


def plotly_config(filename: str = "diagram") -> dict:
    """The `config=` for st.plotly_chart: Swedish-free modebar, PNG in slide size, no logo."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": 1600, "height": 900,
                                 "scale": 2},
    }


register()

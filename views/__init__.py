"""The view layer: one description of every chart and table, drawn by every output.

    from views import Selection, view, page_views
    sel = Selection(start, end, level="region", regions=("01", "03"))
    v = view(ds, sel, "jamforelse:svf_within_target")   # table, title, selection line, notes, options

No Streamlit here: the app, the command line (`python -m indicators report`), the images, the
CSV/Excel files and the meeting pack all build the same views. charts.render.figure(view) draws
one; export/ writes them.
"""

from .context import Context, DatasetIdentity, context
from .model import HIDDEN_PRIMARY, HIDDEN_SECONDARY, Cell, View
from .registry import (
    COVERAGE_PAGE_TABS,
    LEAD_TIME_PAGE_TABS,
    PAGES,
    PRESETS,
    PUBLISHED_PAGE,
    PUBLISHED_PAGE_TABS,
    available_views,
    chosen_indicator,
    chosen_quality_indicator,
    page_views,
    preset_views,
    raw_view,
    universe,
    view,
    views,
)
from .selection import Selection, default_period, from_where

__all__ = ["Cell", "Context", "DatasetIdentity", "HIDDEN_PRIMARY", "HIDDEN_SECONDARY", "Selection", "View",
           "COVERAGE_PAGE_TABS", "LEAD_TIME_PAGE_TABS", "PAGES", "PRESETS", "PUBLISHED_PAGE", "PUBLISHED_PAGE_TABS", "available_views", "chosen_indicator",
           "chosen_quality_indicator", "context", "default_period", "from_where", "page_views", "preset_views",
           "raw_view", "universe", "view", "views"]

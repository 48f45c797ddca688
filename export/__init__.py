"""Exports for meetings: stamped chart images (images), the numbers behind them as CSV/Excel
(tables), and the meeting pack as PowerPoint or PDF (pack). They write views (views.view); no
Streamlit import here, so everything is usable from the command line and testable alone. Which
data an export comes from is `views.context(ds).identity` (views.context.DatasetIdentity)."""

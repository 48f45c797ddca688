"""The Streamlit side of Indikatorpanelen: data access with caching (ui.data), the shared
URL-bound filters (ui.filters), Swedish formatting (ui.format) and page building blocks
(ui.layout). Pages import from here; they never compute indicator values themselves."""

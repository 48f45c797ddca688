"""The Streamlit side of Indikatorpanelen: which data set and its views (ui.data), the shared
URL-bound filters that make a views.Selection (ui.filters), the page list (ui.navigation) and page
building blocks (ui.layout, ui.downloads). Pages compose views; they never compute numbers."""

"""Download buttons under every chart and table: PNG and SVG of the chart (stamped with title,
selection, extract date and source; rendered on the server by kaleido), and the numbers behind it
as CSV and Excel, all drawn from the same view as the screen.

The files are generated only when a button is clicked (callable `data`), and a click does not
rerun the page (`on_click="ignore"`). The callables run outside the script thread, so they capture
what they need here and call no Streamlit commands.
"""

from __future__ import annotations

import streamlit as st

import textfmt as fmt
from export import images as ximages
from export import tables as xtables

MIME_PNG = "image/png"
MIME_SVG = "image/svg+xml"
MIME_CSV = "text/csv"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def view_downloads(view, identity, catalogue, *, key: str, chosen_days: int | None = None,
                   figure: bool = True) -> None:
    """PNG, SVG (when the view has a chart), CSV and Excel buttons in one row."""
    base = fmt.slug(view.title)
    if identity.extract_date:
        base = f"{base}_{fmt.iso_date(identity.extract_date)}"
    with st.container(horizontal=True, gap="small", key=f"dl_{key}"):
        if figure:
            ximages.start_renderer()  # once per process, in the background: the first click is warm
            st.download_button("PNG", lambda v=view: ximages.view_png(v, identity, chosen_days=chosen_days),
                               file_name=f"{base}.png", mime=MIME_PNG, key=f"{key}_png", on_click="ignore",
                               icon=":material/image:",
                               help="Bild för presentation (16:9, 3200 × 1800) med titel, urval och datauttag")
            st.download_button("SVG", lambda v=view: ximages.view_svg(v, identity, chosen_days=chosen_days),
                               file_name=f"{base}.svg", mime=MIME_SVG, key=f"{key}_svg", on_click="ignore",
                               icon=":material/image:", help="Vektorbild (skalbar) med titel, urval och datauttag")
        st.download_button("CSV", lambda v=view: xtables.to_csv_bytes(v, identity, catalogue),
                           file_name=f"{base}.csv", mime=MIME_CSV, key=f"{key}_csv", on_click="ignore",
                           icon=":material/table:",
                           help="Siffrorna bakom, semikolonseparerade (öppnas i Excel), med urval och datauttag")
        st.download_button("Excel", lambda v=view: xtables.to_excel_bytes(v, identity, catalogue),
                           file_name=f"{base}.xlsx", mime=MIME_XLSX, key=f"{key}_xlsx", on_click="ignore",
                           icon=":material/table_view:",
                           help="Siffrorna bakom som Excel, med urvalet överst och fliken 'Om urvalet'")

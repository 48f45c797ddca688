"""Plotly figures with one explicit template (charts.theme) shared by screen and export."""

from . import theme

theme.register()

"""Text that leaves the program must be inert where it lands.

- Spreadsheets (CSV, Excel) run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
  return as a formula (OWASP "CSV injection"): `spreadsheet_cell` prefixes such text with an
  apostrophe, which Excel and LibreOffice show as plain text. Numbers stay numbers.
- plotly reads a subset of HTML in every text it draws (titles, tick labels, hover texts, legend
  names, SVG export): `markup` escapes data-derived text so `<a href=…>` is drawn as characters.
- One-line contexts (CSV comment lines, metadata cells, terminal output): `one_line` removes line
  breaks and control characters (ANSI escape sequences included).
"""

from __future__ import annotations

import html
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def spreadsheet_cell(value):
    """`value` as a spreadsheet may receive it: text that a spreadsheet would run as a formula
    gets a leading apostrophe; every other value is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def markup(text) -> str:
    """Data-derived text for plotly: `<`, `>` and `&` escaped, so it is drawn and never read as
    markup or a link."""
    return html.escape(str(text), quote=False)


def one_line(text, max_len: int | None = None) -> str:
    """`text` on one line without control characters or escape sequences; cut with '…' after
    `max_len` characters."""
    out = _CONTROL.sub(" ", str(text))
    out = re.sub(r" {2,}", " ", out).strip()
    if max_len is not None and len(out) > max_len:
        out = out[: max_len - 1].rstrip() + "…"
    return out


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#!|~<>$:])")
_LINE_START = re.compile(r"^(\d+(?=\.)|)([+\-=.])")


def md(text) -> str:
    """Data-derived text for Streamlit's markdown (st.markdown, captions, metric labels, headers):
    every markdown and Streamlit directive character backslash-escaped, on one line, so a name
    like `[x](http://…)` or `:red[…]` is shown as characters, never as a link or a style. Dots and
    dashes are escaped only where they could start a list ('-', '1.') or heading."""
    return _LINE_START.sub(r"\1\\\2", _MARKDOWN.sub(r"\\\1", one_line(text)))

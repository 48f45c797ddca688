"""A grid view (the overview's scorecard, the coverage table) as the screen's coloured table: one row
per unit, one column per indicator (or register), each cell its status symbol, value and n, or why it
has none. The Streamlit layer only draws this frame; the PNG/SVG and the pack draw the same view's
plotly grid (charts.figures), from the same rows.
"""

from __future__ import annotations

import pandas as pd

import textfmt as fmt

from . import theme


def column_label(view, r: dict) -> str:
    """A column's heading: the indicator and its target, or the register (⚠ when its target is a
    placeholder)."""
    if view.kind == "scorecard":
        return f"{r['indicator_label']} ({r['target_text']})"
    return str(r["register_label"]) + (" ⚠" if r.get("placeholder_register") else "")


def row_label(r: dict) -> str:
    return f"{r['label']} (egen)" if r["role"] == "own" else str(r["label"])


def cell_text(r: dict) -> str:
    """'✓ 82,0 % (41 av 50)', '– otillräckligt underlag', 'inga fall'; ' ?' when the interval spans a
    target level (the colour may be chance)."""
    symbol = theme.LEVEL_SYMBOLS.get(r["level"], "")
    missing = fmt.missing_text(r)
    if missing:
        return f"{symbol} {missing}".strip()
    n = fmt.n_text(r.get("numerator"), r.get("denominator"))
    text = f"{symbol} {fmt.value_text(r['value'], 'procent')} ({n})".strip()
    return text + (" ?" if r.get("ci_status") == "uncertain" else "")


def frames(view) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cell texts, cell CSS) of a grid view, units as the index and columns in the view's order;
    a unit without a row for a column is an empty white cell."""
    cells, levels, rows, columns = {}, {}, [], []
    for r in view.table.to_dict("records"):
        row, col = row_label(r), column_label(view, r)
        rows.append(row)
        columns.append(col)
        cells[(row, col)] = cell_text(r)
        levels[(row, col)] = r["level"]
    rows, columns = list(dict.fromkeys(rows)), list(dict.fromkeys(columns))
    text = pd.DataFrame([[cells.get((r, c), "") for c in columns] for r in rows], index=rows, columns=columns)
    css = pd.DataFrame([[f"background-color: {theme.LEVEL_COLORS.get(levels.get((r, c)), '#ffffff')}; "
                         f"color: {theme.TEXT}" for c in columns] for r in rows], index=rows, columns=columns)
    return text, css

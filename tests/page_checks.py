"""Shared by the AppTest page tests: run a page, read its plotly charts (typed arrays decoded as
stack-notes §1.5 shows), the selection the page drew (`ui.filters.current()`), and compare what a
chart plots with the engine's own result for that selection.

What a comparison shows, checked against the engine: every unit the engine suppresses (too few
cases) is hidden; a unit the engine shows is either drawn with exactly the engine's value or hidden
as a complementary partner ('secondary', said in the figure as "dold …"); riket is the engine's
ungrouped result. The figure on screen is the figure of the protected view for the same selection.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

import textfmt as fmt

ROOT = Path(__file__).resolve().parents[1]
FILTERS_KEY = "_indikatorpanelen_filters"


def run_app(data_dir, page: str | None = None, timeout: float = 180, **query) -> AppTest:
    """app.py over `data_dir` with `query` in the URL, then (optionally) the page file `page`
    (e.g. 'app_pages/3_SVF_ledtider.py'). Fails on any exception."""
    import os

    os.environ["INDIKATORPANELEN_DATA"] = str(data_dir)
    os.environ.pop("INDIKATORPANELEN_STORE", None)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [(e.message, e.stack_trace[-6:]) for e in at.exception]
    if page:
        at.switch_page(page)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [(e.message, e.stack_trace[-6:]) for e in at.exception]
    return at


def selection(at: AppTest):
    """The views.Selection the page drew (ui.filters keeps it in the session)."""
    return at.session_state[FILTERS_KEY]


def arr(v) -> np.ndarray:
    """A plotly array from the figure JSON: typed base64 ({'dtype','bdata'}) or a plain list."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray([np.nan if x is None else x for x in v], dtype=object)


def specs(at: AppTest) -> list[dict]:
    """Every plotly figure spec on the page, in order."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly figure specs by title."""
    out = {}
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        out[spec["layout"]["title"]["text"]] = spec
    return out


def chart_titled(at: AppTest, text: str, trace_type: str | None = None) -> dict:
    """The first chart whose title contains `text` (and whose first trace is of `trace_type`)."""
    for spec in specs(at):
        if text in spec["layout"]["title"]["text"] and (trace_type is None or spec["data"][0]["type"] == trace_type):
            return spec
    raise AssertionError(f"no chart titled {text!r}: {list(charts(at))}")


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The page's table that has `column` (the frame's data-status popover has tables too)."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}: {[list(d.value.columns) for d in at.dataframe]}")


def bar_values(spec: dict) -> pd.Series:
    """label → value of a charts.figures.bar_comparison figure (its first trace; NaN when hidden)."""
    tr = spec["data"][0]
    return pd.Series(arr(tr["x"]).astype(float), index=list(tr["y"]))


def figure_texts(spec: dict) -> dict[str, str]:
    """label → the words a bar figure writes beside a row without a bar (the text traces)."""
    out = {}
    for tr in spec["data"]:
        if tr.get("mode") == "text" and tr.get("text") is not None:
            for y, t in zip(tr["y"], tr["text"]):
                if t and str(t).strip():
                    out[str(y)] = str(t).strip()
    return out


def region_names(ds) -> dict[str, str]:
    t = ds.reference("regions")
    return dict(zip(t["region_code"].astype(str), t["region_name"].astype(str)))


def pathway_names(ds) -> dict[str, str]:
    t = ds.reference("svf_pathways")
    return dict(zip(t["svf_code"].astype(str), t["svf_name"].astype(str)))


def engine_units(ds, indicator: str, sel, dim: str = "region", where: dict | None = None) -> pd.DataFrame:
    """The engine's result (primary suppression only) for riket ('__riket__') and every unit of `dim`."""
    riket = ds.compute(indicator, by=[], start=sel.start, end=sel.end, where=where or {})
    units = ds.compute(indicator, by=[dim], start=sel.start, end=sel.end, where=where or {})
    out = pd.concat([riket.assign(**{dim: "__riket__"}), units], ignore_index=True)
    out[dim] = out[dim].astype(str)
    return out.set_index(dim)


def check_comparison(spec: dict, view, engine: pd.DataFrame, labels: dict[str, str]) -> dict[str, str]:
    """The bars of `spec` against the protected `view` and the engine's result (`engine_units`).
    `labels` maps an engine key (region code, '__riket__') to the bar label. Returns label → how the
    row is hidden ('primary' | 'secondary') for the rows without a bar."""
    bars = bar_values(spec)
    words = figure_texts(spec)
    table = view.table.assign(_key=[("__riket__" if r == "riket" else str(u))
                                    for r, u in zip(view.table["role"], view.table["unit_code"])]).set_index("_key")
    hidden = {}
    assert len(bars) == len(table), (list(bars.index), list(table["label"]))
    for key, row in table.iterrows():
        label = labels[key]
        assert row["label"] == label, (key, row["label"], label)
        got = bars[label]
        if bool(row["no_cases"]):
            assert key not in engine.index or float(engine.loc[key, "denominator"] or 0) == 0, key
            assert np.isnan(got) and words.get(label) == fmt.NO_CASES, (label, got, words.get(label))
            continue
        eng = engine.loc[key]
        if bool(eng["suppressed"]):  # too few cases: hidden everywhere
            assert row["hidden"] == "primary", (label, row["hidden"])
        if row["hidden"] is not None:
            assert np.isnan(got), (label, got)
            assert bool(eng["suppressed"]) or row["hidden"] == "secondary", (label, row["hidden"])
            want = fmt.SUPPRESSED if row["hidden"] == "primary" else fmt.SUPPRESSED_SECONDARY_SHORT
            assert words.get(label) == want, (label, words.get(label))
            hidden[label] = row["hidden"]
            continue
        # shown: exactly the engine's numbers
        assert got == float(eng["value"]) or abs(got - float(eng["value"])) < 1e-9, (label, got, eng["value"])
        for col in ("numerator", "denominator"):
            if not fmt.is_missing(eng[col]):
                assert float(row[col]) == float(eng[col]), (label, col, row[col], eng[col])
    return hidden


def screen_equals_view(spec: dict, view) -> None:
    """The chart on screen is the protected view's figure: the same data in every trace."""
    import plotly.io as pio

    from charts.render import figure

    fig = figure(view)
    assert fig is not None, view.id
    mine = _plain(json.loads(pio.to_json(fig))["data"])
    assert _plain(spec["data"]) == mine, view.id


def _plain(obj):
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            return [None if isinstance(v, float) and np.isnan(v) else v.item() for v in a]
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj

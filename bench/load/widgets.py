"""Widget discovery and widget values, as Streamlit's frontend sees them: the one place the load
generator knows what the app's filters look like.

A widget is found by its *user key*, never by its label or position, so a page redesign that keeps
the keys keeps the load generator working. Streamlit puts the user key at the end of the element
id (``$$ID-<32 hex digits>-<key>``) and, for a widget bound to the URL (``bind="query-params"``),
also in the proto's ``query_param_key``; either matches. The filters of Indikatorpanelen are today
``fran``, ``till``, ``tidsenhet``, ``niva``, ``regioner``, ``egen_region``, ``forlopp`` and
``register`` (ui/filters.py), each bound to the URL parameter of the same name.

Values are kept as the frontend keeps them: the *displayed* option texts (``"Sjukvårdsregion"``),
a tuple of them (empty = nothing chosen). The widget kinds whose value the generator can set are
``selectbox`` (sent as ``string_value``), ``multiselect``, ``button_group`` (segmented control,
pills) and ``select_slider`` (one value or a range; all sent as ``string_array_value``); the browser
sends the same (checked by tests/test_load_browser.py against the frames a real Chromium sends).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from streamlit.proto.WidgetStates_pb2 import WidgetState

SETTABLE = ("selectbox", "multiselect", "button_group", "slider")  # slider: only st.select_slider
# element types that carry a widget id but no value the frontend reports on a rerun
_NO_VALUE = ("button", "download_button", "page_link", "link_button", "plotly_chart", "dataframe",
             "vega_lite_chart", "deck_gl_json_chart", "form_submit_button")
_ID_RE = re.compile(r"^\$\$ID-[0-9a-f]{32}-(?P<key>.+)$", re.DOTALL)


class WidgetNotFound(LookupError):
    """No widget with the asked key on the page (the message names the page and the keys there)."""


@dataclass(frozen=True)
class Widget:
    """One widget of a finished run, described from its proto."""

    id: str
    kind: str  # the Element field: 'selectbox', 'multiselect', 'button_group', ...
    key: str | None  # user key (from the id), None for widgets without one
    param: str | None  # query_param_key when bound to the URL
    label: str
    options: tuple[str, ...]
    default: tuple[str, ...]  # default selection, option texts
    server_value: tuple[str, ...] | None  # value the server set (URL seeding, session state), else None
    disabled: bool
    multi: bool  # more than one option may be chosen

    @property
    def name(self) -> str:
        return self.param or self.key or self.id


def user_key(widget_id: str) -> str | None:
    """The user key at the end of a Streamlit element id, or None (an id without a user key)."""
    m = _ID_RE.match(widget_id or "")
    return m.group("key") if m else None


def from_element(element) -> Widget | None:
    """A Widget for an Element proto of a settable kind; None for anything else."""
    kind = element.WhichOneof("type")
    if kind not in SETTABLE:
        return None
    proto = getattr(element, kind)
    if not proto.id:
        return None
    if kind == "slider":
        if proto.type != proto.SELECT_SLIDER or not proto.options:
            return None  # a numeric slider: not driven by the load generator
        kind = "select_slider"
        options = tuple(proto.options)
        default = tuple(options[int(i)] for i in proto.default if 0 <= int(i) < len(options))
        multi = len(default) > 1
        raw = tuple(proto.raw_value) if proto.set_value else None
    elif kind == "button_group":
        options = tuple(o.content for o in proto.options)
        default = tuple(options[i] for i in proto.default if 0 <= i < len(options))
        multi = proto.click_mode == proto.MULTI_SELECT
        raw = tuple(proto.raw_values) if proto.set_value else None
    elif kind == "multiselect":
        options = tuple(proto.options)
        default = tuple(options[i] for i in proto.default if 0 <= i < len(options))
        multi = True
        raw = tuple(proto.raw_values) if proto.set_value else None
    else:  # selectbox
        options = tuple(proto.options)
        default = (options[proto.default],) if proto.HasField("default") and 0 <= proto.default < len(options) else ()
        multi = False
        raw = ((proto.raw_value,) if proto.HasField("raw_value") else ()) if proto.set_value else None
    param = proto.query_param_key if proto.HasField("query_param_key") and proto.query_param_key else None
    return Widget(id=proto.id, kind=kind, key=user_key(proto.id), param=param, label=proto.label,
                  options=options, default=default, server_value=raw, disabled=bool(proto.disabled), multi=multi)


def has_value(element) -> bool:
    """Whether the frontend reports a value for this element on a rerun (a settable widget)."""
    return from_element(element) is not None


def find(widgets: Iterable[Widget], key: str, page: str = "") -> Widget:
    """The widget whose query parameter or user key is `key`. Raises WidgetNotFound naming the
    page and the keys that are there."""
    widgets = list(widgets)
    for w in widgets:
        if w.param == key:
            return w
    for w in widgets:
        if w.key == key:
            return w
    there = sorted({w.name for w in widgets})
    raise WidgetNotFound(f"ingen widget med nyckeln '{key}' på sidan '/{page}'; widgetar där: "
                         + (", ".join(there) if there else "inga"))


def check_value(widget: Widget, values: tuple[str, ...]) -> None:
    """Raise ValueError when `values` is not a selection the widget allows."""
    unknown = [v for v in values if v not in widget.options]
    if unknown:
        raise ValueError(f"'{widget.name}': {unknown[0]!r} är inget av dess alternativ")
    if not widget.multi and len(values) > 1:
        raise ValueError(f"'{widget.name}' tar ett värde, inte {len(values)}")
    if widget.kind == "select_slider":
        if len(values) != len(widget.default):
            raise ValueError(f"'{widget.name}' tar {len(widget.default)} värden, inte {len(values)}")
        if [widget.options.index(v) for v in values] != sorted(widget.options.index(v) for v in values):
            raise ValueError(f"'{widget.name}': värdena måste komma i alternativens ordning")


def widget_state(widget_id: str, kind: str, values: tuple[str, ...]) -> WidgetState:
    """The WidgetState the frontend sends for a widget of `kind` holding `values`."""
    state = WidgetState(id=widget_id)
    if kind == "selectbox":
        if values:
            state.string_value = values[0]
    elif kind in ("multiselect", "button_group", "select_slider"):
        state.string_array_value.data.extend(values)
    else:
        raise ValueError(f"cannot set a widget of kind {kind}")
    return state


def initial_value(widget: Widget, held: tuple[str, ...] | None) -> tuple[str, ...]:
    """The value the frontend holds for `widget` after a run: what the server set, else what it held
    before (same widget id), else the default."""
    if widget.server_value is not None:
        return widget.server_value
    if held is not None:
        return held
    return widget.default


# -- the URL, as the frontend keeps it for bound widgets ---------------------------------------

def parse_query(query: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(query or "", keep_blank_values=True)


def set_query_param(query: str, param: str, values: tuple[str, ...], default: tuple[str, ...]) -> str:
    """The query string after a bound widget changed to `values`, as the frontend writes it: the
    parameter keeps its place (or is appended), one entry per value, and is removed when the
    value is the widget's default."""
    pairs = parse_query(query)
    keep_default = tuple(values) == tuple(default)
    out: list[tuple[str, str]] = []
    placed = False
    for k, v in pairs:
        if k != param:
            out.append((k, v))
        elif not placed:
            placed = True
            if not keep_default:
                out.extend((param, x) for x in values)
    if not placed and not keep_default:
        out.extend((param, x) for x in values)
    return urllib.parse.urlencode(out)


def query_filters(query: str, params: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """{param: values} of the given parameters in a query string (missing ones left out)."""
    wanted = set(params)
    out: dict[str, list[str]] = {}
    for k, v in parse_query(query):
        if k in wanted:
            out.setdefault(k, []).append(v)
    return {k: tuple(v) for k, v in out.items()}


def values_by_name(widgets: Mapping[str, Widget], held: Mapping[str, tuple[str, ...]],
                   names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """{name: value held} for the widgets called `names` (query parameter or user key)."""
    out = {}
    for name in names:
        for w in widgets.values():
            if name in (w.param, w.key):
                out[name] = tuple(held.get(w.id, w.default))
                break
    return out

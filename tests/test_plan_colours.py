"""The cancer plan's status colours are readable by everyone (charts.theme.PLAN_STATUS_*): under a
simulation of deuteranopia and protanopia the five statuses stay clearly apart (CIE76 ΔE ≥ 25
between every pair; ≥ 15 for tritanopia), dark text stays readable on each (contrast ≥ 4.5), and
each status has a symbol of its own (the same as the engine's), so colour is never the only cue."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from colour_vision import delta_e, hex_rgb, simulate  # noqa: E402

from charts import theme  # noqa: E402
from indicators.plan import STATUS_LABELS, STATUS_SYMBOLS, STATUSES  # noqa: E402


@pytest.mark.parametrize("kind,least", [("deuteranopia", 25), ("protanopia", 25), ("tritanopia", 15)])
def test_plan_status_colours_stay_apart_for_colour_blind_eyes(kind, least):
    seen = {s: simulate(hex_rgb(theme.PLAN_STATUS_COLORS[s]), kind) for s in STATUSES}
    for a, b in itertools.combinations(STATUSES, 2):
        assert delta_e(seen[a], seen[b]) >= least, (kind, a, b, delta_e(seen[a], seen[b]))


def test_plan_status_colours_stay_apart_for_everyone_else():
    for a, b in itertools.combinations(STATUSES, 2):
        assert delta_e(hex_rgb(theme.PLAN_STATUS_COLORS[a]), hex_rgb(theme.PLAN_STATUS_COLORS[b])) >= 25, (a, b)


def _luminance(rgb):
    c = rgb / 255.0
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_text_is_readable_on_every_plan_status_colour():
    text = _luminance(hex_rgb(theme.TEXT))
    for s in STATUSES:
        assert (_luminance(hex_rgb(theme.PLAN_STATUS_COLORS[s])) + 0.05) / (text + 0.05) >= 4.5, s


def test_every_plan_status_has_its_own_symbol_and_name():
    assert set(theme.PLAN_STATUS_COLORS) == set(STATUSES)
    symbols = [theme.PLAN_STATUS_SYMBOLS[s] for s in STATUSES]
    assert symbols == ["✓", "↗", "✗", "–", "○"] and symbols == [STATUS_SYMBOLS[s] for s in STATUSES]
    assert [theme.PLAN_STATUS_NAMES[s] for s in STATUSES] == [STATUS_LABELS[s] for s in STATUSES]

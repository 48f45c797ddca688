"""Status is readable by everyone: under a simulation of deuteranopia and protanopia (red-green
colour blindness, about one man in twelve) the status colours of the overview stay clearly apart
(CIE76 ΔE ≥ 25 between every pair of the four statuses; ≥ 15 for the rare tritanopia), dark text
stays readable on each (contrast ≥ 4.5), and every status carries a symbol of its own, so colour is
never the only cue."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from colour_vision import MATRICES, delta_e, hex_rgb, simulate  # noqa: E402

from charts import theme  # noqa: E402

STATUSES = ("high", "low", "none", "suppressed")


@pytest.mark.parametrize("kind,least", [("deuteranopia", 25), ("protanopia", 25), ("tritanopia", 15)])
def test_status_colours_stay_apart_for_colour_blind_eyes(kind, least):
    seen = {s: simulate(hex_rgb(theme.LEVEL_COLORS[s]), kind) for s in STATUSES}
    for a, b in itertools.combinations(STATUSES, 2):
        assert delta_e(seen[a], seen[b]) >= least, (kind, a, b, delta_e(seen[a], seen[b]))


def _luminance(rgb):
    c = rgb / 255.0
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_cell_text_is_readable_on_every_status_colour():
    text = _luminance(hex_rgb(theme.TEXT))
    for s in STATUSES:
        assert (_luminance(hex_rgb(theme.LEVEL_COLORS[s])) + 0.05) / (text + 0.05) >= 4.5, s


def test_the_old_palette_failed_the_same_check():
    """Green 'hög' and red 'ej uppnådd' of the earlier palette became the same olive (the issue)."""
    old_green, old_red = hex_rgb("#66bb6a"), hex_rgb("#ef5350")
    assert delta_e(simulate(old_green), simulate(old_red)) < 20


def test_every_status_has_its_own_symbol():
    symbols = [theme.LEVEL_SYMBOLS[s] for s in STATUSES]
    assert all(symbols) and len(set(symbols)) == len(symbols)

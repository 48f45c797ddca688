"""The benchmark's pandas peer (bench/peer_pandas.py) gives the engine's numbers.

`make bench` compares the engine with an independent plain-pandas implementation of the same
indicators; this test keeps that comparison honest on a small generated set (scale 0.03): same
groups, same suppression, and numerator, denominator and value within 1e-6 (data-contract.md §6),
for the fixed indicators and two quality indicators, over several groupings, periods and filters.
No timing is checked here.
"""

from __future__ import annotations

from datetime import date

import pytest

from bench import peer_pandas as pp
from indicators import open_data
from indicators.generate import generate

GROUPINGS = ([], ["region"], ["quarter"], ["region", "svf_code"], ["healthcare_region", "year"], ["sex"],
             ["treatment_type"], ["register"], ["substance"], ["month"])
# the whole default period, and a part of it cut mid-year (svf_inclusion's partial-year weighting)
PERIODS = ((None, None), (date(2022, 4, 1), date(2024, 9, 30)))


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    directory = tmp_path_factory.mktemp("peer") / "set"
    generate(directory, scale=0.03, seed=11)
    return open_data(directory), pp.PeerData(directory)


def _indicators(ds):
    qi = [i.id for i in ds.catalogue() if i.is_quality_indicator]
    return list(pp.FIXED) + qi[:1] + qi[-1:]


def _check(ds, peer, indicator, by, start, end, where=None):
    engine = ds.compute(indicator, by=by, start=start, end=end, where=where)
    mine = pp.compute(peer, indicator, by=by, start=start, end=end, where=where)
    result = pp.compare(engine, mine, indicator, by)
    assert result.ok, f"{indicator} by {by} {start}–{end} where {where}: {result.problems}"
    return result


def test_peer_matches_engine_on_every_grouping_and_period(sets):
    ds, peer = sets
    compared = 0
    for indicator in _indicators(ds):
        dims = ds.catalogue().get(indicator).dimensions
        for by in GROUPINGS:
            if not set(by) <= set(dims):
                continue
            for start, end in PERIODS:
                compared += _check(ds, peer, indicator, by, start, end).compared
    assert compared > 500  # the comparison really compared values, not only suppressed rows


def test_peer_matches_engine_with_filters(sets):
    ds, peer = sets
    cases = [
        ("svf_within_target", ["region"], {"svf_code": ["brost", "prostata"]}),
        ("svf_lead_time_median", ["svf_code"], {"treatment_type": "surgery", "sex": "K"}),
        ("svf_over_175", [], {"healthcare_region": ["Västra", "Norra"]}),
        ("svf_inclusion", ["svf_code"], {"region": ["01", "14"]}),
        ("svf_inclusion", ["region"], {"quarter": ["2024-Q1", "2024-Q3"]}),
        ("register_coverage", ["region"], {"register": "nkbc"}),
        ("register_reporting_90d", ["register"], {"year": "2024"}),
        ("rcl_coverage", ["svf_code"], {"region": "01"}),
        ("rcl_starts_per_100k", ["quarter"], {"healthcare_region": "Södra"}),
    ]
    for indicator, by, where in cases:
        _check(ds, peer, indicator, by, date(2022, 1, 1), date(2025, 12, 31), where)


def test_the_comparison_catches_a_wrong_number(sets):
    ds, peer = sets
    engine = ds.compute("svf_within_target", by=["region"], start=date(2024, 1, 1), end=date(2024, 12, 31))
    mine = pp.compute(peer, "svf_within_target", by=["region"], start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert pp.compare(engine, mine, "svf_within_target", ["region"]).ok
    shown = mine.index[~mine["suppressed"]][0]
    mine.loc[shown, "numerator"] += 1
    mine.loc[shown, "value"] += 1e-3
    result = pp.compare(engine, mine, "svf_within_target", ["region"])
    assert not result.ok and any("differ" in p for p in result.problems)
    assert not pp.compare(engine, mine.iloc[1:], "svf_within_target", ["region"]).ok  # a missing group

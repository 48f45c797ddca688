"""Tests for indicators.stats.

Expected numbers are copied literally from /work/shared/peers.md §3 (case numbers in the
test names); they are never computed by the code under test.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import stats

REL = 1e-6  # peers §3 default tolerance (relative)


def approx(v, rel=REL, abs=0.0):
    return pytest.approx(v, rel=rel, abs=abs)


# ---------------------------------------------------------------------------------------
# constants
# ---------------------------------------------------------------------------------------
def test_constants():
    assert stats.Z95 == 1.959963984540054
    assert stats.Z998 == 3.090232306167813
    assert stats.z_for_level(0.95) == stats.Z95
    assert stats.z_for_level(0.998) == stats.Z998
    assert stats.z_for_level(0.90) == approx(1.6448536269514722)


# ---------------------------------------------------------------------------------------
# Wilson (cases 1-7, 8-10 Wilson parts, 14, 19)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "x, n, z, lower, upper",
    [
        # case 1
        (65, 100, stats.Z95, 0.55254443296888, 0.73635751756902),
        # case 2
        (65, 100, stats.Z998, 0.49549465740704, 0.77835406140897),
        # case 3
        (1045, 5000, stats.Z95, 0.19795549880013, 0.22049130373189),
        (1045, 5000, stats.Z998, 0.19179381799015, 0.22731562902526),
        # case 4
        (1, 100, stats.Z95, 0.0017674320641407, 0.054486196178705),
        (1, 100, stats.Z998, 0.00087306569729998, 0.10455445283706),
        # case 5
        (9856, 12345, stats.Z95, 0.79121017529091, 0.80536400736149),
        (222, 3215, stats.Z95, 0.060791690363637, 0.078339566813836),
        (999, 3456, stats.Z95, 0.27418951080010, 0.30440389662818),
        # case 6 (grouped sums)
        (130, 200, stats.Z95, 0.58163464336040, 0.71271175872642),
        (40, 200, stats.Z95, 0.15045200926098, 0.26085518656538),
        # case 7 (fractional x)
        (0.445, 1, stats.Z95, 0.043817447720588, 0.93346212769792),
        # case 8 (Wilson part)
        (18, 20, stats.Z95, 0.6989663547715, 0.9721335187862),
        # case 9 (Wilson parts)
        (4, 20, stats.Z95, 0.0806576625798, 0.4160174322519),
        (4, 200, stats.Z95, 0.0078044264163, 0.0502870869058),
    ],
)
def test_wilson_published(x, n, z, lower, upper):
    lo, hi = stats.wilson_interval(x, n, z)
    assert lo == approx(lower)
    assert hi == approx(upper)


def test_wilson_case10_edges():
    # values published to 7-8 significant digits
    lo, hi = stats.wilson_interval(0, 30)
    assert lo == 0.0
    assert hi == approx(0.11351339, abs=5e-9)
    lo, hi = stats.wilson_interval(30, 30)
    assert lo == approx(0.8864866, abs=5e-8)
    assert hi == 1.0
    lo, hi = stats.wilson_interval(1, 30)
    assert lo == approx(0.0059085904, abs=5e-11)
    assert hi == approx(0.16670391, abs=5e-9)
    # the Wald lower limit would be -0.0309007; Wilson is never negative
    assert lo > 0


def test_wilson_case14_fingertips_ci_is_wilson():
    lo, hi = stats.wilson_interval(53185, 59028)
    assert lo * 100 == approx(89.8578, abs=5e-5)
    assert hi * 100 == approx(90.3396, abs=5e-5)


def test_wilson_x0_and_xn_all_levels():
    for n in (1, 2, 7, 30, 1000):
        for z in (stats.Z95, stats.Z998):
            lo, hi = stats.wilson_interval(0, n, z)
            assert lo == 0.0 and 0 < hi < 1
            lo, hi = stats.wilson_interval(n, n, z)
            assert hi == 1.0 and 0 < lo < 1


def test_wilson_vectorised_and_invalid():
    lo, hi = stats.wilson_interval(np.array([65, 1, 0, 5]), np.array([100, 100, 0, 3]))
    assert lo.shape == (4,) and hi.shape == (4,)
    assert lo[0] == approx(0.55254443296888)
    assert hi[1] == approx(0.054486196178705)
    assert np.isnan(lo[2]) and np.isnan(hi[2])  # n <= 0
    assert np.isnan(lo[3]) and np.isnan(hi[3])  # x > n
    # broadcasting a scalar n; negative n is nan
    lo, hi = stats.wilson_interval([0, 30], 30)
    assert lo[0] == 0.0 and hi[1] == 1.0
    lo, hi = stats.wilson_interval(1, -5)
    assert math.isnan(lo) and math.isnan(hi)


# ---------------------------------------------------------------------------------------
# target and gap (case 19)
# ---------------------------------------------------------------------------------------
def test_case19_target_and_gap():
    lo, hi = stats.wilson_interval(150, 200)
    assert lo == approx(0.6857, abs=5e-5)
    assert hi == approx(0.8049, abs=5e-5)
    assert 150 / 200 < 0.80  # point: not met
    assert stats.target_status_ci(lo, hi, 0.80, "higher") == "uncertain"
    # same unit for all three: percent works too
    assert stats.target_status_ci(lo * 100, hi * 100, 80, "higher") == "uncertain"
    assert stats.patients_to_target(150, 200, 80) == 10


def test_target_status_rules():
    assert stats.target_status_ci(0.81, 0.9, 0.80, "higher") == "met"
    assert stats.target_status_ci(0.80, 0.9, 0.80, "higher") == "met"
    assert stats.target_status_ci(0.70, 0.79, 0.80, "higher") == "not_met"
    assert stats.target_status_ci(0.70, 0.80, 0.80, "higher") == "uncertain"
    assert stats.target_status_ci(0.05, 0.10, 0.10, "lower") == "met"
    assert stats.target_status_ci(0.11, 0.20, 0.10, "lower") == "not_met"
    assert stats.target_status_ci(0.10, 0.20, 0.10, "lower") == "uncertain"
    assert stats.target_status_ci(float("nan"), 0.2, 0.1, "lower") is None
    out = stats.target_status_ci([0.81, 0.7, 0.7], [0.9, 0.79, 0.85], 0.80, "higher")
    assert list(out) == ["met", "not_met", "uncertain"]
    with pytest.raises(ValueError):
        stats.target_status_ci(0.1, 0.2, 0.3, "up")


def test_patients_to_target_exact_arithmetic():
    assert stats.patients_to_target(150, 200, 0.8 * 100) == 10
    assert stats.patients_to_target(150, 200, 80.0) == 10
    assert stats.patients_to_target(160, 200, 80) == 0
    assert stats.patients_to_target(170, 200, 80) == 0  # floored at 0
    assert stats.patients_to_target(0, 10, 70.1) == 8  # ceil(7.01)
    assert stats.patients_to_target(0, 1000, 70.1) == 701  # exactly 701, not 702
    assert stats.patients_to_target(0, 100, 85) == 85
    assert stats.patients_to_target(0, 0, 80) == 0


def test_expected_outside():
    assert stats.expected_outside(21, 0.95) == approx(1.05, rel=1e-12)
    assert stats.expected_outside(21, 0.998) == approx(0.042, rel=1e-12)


# ---------------------------------------------------------------------------------------
# PHE funnel limits (case 11, case 20)
# ---------------------------------------------------------------------------------------
P0_CASE11 = 80.642448 / 100


@pytest.mark.parametrize(
    "n, level, lower_pct, upper_pct",
    [
        (10, 0.95, 56.154344, None),
        (10, 0.998, 42.03259, None),
        (20, 0.95, 63.326743, 97.958152),
        (20, 0.998, 53.341156, None),
        (41, 0.95, 68.548635, 92.73626),
        (41, 0.998, 61.574398, 99.710497),
        (1, 0.95, 3.204264, 100.0),
        (1, 0.998, 0.0, 100.0),
    ],
)
def test_case11_phe_funnel(n, level, lower_pct, upper_pct):
    lo, hi = stats.phe_funnel_limits(P0_CASE11, n, level)
    assert lo * 100 == approx(lower_pct, rel=0, abs=1e-6)
    if upper_pct is not None:
        assert hi * 100 == approx(upper_pct, rel=0, abs=1e-6)


def test_case11_clamped_and_vectorised():
    lo, hi = stats.phe_funnel_limits(P0_CASE11, np.array([1, 10, 20, 41]), 0.998)
    assert lo[0] == 0.0 and hi[0] == 1.0 and hi[1] == 1.0  # clamped to [0, 1], never > 1
    assert lo * 100 == approx([0.0, 42.03259, 53.341156, 61.574398], rel=0, abs=1e-6)
    assert np.all(np.diff(lo) > 0)
    lo, hi = stats.phe_funnel_limits(0.5, [0, -1], 0.95)
    assert np.all(np.isnan(lo)) and np.all(np.isnan(hi))


def test_case20_phe_funnel_n100_p080():
    lo, hi = stats.phe_funnel_limits(0.80, 100, 0.95)
    assert lo * 100 == approx(72.160, abs=5e-4)
    assert hi * 100 == approx(87.840, abs=5e-4)
    lo, hi = stats.phe_funnel_limits(0.80, 100, 0.998)
    assert lo * 100 == approx(67.64, abs=5e-3)
    assert hi * 100 == approx(92.36, abs=5e-3)


@given(
    p0=st.floats(0.02, 0.98),
    n=st.integers(5, 100_000),
    level=st.sampled_from([0.95, 0.998]),
)
@settings(max_examples=200, deadline=None)
def test_phe_funnel_is_inverse_wilson(p0, n, level):
    """A unit exactly at a limit has a Wilson interval that touches p0."""
    z = stats.z_for_level(level)
    lo, hi = stats.phe_funnel_limits(p0, n, level)
    if 0 < lo:
        assert stats.wilson_interval(lo * n, n, z)[1] == approx(p0, rel=1e-7)
    if hi < 1:
        assert stats.wilson_interval(hi * n, n, z)[0] == approx(p0, rel=1e-7)


# ---------------------------------------------------------------------------------------
# Overdispersion (case 15) and OD limits
# ---------------------------------------------------------------------------------------
def test_case15_overdispersion_shmi():
    # FunnelPlotR's SR/SHMI path: z = sqrt(E) log(O/E), 10 % truncation.
    r = stats.overdispersion_ratio(
        [100, 150, 180, 80, 120, 225], [108, 112, 165, 95, 100, 220], trim=0.1
    )
    assert round(r["phi"], 6) == 2.948033
    assert r["tau2"] == approx(0.0194775, rel=0, abs=5e-8)
    assert r["units"] == 6  # with 6 units the rank rule truncates none


def test_overdispersion_ratio_truncates_extremes():
    rng = np.random.default_rng(1)
    e = rng.uniform(50, 200, 30)
    o = e * rng.uniform(0.8, 1.2, 30)
    r = stats.overdispersion_ratio(o, e)
    z = r["z"]
    # the most extreme unit at each end is dropped
    assert not r["kept"][np.argmin(z)] and not r["kept"][np.argmax(z)]
    assert r["units"] < 30


def test_overdispersion_proportions():
    x = np.array([80, 150, 300, 45, 700, 220])
    n = np.array([100, 200, 400, 50, 1000, 250])
    r = stats.overdispersion(x, n)
    p0 = x.sum() / n.sum()
    z = (np.arcsin(np.sqrt(x / n)) - np.arcsin(np.sqrt(p0))) * 2 * np.sqrt(n)
    assert r["z"] == approx(z)
    # winsorised at the 10th/90th percentiles
    assert r["z_winsorised"].max() < z.max() and r["z_winsorised"].min() > z.min()
    assert r["phi"] > 1 and r["tau2"] > 0
    # no overdispersion: every unit exactly at p0 -> phi 0, tau2 0
    r0 = stats.overdispersion([50, 100, 25], [100, 200, 50])
    assert r0["phi"] == approx(0, abs=1e-20) and r0["tau2"] == 0.0


def test_overdispersed_limits():
    lo0, hi0 = stats.overdispersed_funnel_limits(0.8, np.array([10, 100, 1000]), 0.0, 0.95)
    lo1, hi1 = stats.overdispersed_funnel_limits(0.8, np.array([10, 100, 1000]), 0.01, 0.95)
    assert np.all(lo1 < lo0) and np.all(hi1 > hi0)  # tau2 widens
    assert np.all((lo1 >= 0) & (hi1 <= 1))
    # tiny n: truncated, not folded back
    lo, hi = stats.overdispersed_funnel_limits(0.95, 1, 0.0, 0.998)
    assert hi == 1.0
    lo, hi = stats.overdispersed_funnel_limits(0.05, 1, 0.0, 0.998)
    assert lo == 0.0


# ---------------------------------------------------------------------------------------
# Trend (case 12, case 13)
# ---------------------------------------------------------------------------------------
def test_case12_chi2_trend():
    chi2, p = stats.chi2_trend([83, 90, 129, 70], [86, 93, 136, 82])
    assert chi2 == approx(8.22492228519768)
    assert p == approx(0.004132, abs=5e-7)
    chi2b, _ = stats.chi2_trend([83, 90, 129, 70], [86, 93, 136, 82], scores=[1, 2, 3, 4])
    assert chi2b == chi2


def test_case13_fingertips_trend_ci():
    v = [92.6254, 92.3221, 90.8708, 90.0170, 90.1013]
    lo = [92.4168, 92.1072, 90.6358, 89.7694, 89.8578]
    hi = [92.8288, 92.5315, 91.1004, 90.2594, 90.3396]
    slope, chi2 = stats.weighted_trend(v, lo, hi)
    assert slope == approx(-0.74051, abs=5e-6)
    assert chi2 == approx(418.54, abs=5e-3)
    assert stats.fingertips_recent_trend_ci(v, lo, hi) == "decreasing"
    assert stats.fingertips_recent_trend_ci(v[:4], lo[:4], hi[:4]) == "cannot_calculate"


def test_fingertips_recent_trend_proportions():
    n = [1000] * 5
    assert stats.fingertips_recent_trend([500, 540, 580, 620, 660], n) == "increasing"
    assert stats.fingertips_recent_trend([660, 620, 580, 540, 500], n) == "decreasing"
    assert stats.fingertips_recent_trend([500, 505, 498, 502, 501], n) == "no_change"
    # case 12 has only 4 points
    assert stats.fingertips_recent_trend([83, 90, 129, 70], [86, 93, 136, 82]) == "cannot_calculate"
    # only the 5 most recent points count
    assert stats.fingertips_recent_trend([900, 500, 540, 580, 620, 660], [1000] * 6) == "increasing"
    # significant chi2, but leaving out the last point flips the slope sign -> no change
    x = [300, 100, 100, 100, 900]
    assert stats.chi2_trend(x, n)[0] > stats.CHI2_998_1DF
    assert stats.fingertips_recent_trend(x, n) == "no_change"
    # x = 0 makes a log-odds infinite: the robustness check cannot pass
    assert stats.fingertips_recent_trend([0, 100, 200, 300, 400], n) == "no_change"
    assert stats.fingertips_recent_trend([1, 2, 3, 4, 5], [0, 10, 10, 10, 10]) == "cannot_calculate"


# ---------------------------------------------------------------------------------------
# Median and its CI (case 17, contract §6)
# ---------------------------------------------------------------------------------------
def test_case17_median_ci_1_to_20():
    assert stats.median_ci(np.arange(1, 21)) == (6.0, 15.0)
    assert stats.median_ci_ranks(20) == (6, 15)
    assert stats.median_ci_coverage(20) == approx(0.9586, abs=5e-5)
    assert stats.interpolated_median(np.arange(1, 21)) == 10.5


def test_median_ci_small_n():
    for n in range(0, 6):
        assert stats.median_ci_ranks(n) == (0, 0)
        lo, hi = stats.median_ci(np.arange(n, dtype=float))
        assert math.isnan(lo) and math.isnan(hi)
    assert stats.median_ci_ranks(6) == (1, 6)
    assert stats.median_ci([5, 3, 9, 1, 7, 2]) == (1.0, 9.0)  # unsorted input
    assert math.isnan(stats.median_ci_coverage(5))


def test_median_ci_vectorised():
    ls, us = stats.median_ci_ranks(np.array([1, 5, 6, 20, 100]))
    assert ls.tolist() == [0, 0, 1, 6, 40]
    assert us.tolist() == [0, 0, 6, 15, 61]


def test_interpolated_median():
    assert stats.interpolated_median([3, 1, 2]) == 2.0
    assert stats.interpolated_median([4, 1, 3, 2]) == 2.5
    assert stats.interpolated_median([1, np.nan, 3]) == 2.0
    assert math.isnan(stats.interpolated_median([]))


def _brute_force_l(n: int) -> int:
    """Largest rank l in 1..n with P(Bin(n, 1/2) <= l-1) <= 1/40, else 0 (exact)."""
    best = 0
    cum = 0
    for l in range(1, n + 1):
        cum += math.comb(n, l - 1)
        if Fraction(cum, 2**n) <= Fraction(1, 40):
            best = l
        else:
            break
    return best


@given(st.integers(1, 200))
@settings(max_examples=200, deadline=None)
def test_median_ci_ranks_matches_brute_force(n):
    l = _brute_force_l(n)
    assert stats.median_ci_ranks(n) == ((l, n + 1 - l) if l else (0, 0))


def test_median_ci_ranks_all_n_vectorised():
    ns = np.arange(1, 201)
    ls, us = stats.median_ci_ranks(ns)
    expected = [_brute_force_l(int(n)) for n in ns]
    assert ls.tolist() == expected
    assert us.tolist() == [n + 1 - l if l else 0 for n, l in zip(ns.tolist(), expected)]

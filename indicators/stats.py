"""Statistical helpers for the indicator dashboard.

Pure functions (no I/O, no pandas) built on numpy and scipy.stats. Conventions:

* Proportions come in as **counts** (``x`` events out of ``n``); ``x`` may be fractional.
* Intervals, funnel limits and ``p0`` are **proportions in 0-1** unless a function says
  otherwise. Multiply by 100 for the percent used in machine output (data contract §6).
* Functions taking arrays broadcast them with numpy; scalar input gives scalar (numpy
  float / Python int) output.
* Undefined results (``n <= 0``, ``x`` outside ``[0, n]``) are ``nan`` rather than errors.

Methods and verification values: ``/work/shared/peers.md`` §2 and §3, data contract §6.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from numbers import Rational
from typing import Literal, Sequence

import numpy as np
import numpy.typing as npt


class _LazyScipyStats:
    """scipy.stats imported on first use: it costs about a second, and most engine calls
    (proportions) never need it."""

    def __getattr__(self, name):
        from scipy import stats

        return getattr(stats, name)


_st = _LazyScipyStats()

ArrayLike = npt.ArrayLike

#: Φ⁻¹(0.975): two-sided 95 % normal quantile.
Z95 = 1.959963984540054
#: Φ⁻¹(0.999): two-sided 99.8 % normal quantile.
Z998 = 3.090232306167813
#: χ²₁ quantile at 0.998 (Fingertips' trend significance threshold, Excel CHIINV(0.002, 1)).
CHI2_998_1DF = 9.54953570608324

TrendLabel = Literal["increasing", "decreasing", "no_change", "cannot_calculate"]
Direction = Literal["higher", "lower"]


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def z_for_level(level: float) -> float:
    """Two-sided normal quantile for a confidence ``level`` (0-1, e.g. 0.95 or 0.998).

    Returns the exact constants :data:`Z95` / :data:`Z998` for 0.95 / 0.998 so results
    match PHE/Fingertips to the last digit; otherwise ``Φ⁻¹(1 − (1 − level)/2)``.
    """
    if level == 0.95:
        return Z95
    if level == 0.998:
        return Z998
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return float(_st.norm.ppf(1.0 - (1.0 - level) / 2.0))


def _out(a: np.ndarray):
    """Return a 0-d array as a numpy scalar, otherwise the array unchanged."""
    return a[()] if isinstance(a, np.ndarray) and a.ndim == 0 else a


def _exact_fraction(v) -> Fraction:
    """An exact rational for a user-typed number: floats via their shortest repr
    (so 70.1 → 701/10, not the binary approximation)."""
    if isinstance(v, Fraction):
        return v
    if isinstance(v, Rational):  # int, bool, numpy ints register as Integral
        return Fraction(int(v.numerator), int(v.denominator))
    if isinstance(v, (np.integer,)):
        return Fraction(int(v))
    f = float(v)
    if not math.isfinite(f):
        raise ValueError(f"not a finite number: {v!r}")
    return Fraction(repr(f))


# ---------------------------------------------------------------------------------------
# Wilson score interval (peers §2.1)
# ---------------------------------------------------------------------------------------
def wilson_interval(x: ArrayLike, n: ArrayLike, z: float = Z95):
    """Wilson score interval for a binomial proportion, no continuity correction.

    Parameters
    ----------
    x : count(s) of events; may be fractional (PHE test data uses 0.445/1).
    n : denominator(s), same units as ``x``.
    z : normal quantile; :data:`Z95` (default) or :data:`Z998`.

    Returns
    -------
    (lower, upper) : proportions in 0-1 (scalars or arrays broadcast from ``x``, ``n``).
        ``x = 0`` gives lower 0, ``x = n`` gives upper 1. ``n <= 0``, ``x < 0``,
        ``x > n`` or non-finite input give ``nan``.
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    x, n = np.broadcast_arrays(x, n)
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0) & (x <= n)
    xs = np.where(ok, x, 0.0)
    ns = np.where(ok, n, 1.0)
    z2 = z * z
    root = z * np.sqrt(z2 + 4.0 * xs * (1.0 - xs / ns))
    den = 2.0 * (ns + z2)
    lower = (2.0 * xs + z2 - root) / den
    upper = (2.0 * xs + z2 + root) / den
    lower = np.where(xs == 0, 0.0, lower)
    upper = np.where(xs == ns, 1.0, upper)
    lower = np.where(ok, np.clip(lower, 0.0, 1.0), np.nan)
    upper = np.where(ok, np.clip(upper, 0.0, 1.0), np.nan)
    return _out(lower), _out(upper)


# ---------------------------------------------------------------------------------------
# Median and its distribution-free confidence interval (peers §2.6, contract §6)
# ---------------------------------------------------------------------------------------
def _half_binom_cdf_le(k: int, n: int, threshold: Fraction) -> bool:
    """Exact test of P(B <= k) <= threshold for B ~ Bin(n, 1/2), in integer arithmetic."""
    if k < 0:
        return True
    if k >= n:
        return 1 <= threshold
    s = sum(math.comb(n, i) for i in range(k + 1))
    return s * threshold.denominator <= threshold.numerator * (1 << n)


@functools.lru_cache(maxsize=200_000)
def _median_rank_scalar(n: int, thr: Fraction, thr_f: float) -> int:
    """Largest rank l >= 1 with P(B <= l-1) <= thr, or 0 if none (B ~ Bin(n, 1/2)). Cached: the
    same n recurs in every grouped result (scipy.special, not scipy.stats: a fraction of the import)."""
    from scipy import special

    if n <= 0 or not _half_binom_cdf_le(0, n, thr):
        return 0
    # Float estimate of k = l-1 (the binomial quantile), then exact correction in a neighbourhood.
    k = int(math.ceil(float(special.bdtrik(thr_f, n, 0.5))))
    k = max(k - 1, 0)

    def ok(j: int) -> bool:
        cdf = float(special.bdtr(j, n, 0.5))
        # Only fall back to exact integer arithmetic when the float is ambiguous.
        if abs(cdf - thr_f) > 1e-9 * max(thr_f, 1e-300):
            return cdf <= thr_f
        return _half_binom_cdf_le(j, n, thr)

    while k > 0 and not ok(k):
        k -= 1
    while ok(k + 1):
        k += 1
    return k + 1


def median_ci_ranks(n: ArrayLike, alpha: float = 0.05):
    """Order-statistic ranks of the distribution-free (1 − ``alpha``) CI for a median.

    With ``B ~ Bin(n, 1/2)``, ``l`` is the LARGEST rank with ``P(B <= l − 1) <= alpha/2``
    and ``u = n + 1 − l``; the interval is ``[x(l), x(u)]`` (1-based ranks of the sorted
    values), with coverage ``1 − 2·P(B <= l − 1) >= 1 − alpha``. When no rank qualifies
    (``n < 6`` at 95 %) the interval is empty and ``(0, 0)`` is returned.

    Exact: the float binomial CDF from scipy picks the candidate, and integer arithmetic
    (``math.comb``) decides whenever the CDF is within 1e-9 (relative) of ``alpha/2``.

    Parameters
    ----------
    n : number(s) of observations (int or integer array).
    alpha : two-sided error rate, 0.05 for a 95 % interval.

    Returns
    -------
    (l, u) : Python ints for scalar ``n``, integer arrays for array ``n``.
    """
    thr = _exact_fraction(alpha) / 2
    thr_f = float(thr)
    arr = np.asarray(n)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr)):
            raise ValueError("n must be whole numbers")
    flat = arr.astype(np.int64).ravel()
    cache: dict[int, int] = {}
    ls = np.empty(flat.shape, dtype=np.int64)
    for i, ni in enumerate(flat.tolist()):
        if ni not in cache:
            cache[ni] = _median_rank_scalar(ni, thr, thr_f)
        ls[i] = cache[ni]
    ls = ls.reshape(arr.shape)
    us = np.where(ls > 0, arr.astype(np.int64) + 1 - ls, 0)
    if arr.ndim == 0:
        return int(ls), int(us)
    return ls, us


def median_ci_coverage(n: int, alpha: float = 0.05) -> float:
    """Achieved coverage ``1 − 2·P(B <= l − 1)`` (0-1) of :func:`median_ci_ranks`;
    ``nan`` when the interval is empty."""
    l, _ = median_ci_ranks(int(n), alpha)
    if l == 0:
        return float("nan")
    return float(1.0 - 2.0 * _st.binom.cdf(l - 1, int(n), 0.5))


def _clean_1d(values: ArrayLike) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        v = v.ravel()
    return v[~np.isnan(v)]


def median_ci(values: ArrayLike, alpha: float = 0.05) -> tuple[float, float]:
    """Distribution-free (1 − ``alpha``) CI for the median of a 1-D sample.

    NaNs are dropped first. Returns ``(x(l), x(n+1−l))`` in the units of ``values``
    (e.g. days), or ``(nan, nan)`` when the interval is empty (``n < 6`` at 95 %).
    """
    v = np.sort(_clean_1d(values))
    l, u = median_ci_ranks(v.size, alpha)
    if l == 0:
        return float("nan"), float("nan")
    return float(v[l - 1]), float(v[u - 1])


def interpolated_median(values: ArrayLike) -> float:
    """Median of a 1-D sample in its own units: the middle value, or the mean of the two
    middle values for an even count (data contract §6). NaNs dropped; empty → ``nan``."""
    v = _clean_1d(values)
    if v.size == 0:
        return float("nan")
    return float(np.median(v))


# ---------------------------------------------------------------------------------------
# Funnel plots (peers §2.4)
# ---------------------------------------------------------------------------------------
def phe_funnel_limits(p0: float, n: ArrayLike, level: float = 0.95):
    """PHE inverse-Wilson funnel limits for a proportion (PHEindicatormethods
    ``sigma_adjustment``; peers §2.4 (a)).

    For each denominator ``n`` the limit is the observed proportion whose Wilson interval
    (at ``level``) just touches ``p0``, so a unit lies outside exactly when its own Wilson
    CI excludes ``p0``.

    Parameters
    ----------
    p0 : benchmark proportion, 0-1 (PHE uses Σx/Σn).
    n : denominator(s).
    level : 0.95 or 0.998 (any level in (0, 1) is accepted).

    Returns
    -------
    (lower, upper) : proportions clamped to [0, 1]; ``nan`` where ``n <= 0``.
    """
    q = z_for_level(level)
    n = np.asarray(n, dtype=float)
    ok = np.isfinite(n) & (n > 0)
    ns = np.where(ok, n, 1.0)
    q2 = q * q
    a = ns / q2 + 1.0
    first = p0 * a
    last = 1.0 / q2 + 1.0 / ns
    disc = (-8.0 * p0 * a) ** 2 - 64.0 * last * p0 * (
        ns * (p0 * (ns / q2 + 2.0) - 1.0) + q2 * (p0 - 1.0)
    )
    adj = np.sqrt(np.maximum(disc, 0.0))
    lower = ((first - adj / 8.0) / last) / ns
    upper = ((first + adj / 8.0) / last) / ns
    lower = np.where(ok, np.clip(lower, 0.0, 1.0), np.nan)
    upper = np.where(ok, np.clip(upper, 0.0, 1.0), np.nan)
    return _out(lower), _out(upper)


def overdispersion(
    x: ArrayLike, n: ArrayLike, p0: float | None = None, trim: float = 0.1
) -> dict:
    """Overdispersion of unit proportions, FunnelPlotR proportion path ("PR").

    ``Y_i = asin(√(x_i/n_i))``, target ``asin(√p0)``, ``s_i = 1/(2√n_i)``,
    ``z_i = (Y_i − target)/s_i``; z is winsorised at its ``trim`` / ``1 − trim`` quantiles
    (numpy/R type-7), ``φ = mean(z_w²)`` and, with ``w_i = 1/s_i² = 4 n_i``,
    ``τ² = max(0, (I·φ − (I − 1)) / (Σw − Σw²/Σw))`` (``τ² = 0`` when ``I·φ < I − 1``).

    Parameters
    ----------
    x, n : counts per unit (1-D). Units with ``n <= 0`` are dropped.
    p0 : benchmark proportion 0-1; default the pooled ``Σx/Σn`` as in FunnelPlotR.
    trim : winsorising fraction at each end.

    Returns
    -------
    dict with ``phi`` (dimensionless; φ·I ~ χ²_{I−1} without overdispersion), ``tau2``
    (variance on the arcsine-√ scale, for :func:`overdispersed_funnel_limits`), ``z``
    (raw z-scores, per input unit, nan for dropped units), ``z_winsorised`` and
    ``units`` (I).
    """
    x = np.asarray(x, dtype=float).ravel()
    n = np.asarray(n, dtype=float).ravel()
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0) & (x <= n)
    if p0 is None:
        p0 = float(x[ok].sum() / n[ok].sum()) if ok.any() else float("nan")
    z = np.full(x.shape, np.nan)
    s = 1.0 / (2.0 * np.sqrt(n[ok]))
    z[ok] = (np.arcsin(np.sqrt(x[ok] / n[ok])) - np.arcsin(np.sqrt(p0))) / s
    zk = z[ok]
    units = int(zk.size)
    if units == 0:
        return {"phi": float("nan"), "tau2": float("nan"), "z": _out(z),
                "z_winsorised": z.copy(), "units": 0}
    lz, uz = np.quantile(zk, [trim, 1.0 - trim])
    zw_k = np.clip(zk, lz, uz)
    zw = np.full(x.shape, np.nan)
    zw[ok] = zw_k
    phi = float(np.mean(zw_k**2))
    tau2 = _tau2(units, phi, s)
    return {"phi": phi, "tau2": tau2, "z": z, "z_winsorised": zw, "units": units}


def _tau2(units: int, phi: float, s: np.ndarray) -> float:
    """FunnelPlotR ``tau_func``: additive between-unit variance from φ."""
    if units == 0 or units * phi < units - 1:
        return 0.0
    w = 1.0 / s**2
    den = w.sum() - (w**2).sum() / w.sum()
    if den <= 0:
        return 0.0
    return float(max(0.0, (units * phi - (units - 1)) / den))


def overdispersion_ratio(
    observed: ArrayLike, expected: ArrayLike, trim: float = 0.1
) -> dict:
    """Overdispersion of standardised ratios O/E, FunnelPlotR "SR" path with
    ``sr_method = "SHMI"`` (NHS Digital SHMI method).

    ``z_i = √E_i · log(O_i/E_i)`` (``s_i = 1/√E_i``, target log 1 = 0). Instead of
    winsorising, the extreme ``trim`` of units at each end is *truncated* (dropped) by
    FunnelPlotR's rank rule: with ``k = 1/trim`` and average ranks ``r_i``,
    ``sp_i = ⌊r_i·k/(I + 1)⌋`` and a unit is kept when ``0 < sp_i < k − 1``. φ is the mean of
    the kept z², τ² uses the kept units' ``s`` (see :func:`overdispersion`).

    Returns dict ``phi``, ``tau2`` (variance on the log-ratio scale), ``z``, ``kept``
    (boolean mask) and ``units`` (number kept).
    """
    o = np.asarray(observed, dtype=float).ravel()
    e = np.asarray(expected, dtype=float).ravel()
    ok = np.isfinite(o) & np.isfinite(e) & (o > 0) & (e > 0)
    z = np.full(o.shape, np.nan)
    z[ok] = np.sqrt(e[ok]) * np.log(o[ok] / e[ok])
    kept = np.zeros(o.shape, dtype=bool)
    if ok.any():
        k = 1.0 / trim
        rk = _st.rankdata(z[ok], method="average")
        sp = np.floor(rk * k / (rk.size + 1))
        kept[ok] = (sp > 0) & (sp < k - 1)
    units = int(kept.sum())
    if units == 0:
        return {"phi": float("nan"), "tau2": float("nan"), "z": z, "kept": kept, "units": 0}
    phi = float(np.mean(z[kept] ** 2))
    tau2 = _tau2(units, phi, 1.0 / np.sqrt(e[kept]))
    return {"phi": phi, "tau2": tau2, "z": z, "kept": kept, "units": units}


def overdispersed_funnel_limits(
    p0: float, n: ArrayLike, tau2: float, level: float = 0.95
):
    """Random-effects (τ²) funnel limits for a proportion on the arcsine-√ scale.

    ``sin²(asin(√p0) ± z·√(1/(4n) + τ²))`` with ``z`` from ``level`` (0.95 / 0.998).
    The angle is clamped to ``[0, π/2]`` before squaring, so limits are monotone and lie
    in [0, 1] (FunnelPlotR does not clamp, and its limits fold back for tiny ``n``).

    Returns ``(lower, upper)`` as proportions 0-1; ``nan`` where ``n <= 0``.
    """
    z = z_for_level(level)
    n = np.asarray(n, dtype=float)
    ok = np.isfinite(n) & (n > 0)
    ns = np.where(ok, n, 1.0)
    half = z * np.sqrt(1.0 / (4.0 * ns) + tau2)
    t = np.arcsin(np.sqrt(p0))
    lo = np.sin(np.clip(t - half, 0.0, np.pi / 2)) ** 2
    hi = np.sin(np.clip(t + half, 0.0, np.pi / 2)) ** 2
    lo = np.where(ok, np.clip(lo, 0.0, 1.0), np.nan)
    hi = np.where(ok, np.clip(hi, 0.0, 1.0), np.nan)
    return _out(lo), _out(hi)


def expected_outside(k_units: int, level: float) -> float:
    """Expected number of units outside ``level`` limits by chance alone: ``k·(1 − level)``
    (e.g. 21 regions at 95 % → 1.05). Computed in exact decimal arithmetic."""
    return float(Fraction(int(k_units)) * (1 - _exact_fraction(level)))


# ---------------------------------------------------------------------------------------
# Trend tests (peers §2.5)
# ---------------------------------------------------------------------------------------
def chi2_trend(
    x: ArrayLike, n: ArrayLike, scores: ArrayLike | None = None
) -> tuple[float, float]:
    """Chi-square test for linear trend in proportions (Cochran–Armitage; R
    ``prop.trend.test``; Fingertips' proportion trend).

    ``χ² = N(N·Σx t − X·Σn t)² / [X(N − X)(N·Σn t² − (Σn t)²)]`` with ``N = Σn``,
    ``X = Σx`` and scores ``t`` (default 1..k). ``p`` is the upper tail of χ² with 1 df.

    Returns ``(chi2, p)``; both ``nan`` when undefined (X = 0, X = N, constant scores).
    """
    x = np.asarray(x, dtype=float).ravel()
    n = np.asarray(n, dtype=float).ravel()
    t = (np.arange(1, x.size + 1, dtype=float) if scores is None
         else np.asarray(scores, dtype=float).ravel())
    if not (x.size == n.size == t.size) or x.size < 2:
        raise ValueError("x, n and scores must have the same length (>= 2)")
    N, X = n.sum(), x.sum()
    snt = (n * t).sum()
    num = N * (N * (x * t).sum() - X * snt) ** 2
    den = X * (N - X) * (N * (n * t * t).sum() - snt**2)
    if not (den > 0):
        return float("nan"), float("nan")
    chi2 = float(num / den)
    return chi2, float(_st.chi2.sf(chi2, 1))


def _ols_slope(v: np.ndarray, t: np.ndarray) -> float:
    k = v.size
    return float((k * (v * t).sum() - v.sum() * t.sum()) / (k * (t * t).sum() - t.sum() ** 2))


def _robust_sign(slopes: Sequence[float]) -> bool:
    """All slopes finite and of one sign (Fingertips counts 0 as positive)."""
    s = np.asarray(slopes, dtype=float)
    if not np.all(np.isfinite(s)):
        return False
    return bool(np.all(s >= 0) or np.all(s < 0))


def fingertips_recent_trend(x: ArrayLike, n: ArrayLike) -> TrendLabel:
    """Fingertips "recent trend" marker for a proportion series (SPC-for-proportions path).

    ``x``, ``n``: counts per period, oldest first; the 5 most recent points are used
    (scores 1..5). Fewer than 5 points (or any ``n <= 0`` among them) → ``'cannot_calculate'``.
    A trend is reported when the Cochran–Armitage χ² exceeds :data:`CHI2_998_1DF`
    (9.54953570608324) **and** the OLS slope of the log-odds ``log(x/(n − x))`` on ``t``
    keeps its sign in the full fit and in all five leave-one-out fits (6 fits). A point
    with ``x = 0`` or ``x = n`` makes a log-odds infinite, so the check fails
    (``'no_change'``). Direction is the sign of the full-fit slope (classic Fingertips
    never sets it on this path; FingertipsNext uses the slope sign).
    """
    x = np.asarray(x, dtype=float).ravel()
    n = np.asarray(n, dtype=float).ravel()
    if x.size != n.size:
        raise ValueError("x and n must have the same length")
    if x.size < 5:
        return "cannot_calculate"
    x, n = x[-5:], n[-5:]
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n)) and np.all(n > 0)
            and np.all((x >= 0) & (x <= n))):
        return "cannot_calculate"
    t = np.arange(1.0, 6.0)
    chi2, _ = chi2_trend(x, n, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        logit = np.log(x / (n - x))
        slopes = [_ols_slope(logit, t)] + [
            _ols_slope(np.delete(logit, i), np.delete(t, i)) for i in range(5)
        ]
    if not (chi2 > CHI2_998_1DF) or not _robust_sign(slopes):
        return "no_change"
    return "increasing" if slopes[0] > 0 else "decreasing"


def weighted_trend(
    values: ArrayLike, lower95: ArrayLike, upper95: ArrayLike
) -> tuple[float, float]:
    """Inverse-variance weighted linear trend (Fingertips general path).

    ``SE_i = (U95_i − L95_i)/3.92``, ``w_i = 1/SE_i²``, ``t = 1..k``;
    ``b = (Σw·Σwvt − Σwt·Σwv)/(Σw·Σwt² − (Σwt)²)``, ``SE_b = √(Σw/(Σw·Σwt² − (Σwt)²))``.
    Returns ``(slope, chi2)`` with slope in units of ``values`` per period and
    ``chi2 = (b/SE_b)²``.
    """
    v = np.asarray(values, dtype=float).ravel()
    w = 1.0 / ((np.asarray(upper95, float).ravel() - np.asarray(lower95, float).ravel()) / 3.92) ** 2
    t = np.arange(1.0, v.size + 1)
    sw, swvt, swt, swv, swt2 = w.sum(), (w * v * t).sum(), (w * t).sum(), (w * v).sum(), (w * t * t).sum()
    d = sw * swt2 - swt**2
    b = (sw * swvt - swt * swv) / d
    se = math.sqrt(sw / d)
    return float(b), float((b / se) ** 2)


def fingertips_recent_trend_ci(
    values: ArrayLike, lower95: ArrayLike, upper95: ArrayLike
) -> TrendLabel:
    """Fingertips "recent trend" for values with 95 % CIs (general path), oldest first.

    Uses the last 5 points; significant when :func:`weighted_trend` χ² >
    :data:`CHI2_998_1DF` and the weighted slope keeps its sign in the full fit and all
    five leave-one-out fits.
    """
    v = np.asarray(values, dtype=float).ravel()
    lo = np.asarray(lower95, dtype=float).ravel()
    hi = np.asarray(upper95, dtype=float).ravel()
    if not (v.size == lo.size == hi.size):
        raise ValueError("values, lower95 and upper95 must have the same length")
    if v.size < 5:
        return "cannot_calculate"
    v, lo, hi = v[-5:], lo[-5:], hi[-5:]
    if not (np.all(np.isfinite(v)) and np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))
            and np.all(hi > lo)):
        return "cannot_calculate"
    slope, chi2 = weighted_trend(v, lo, hi)
    w = 1.0 / ((hi - lo) / 3.92) ** 2
    t = np.arange(1.0, 6.0)
    slopes = [slope]
    for i in range(5):
        m = np.arange(5) != i
        ww, vv, tt = w[m], v[m], t[m]
        sw, swt = ww.sum(), (ww * tt).sum()
        slopes.append(float((sw * (ww * vv * tt).sum() - swt * (ww * vv).sum())
                            / (sw * (ww * tt * tt).sum() - swt**2)))
    if not (chi2 > CHI2_998_1DF) or not _robust_sign(slopes):
        return "no_change"
    return "increasing" if slope > 0 else "decreasing"


# ---------------------------------------------------------------------------------------
# Targets (peers §2.3)
# ---------------------------------------------------------------------------------------
def _target_status_scalar(lo: float, hi: float, target: float, direction: str) -> str | None:
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (lo, hi, target)):
        return None
    if direction == "higher":
        if lo >= target:
            return "met"
        if hi < target:
            return "not_met"
        return "uncertain"
    if direction == "lower":
        if hi <= target:
            return "met"
        if lo > target:
            return "not_met"
        return "uncertain"
    raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")


def target_status_ci(lower, upper, target, direction: Direction = "higher"):
    """Statistical target status by the Fingertips CI rule (peers §2.3).

    ``lower``, ``upper`` and ``target`` must be in the SAME unit (all percent or all
    proportions). For ``direction='higher'`` (higher is better): ``'met'`` if
    ``lower >= target``, ``'not_met'`` if ``upper < target``, else ``'uncertain'``.
    For ``'lower'``: ``'met'`` if ``upper <= target``, ``'not_met'`` if ``lower > target``.
    A ``nan``/``None`` bound or target gives ``None``. Array input returns an object
    array of the labels.
    """
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")
    if np.ndim(lower) == 0 and np.ndim(upper) == 0 and np.ndim(target) == 0:
        f = lambda v: None if v is None else float(v)  # noqa: E731
        return _target_status_scalar(f(lower), f(upper), f(target), direction)
    lo, hi, tg = np.broadcast_arrays(np.asarray(lower, float), np.asarray(upper, float),
                                     np.asarray(target, float))
    out = np.empty(lo.shape, dtype=object)
    for idx in np.ndindex(lo.shape):
        out[idx] = _target_status_scalar(float(lo[idx]), float(hi[idx]), float(tg[idx]), direction)
    return out


def patients_to_target(x: int, n: int, target_pct) -> int:
    """Extra patients (events) needed to reach a target: ``max(0, ⌈T·n⌉ − x)``.

    ``target_pct`` is a percent (e.g. 80). Arithmetic is exact: floats are read by their
    decimal repr, so 80 % of 200 is exactly 160 and 150/200 needs 10. ``n <= 0`` → 0.
    """
    if n is None or n <= 0:
        return 0
    need = math.ceil(_exact_fraction(target_pct) / 100 * _exact_fraction(n))
    return max(0, math.ceil(need - _exact_fraction(x)))

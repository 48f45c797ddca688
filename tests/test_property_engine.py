"""Property test: random small extracts, the engine against a few lines of plain Python.

svf_within_target, svf_over_175, svf_lead_time_median (by closing region and Riket) and
svf_inclusion (by home region and Riket), computed here independently from data-contract.md
§2 (the four target rules, read from the bundled CSV), §5 and §6.
"""

from __future__ import annotations

import csv
import math
import statistics
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract_builder import case, episode, write_set
from indicators import open_data

ROOT = Path(__file__).resolve().parents[1]
Z = 1.959963984540054
START, END = date(2024, 1, 1), date(2024, 12, 31)
TREATED = {"50": "surgery", "52": "drug", "54": "radiotherapy", "58": "palliative", "59": "other",
           "60": "expectancy"}
TYPES = dict(TREATED, **{"73": "no_further_action"})
PATHWAY_ICD = {"brost": ["C50.9", "d05.1"], "prostata": ["C61"], "kolorektal": ["C18.7", "C20"],
               "urinblasa": ["C67.9"], "melanom": ["C43.5"], None: ["C19", "C44.1"]}
REGIONS = ["01", "03", "09"]


def _targets():
    with open(ROOT / "data" / "reference" / "svf_lead_time_targets.csv", encoding="utf-8", newline="") as f:
        return [(r["svf_code"], r["treatment_type"], r["extended_workup"] == "true", int(r["target_days"]),
                 date.fromisoformat(r["valid_from"]), r["status"]) for r in csv.DictReader(f)]


TARGETS = _targets()


def resolve(svf, ttype, ext, start):
    """(target_days, status) or None, by the four rules of contract §2."""
    rows = [t for t in TARGETS if t[0] == svf and t[4] <= start]
    rules = [(ttype, ext), ("any", ext), (ttype, False), ("any", False)]
    for rule_type, rule_ext in rules:
        if rule_type == "any" and ttype == "no_further_action":
            continue
        found = [t for t in rows if t[1] == rule_type and t[2] == rule_ext]
        if found:
            best = max(found, key=lambda t: t[4])
            return best[3], best[5]
    return None


def wilson(x, n):
    p = x / n
    d = 1 + Z * Z / n
    c = p + Z * Z / (2 * n)
    h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return 100 * (c - h) / d, 100 * (c + h) / d


def median_ci(values):
    n = len(values)
    x = sorted(values)
    best = None
    for rank in range(1, n + 1):
        if sum(math.comb(n, k) for k in range(rank)) / 2 ** n <= 0.025:
            best = rank
    if best is None:
        return None, None
    return x[best - 1], x[n - best]


def empty(v):
    return v is None or (not isinstance(v, str) and pd.isna(v))


def close(got, exp, tol=1e-6):
    if exp is None:
        return empty(got)
    return not empty(got) and abs(float(got) - exp) <= tol


episodes_st = st.lists(
    st.tuples(
        st.sampled_from(["brost", "prostata", "kolorektal", "urinblasa", "melanom"]),
        st.sampled_from(REGIONS),
        st.sampled_from([None] + REGIONS),                # home region
        st.integers(0, 450),                              # start: 2023-10-01 + days
        st.integers(0, 120),                              # lead time
        st.sampled_from(["50", "52", "54", "58", "59", "60", "73", "70", "78", None]),
        st.booleans(),                                    # extended work-up
    ),
    max_size=45,
)
cases_st = st.lists(
    st.tuples(st.sampled_from([p for p in PATHWAY_ICD]), st.sampled_from(REGIONS), st.sampled_from([2021, 2022, 2023]),
              st.integers(0, 9)),
    max_size=60,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(episodes=episodes_st, cases=cases_st)
def test_svf_indicators_match_plain_python(episodes, cases):
    ep_rows, eps = [], []
    for i, (svf, region, home, offset, lead, code, ext) in enumerate(episodes):
        start = date(2023, 10, 1) + timedelta(days=offset)
        end = start + timedelta(days=lead) if code else None
        ep_rows.append(episode(f"e{i}", svf, start.isoformat(), end and end.isoformat(), code, region=region,
                               home=home, ext=ext))
        eps.append({"svf": svf, "region": region, "home": home, "start": start, "end": end, "lead": lead,
                    "code": code, "ext": ext})
    case_rows, cs = [], []
    for i, (svf, region, year, k) in enumerate(cases):
        icd = PATHWAY_ICD[svf][k % len(PATHWAY_ICD[svf])]
        case_rows.append(case(f"c{i}", icd, f"{year}-0{1 + k % 9}-1{k}", region=region))
        cs.append({"svf": svf, "region": region, "year": year})

    with tempfile.TemporaryDirectory() as tmp:
        ds = open_data(write_set(Path(tmp), extract_date="2025-06-30", svf_episodes=ep_rows, cancer_cases=case_rows))
        period = {"start": START, "end": END}

        # ---- lead-time indicators ---------------------------------------------------------------
        pop = []
        for e in eps:
            if e["code"] in TYPES and START <= e["end"] <= END:
                t = resolve(e["svf"], TYPES[e["code"]], e["ext"], e["start"])
                if t is not None:
                    pop.append(dict(e, target=t[0], placeholder=t[1] == "placeholder"))

        def lead_expect(group):
            n = len(group)
            if n < 5:
                return {"n": n, "suppressed": True}
            within = sum(e["lead"] <= e["target"] for e in group)
            over = sum(4 * e["lead"] > 7 * e["target"] for e in group)
            leads = [e["lead"] for e in group]
            return {"n": n, "suppressed": False, "within": within, "over": over,
                    "median": float(statistics.median(leads)), "mci": median_ci(leads),
                    "placeholder": any(e["placeholder"] for e in group)}

        groups = {None: pop}
        for r in REGIONS:
            if any(e["region"] == r for e in pop):
                groups[r] = [e for e in pop if e["region"] == r]

        results = {}
        for ind in ("svf_within_target", "svf_over_175", "svf_lead_time_median"):
            (riket,) = ds.compute(ind, **period).to_dict("records")
            by_region = {r["region"]: r for r in ds.compute(ind, by=["region"], **period).to_dict("records")}
            assert set(by_region) == {k for k in groups if k is not None}, (ind, sorted(by_region))
            results[ind] = {None: riket, **by_region}

        for key, group in groups.items():
            exp = lead_expect(group)
            for ind in ("svf_within_target", "svf_over_175", "svf_lead_time_median"):
                got = results[ind][key]
                label = f"{ind} region={key} expected={exp}"
                assert bool(got["suppressed"]) is exp["suppressed"], (label, got)
                if exp["suppressed"]:
                    assert empty(got["value"]) and empty(got["denominator"]), (label, got)
                    continue
                n = exp["n"]
                assert int(got["denominator"]) == n, (label, got)
                assert bool(got["placeholder_target"]) is exp["placeholder"], (label, got)
                if ind == "svf_lead_time_median":
                    assert empty(got["numerator"]), (label, got)
                    assert close(got["value"], exp["median"]), (label, got)
                    lo, hi = exp["mci"]
                    assert close(got["ci_low"], lo and float(lo)) and close(got["ci_high"], hi and float(hi)), (label,
                                                                                                              got)
                    continue
                x = exp["within"] if ind == "svf_within_target" else exp["over"]
                lo, hi = wilson(x, n)
                assert int(got["numerator"]) == x, (label, got)
                assert close(got["value"], 100 * x / n), (label, got)
                assert close(got["ci_low"], lo, 1e-4) and close(got["ci_high"], hi, 1e-4), (label, got)
                if ind == "svf_within_target":
                    assert got["target_level"] == ("high" if 100 * x / n >= 80 else "none"), (label, got)
                else:
                    assert empty(got["target_level"]), (label, got)

        # ---- inclusion -------------------------------------------------------------------------------
        base_years = [y for y in (2021, 2022, 2023) if any(c["year"] == y for c in cs)]

        def incl_expect(regions):
            num = sum(1 for e in eps if e["code"] in TREATED and START <= e["end"] <= END
                      and (e["home"] or e["region"]) in regions)
            if not base_years:
                return num, None
            total = sum(1 for c in cs if c["svf"] is not None and c["region"] in regions and c["year"] in base_years)
            return num, total / len(base_years)  # x 12 whole months / 12

        def check_incl(got, num, den, label):
            if den is None:
                assert empty(got["denominator"]) and empty(got["value"]), (label, got)
                return
            suppressed = den < 5 or 1 <= num <= 4
            assert bool(got["suppressed"]) is suppressed, (label, got)
            if suppressed:
                assert empty(got["value"]) and empty(got["numerator"]), (label, got)
                return
            assert int(got["numerator"]) == num, (label, got)
            assert close(got["denominator"], den), (label, got)
            assert close(got["value"], 100 * num / den), (label, got)
            assert empty(got["ci_low"]) and empty(got["ci_high"]), (label, got)
            assert got["target_level"] == ("high" if 100 * num / den >= 70 else "none"), (label, got)

        (riket,) = ds.compute("svf_inclusion", **period).to_dict("records")
        num, den = incl_expect(set(REGIONS))
        check_incl(riket, num, den, f"inclusion riket num={num} den={den}")
        by_region = {r["region"]: r for r in ds.compute("svf_inclusion", by=["region"], **period).to_dict("records")}
        for r in REGIONS:
            num, den = incl_expect({r})
            if num > 0:
                assert r in by_region, (r, num, den, sorted(by_region))
            if r in by_region:
                assert num > 0 or (den or 0) > 0, (r, by_region[r])
                check_incl(by_region[r], num, den, f"inclusion region={r} num={num} den={den}")
        ds.con.close()

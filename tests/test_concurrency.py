"""Concurrency: Streamlit runs every session in its own thread, so the engine, the views (cached per
data set and selection, shared by every session) and the image export must give each thread its
own, right answer (stack-notes.md §1.2: DuckDB 2 refuses a connection shared across threads; §2.3:
kaleido's sync server returns other calls' images without a lock)."""

from __future__ import annotations

import io
import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from indicators import open_data
from indicators.generate import generate

ROOT = Path(__file__).resolve().parent.parent
THREADS = 16

TASKS = [
    ("svf_within_target", None, None),
    ("svf_within_target", ["region"], None),
    ("svf_within_target", ["svf_code", "sex"], None),
    ("svf_within_target", ["year"], {"svf_code": ["brost", "prostata"]}),
    ("svf_over_175", ["healthcare_region"], None),
    ("svf_lead_time_median", ["region"], None),
    ("svf_lead_time_median", ["treatment_type"], {"region": "13"}),
    ("svf_lead_time_median", ["quarter"], None),
    ("svf_inclusion", ["region"], None),
    ("svf_inclusion", ["svf_code"], None),
    ("register_coverage", ["register"], None),
    ("register_coverage", ["region", "register"], None),
    ("register_reporting_90d", ["year"], None),
    ("rcl_coverage", ["region"], None),
    ("rcl_direct_transfer", ["substance"], None),
    ("rcl_starts_per_100k", ["healthcare_region"], None),
    ("qi:nkbc04", ["region"], None),
    ("qi:nkbc04", None, None),
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("conc") / "sample"
    generate(d, scale=0.02, seed=3)
    return d


def _run(ds, task):
    ind, by, where = task
    return ds.compute(ind, by=by, where=where, secondary=bool(by))


@pytest.fixture(scope="module")
def expected(sample) -> list[pd.DataFrame]:
    serial_ds = open_data(sample)
    return [_run(serial_ds, t) for t in TASKS]


def test_engine_from_16_threads_equals_serial(sample, expected):
    assert sum(len(e) for e in expected) > len(TASKS)

    # a fresh dataset (cold caches), every task three times, interleaved
    ds = open_data(sample)
    jobs = [t for _, t in itertools.product(range(3), TASKS)]
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda t: _run(ds, t), jobs))
    for task, got in zip(jobs, results, strict=False):
        pd.testing.assert_frame_equal(got, expected[TASKS.index(task)], obj=str(task))


def test_open_and_compute_in_parallel_threads(sample, expected):
    """Several sessions opening the same extract at once (e.g. a new snapshot) and computing."""
    picks = [1, 5, 10, 16]

    def session(i):
        return _run(open_data(sample), TASKS[i])

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(session, picks))
    for i, g in zip(picks, got, strict=False):
        pd.testing.assert_frame_equal(g, expected[i], obj=str(TASKS[i]))


def test_validation_report_while_computing(sample):
    ds = open_data(sample)
    want = ds.validation_report()
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(ds.validation_report) for _ in range(8)]
        futures += [pool.submit(_run, ds, t) for t in TASKS[:8]]
        for f in futures[:8]:
            pd.testing.assert_frame_equal(f.result(), want)
        for f in futures[8:]:
            f.result()


# -- views ----------------------------------------------------------------------------------------
def _selections(ds) -> list:
    import views

    start, end = views.default_period(ds.extract_date)
    base = views.Selection(start, end)
    return [base, base.replace(level="healthcare_region", own_region="14"),
            base.replace(regions=("01", "03", "13"), svf_code="brost", grain="month"),
            base.replace(level="riket", own_region="25", register="nkbc")]


def _page_ids(ds, sel) -> list[str]:
    import views

    return list(dict.fromkeys(v for page in views.PAGES for v in views.page_views(ds, sel, page)))


def _fingerprint(v) -> tuple:
    t = v.table
    cols = [c for c in ("label", "numerator", "denominator", "value", "suppressed", "hidden") if c in t.columns]
    return v.id, v.title, v.selection, v.notes, t[cols].astype(str).to_csv(index=False) if len(t) else ""


def test_views_from_16_threads_equal_serial(sample):
    """Sessions asking for the same and different views at once, on a fresh data set (cold view
    cache: protection over the selection's universe is built concurrently) get what one thread gets."""
    import views

    serial_ds = open_data(sample)
    # two selections unlike the default (a level with an own unit; chosen regions, a pathway, months):
    # the default's views are built concurrently by the app tests already
    jobs = [(i, vid) for i, sel in enumerate(_selections(serial_ds)) if i in (1, 2)
            for vid in _page_ids(serial_ds, sel)]
    want = {job: _fingerprint(views.view(serial_ds, _selections(serial_ds)[job[0]], job[1])) for job in jobs}
    assert len(jobs) > 40

    ds = open_data(sample)
    sels = _selections(ds)
    with ThreadPoolExecutor(THREADS) as pool:
        # every view asked for twice, the copies far apart: the same view built by two threads at once
        # is rare, so each job is also asked for by the next thread straight away
        both = [job for job in jobs for _ in (0, 1)]
        got = list(pool.map(lambda job: _fingerprint(views.view(ds, sels[job[0]], job[1])), both))
    wrong = [job for job, g in zip(both, got) if g != want[job]]
    assert not wrong, f"{len(wrong)} of {len(got)} views differ from the serial ones, e.g. {wrong[:3]}"


# -- image export ---------------------------------------------------------------------------------
def _pixels(png: bytes):
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    return im.size, im.tobytes()


def test_parallel_image_exports_return_their_own_image():
    import plotly.graph_objects as go

    from export import images

    images.warm_up()  # Debian's chromium is installed by `make test` (scripts/install_system_deps.sh)
    figs = []
    for i in range(5):
        fig = go.Figure(go.Bar(x=[f"r{j}" for j in range(i + 2)], y=[(j + 1) * (i + 1) for j in range(i + 2)],
                               marker_color=["#2b5f91", "#c0392b", "#27ae60", "#8e44ad", "#f39c12"][i]))
        fig.update_layout(title=f"Figur {i}", width=320, height=200, margin=dict(l=10, r=10, t=30, b=10))
        figs.append(fig)
    serial = [_pixels(images.render(f, "png", width=320, height=200, scale=1)) for f in figs]
    assert len({s[1] for s in serial}) == len(figs), "the test figures must differ"
    order = list(range(len(figs))) * 3
    with ThreadPoolExecutor(12) as pool:
        got = list(pool.map(lambda i: _pixels(images.render(figs[i], "png", width=320, height=200, scale=1)), order))
    wrong = [i for i, g in zip(order, got, strict=False) if g != serial[i]]
    assert not wrong, f"{len(wrong)} of {len(order)} parallel renders returned another figure's image"

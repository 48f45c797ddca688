"""Untrusted input: SQL-injection strings, control characters, unicode oddities and oversized values
through the command line (exit 2, one line on stderr, nothing on stdout) and through the app's URL
query parameters (every page renders without an exception and shows a notice). Afterwards the
engine still computes: no table was dropped, no file changed."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from app_harness import app_environment

from indicators import QueryError, open_data
from indicators.cli import main as cli_main
from tests import bad_corpus as bc

ROOT = Path(__file__).resolve().parent.parent
HUGE = "A" * 10_000

EVIL = [
    "01' OR '1'='1",
    "x'); DROP TABLE episodes; --",
    "brost\"; DROP TABLE svf_episodes; --",
    "\x00",
    "01\x00' OR 1=1",
    "０１",              # full-width digits
    "01\u200b",          # zero-width space
    "\u202e10",          # right-to-left override
    "e\u0301",           # combining accent
    "🙂",
    "\ud800",            # lone surrogate
    "%27%20OR%201%3D1",
    "${jndi:ldap://x}",
    "../../etc/passwd",
    HUGE,
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return bc.write_good(tmp_path_factory.mktemp("inj") / "set")


def _digest(d: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(d.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def shared_ds(data_dir):
    return open_data(data_dir)


@pytest.fixture(autouse=True)
def _one_load(request, monkeypatch):
    """The in-process CLI calls share one loaded Dataset (loading is tested elsewhere; the real
    processes below load for themselves), so a hundred refusals cost milliseconds each."""
    if "capsys" in request.fixturenames:
        ds = request.getfixturevalue("shared_ds")
        monkeypatch.setattr("indicators.dataset.open_data", lambda *_a, **_k: ds)


def _cli(capsys, *args) -> tuple[int, str, str]:
    try:
        code = cli_main([str(a) for a in args])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _assert_refused(code, out, err, what):
    assert code == 2, f"{what}: exit {code}, stderr {err[:300]!r}"
    assert out == "", f"{what}: wrote to stdout"
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"{what}: {len(lines)} lines on stderr: {err[:500]!r}"
    assert "Traceback" not in err
    assert len(lines[0]) < 600, f"{what}: message of {len(lines[0])} characters echoes the input"


@pytest.mark.parametrize("value", EVIL, ids=range(len(EVIL)))
def test_cli_where_value(data_dir, capsys, value):
    for dim in ("region", "svf_code", "sex", "year"):
        code, out, err = _cli(capsys, "compute", "svf_within_target", "--data", data_dir, "--where", f"{dim}={value}")
        _assert_refused(code, out, err, f"--where {dim}=")


@pytest.mark.parametrize("value", EVIL, ids=range(len(EVIL)))
def test_cli_where_dimension_and_by(data_dir, capsys, value):
    code, out, err = _cli(capsys, "compute", "svf_within_target", "--data", data_dir, "--where", f"{value}=01")
    _assert_refused(code, out, err, "--where DIM")
    for by in (value, f"region,{value}", f"{value},region"):
        code, out, err = _cli(capsys, "compute", "svf_within_target", "--data", data_dir, "--by", by)
        _assert_refused(code, out, err, "--by")


@pytest.mark.parametrize("value", EVIL + ["2024-01-01'; DROP TABLE episodes; --", "2024-13-01", "2024-02-30",
                                          "20240101", "2024-1-1 OR 1=1"], ids=range(len(EVIL) + 5))
def test_cli_from_to(data_dir, capsys, value):
    for flag in ("--from", "--to"):
        code, out, err = _cli(capsys, "compute", "svf_within_target", "--data", data_dir, flag, value)
        _assert_refused(code, out, err, flag)


@pytest.mark.parametrize("value", EVIL + ["5; DROP TABLE episodes", "4", "-1", "0", "1e9", "5.5", "NaN", "inf"],
                         ids=range(len(EVIL) + 8))
def test_cli_min_n(data_dir, capsys, value):
    code, out, err = _cli(capsys, "compute", "svf_within_target", "--data", data_dir, "--min-n", value)
    _assert_refused(code, out, err, "--min-n")


@pytest.mark.parametrize("value", EVIL + ["svf_within_target'; --", "qi:nkbc04' OR '1'='1", "qi:", "qi:../../x",
                                          "SVF_WITHIN_TARGET", " svf_within_target\x00"], ids=range(len(EVIL) + 6))
def test_cli_indicator_id(data_dir, capsys, value):
    code, out, err = _cli(capsys, "compute", value, "--data", data_dir)
    _assert_refused(code, out, err, "indicator")


def test_free_text_substance_is_a_parameter(data_dir, capsys):
    """`substance` is free text: an injection string is just a substance nobody was given."""
    for value in ("x'); DROP TABLE drugs; --", "' OR '1'='1", "🙂"):
        code, out, err = _cli(capsys, "compute", "rcl_coverage", "--data", data_dir, "--where", f"substance={value}",
                              "--format", "json")
        assert code == 0, err
        assert '"suppressed": true' in out  # nothing matched: an empty group, suppressed
    code, out, err = _cli(capsys, "compute", "rcl_coverage", "--data", data_dir, "--where", f"substance={HUGE}")
    _assert_refused(code, out, err, "substance 10 000 chars")


def test_shared_dataset_intact_after_cli_attempts(shared_ds):
    """Runs after the CLI tests above (file order): every table of the loaded set is still there."""
    names = set(shared_ds.query_df("SELECT table_name FROM information_schema.tables")["table_name"])
    assert {"episodes", "cases", "regions", "drugs", "registrations", "outcomes"} <= names
    assert len(shared_ds.compute("svf_within_target", by=["region"])) >= 2


def test_engine_still_works_after_injection_attempts(data_dir):
    """The same strings straight into one Dataset; afterwards every table is there and results equal."""
    before = _digest(data_dir)
    ds = open_data(data_dir)
    want = {ind: ds.compute(ind, by=["region"], **bc.PERIOD) for ind in ("svf_within_target", "rcl_coverage")}
    tables = set(ds.query_df("SELECT table_name FROM information_schema.tables")["table_name"])
    for value in EVIL:
        for kwargs in ({"where": {"region": value}}, {"where": {"svf_code": [value, "brost"]}}, {"by": [value]},
                       {"by": value}, {"start": value}, {"end": value}, {"min_n": value}, {"where": {value: "01"}}):
            with pytest.raises(QueryError):
                ds.compute("svf_within_target", **kwargs)
        with pytest.raises(QueryError):
            ds.compute(value)
        if value != "\ud800":  # see test_free_text_that_is_not_utf8
            ds.compute("rcl_coverage", where={"substance": value[:200]})
    assert set(ds.query_df("SELECT table_name FROM information_schema.tables")["table_name"]) == tables
    for ind, df in want.items():
        import pandas as pd

        ds._cache.clear()
        pd.testing.assert_frame_equal(ds.compute(ind, by=["region"], **bc.PERIOD), df)
    assert _digest(data_dir) == before


def test_free_text_that_is_not_utf8(data_dir, capsys):
    """A lone surrogate (what Python makes of a non-UTF-8 byte in argv) in a free-text value must
    be refused as a bad request (QueryError, exit 2), not crash inside DuckDB."""
    ds = open_data(data_dir)
    with pytest.raises(QueryError):
        ds.compute("rcl_coverage", where={"substance": "\ud800"})
    code, out, err = _cli(capsys, "compute", "rcl_coverage", "--data", data_dir, "--where", "substance=\udcff")
    _assert_refused(code, out, err, "substance=<byte 0xff>")


def test_free_text_that_is_not_utf8_real_process(data_dir):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([os.fsencode(sys.executable), b"-m", b"indicators", b"compute", b"rcl_coverage", b"--data",
                        os.fsencode(data_dir), b"--where", b"substance=\xff"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    _assert_refused(p.returncode, p.stdout, p.stderr, "substance=<byte 0xff> (real process)")


def test_real_processes_one_line(data_dir):
    """A few real processes (argv cannot carry NUL): exit 2, one line, no traceback."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cases = [
        ["compute", "x'); DROP TABLE episodes; --", "--data", str(data_dir), "--where", "region=01' OR '1'='1"],
        ["compute", "svf_within_target", "--data", str(data_dir), "--by", HUGE, "--min-n", "4"],
        ["compute", "svf_within_target", "--data", str(data_dir), "--bogus", "1"],
    ]
    procs = [subprocess.Popen([os.fsencode(sys.executable), b"-m", b"indicators", *map(os.fsencode, a)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for a in cases]
    for args, p in zip(cases, procs, strict=False):
        out, err = p.communicate(timeout=60)
        _assert_refused(p.returncode, out, err, [str(x)[:40] for x in args[:2]])


# -- the app's URL ---------------------------------------------------------------------------------
# the shared filters (ui/filters.py, and the older fran/till links), then the pages' own parameters
URL_KEYS = ["period", "tidsenhet", "niva", "regioner", "egen_region", "forlopp", "register", "fran", "till",
            "flik", "inom_dagar", "jmf_indikator", "overspridning", "kvalitetsindikator", "tg_period"]
URL_VALUES = ["01' OR '1'='1", "x'); DROP TABLE episodes; --", "\x00", "\u202e10", "🙂", "<img src=x onerror=alert(1)>",
              "[klicka](http://x.invalid) :red[röd]", HUGE]


def _pages() -> list[str]:
    return sorted(p.name for p in (ROOT / "app_pages").glob("*.py"))


def test_every_page_is_scanned():
    from ui.navigation import PAGES

    assert sorted(p.file for p in PAGES) == _pages() and len(_pages()) == 10  # Cancerplan, Publicerad statistik


@pytest.fixture(scope="module")
def app_env(tmp_path_factory):
    from indicators.generate import generate

    d = tmp_path_factory.mktemp("app") / "sample"
    generate(d, scale=0.02, seed=5)
    with app_environment(d) as env_dir:
        yield env_dir


def _all_text(at) -> str:
    from google.protobuf.json_format import MessageToJson

    parts = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            try:
                parts.append(MessageToJson(proto))
            except Exception:  # noqa: BLE001
                parts.append(str(proto))
    return "\n".join(parts)


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


@pytest.mark.parametrize("page", _pages())
@pytest.mark.parametrize("variant", ["injection", "oversized"])
def test_app_pages_survive_hostile_urls(app_env, page, variant):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    values = URL_VALUES[:-1] if variant == "injection" else [HUGE]
    for i, key in enumerate(URL_KEYS):
        at.query_params[key] = values[i % len(values)]
    at.query_params["x'); DROP TABLE episodes; --"] = "1"
    at.run()
    pages_dir = "app_pages"
    if not page.startswith("1_"):
        at.switch_page(f"{pages_dir}/{page}")
        for i, key in enumerate(URL_KEYS):
            at.query_params[key] = values[i % len(values)]
        at.run()
    assert not at.exception, f"{page}: {[(e.message, e.stack_trace[-6:]) for e in at.exception]}"
    text = _all_text(at)
    assert "Traceback" not in text
    notices = [w.value for w in at.warning] + [e.value for e in at.error] + [i.value for i in at.info]
    assert any("länken" in n or "ignorerades" in n for n in notices), f"{page}: no notice about the URL: {notices}"
    # a hostile value is shown as its characters in a notice (markdown-escaped), never as markup or a link
    shown = "\n".join(notices)
    for raw in (r"(?<!\\)<img", r"(?<!\\)\[klicka(?<!\\)\]", r"(?<!\\):red"):
        assert not re.search(raw, shown), (raw, shown[:500])
    # the engine behind the app still answers
    from ui import data

    ds = data.load_dataset(str(app_env), data.data_stamp(app_env))
    assert len(ds.compute("svf_within_target", by=["region"])) > 1

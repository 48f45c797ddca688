"""Safe updates: `python -m indicators ingest SOURCE --store DIR [--keep N]` and current_snapshot().

An invalid set, or an ingest killed at any point, must leave CURRENT naming the previous complete
snapshot; a later ingest must succeed and clean up what the killed one left behind.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indicators import DataError, open_data
from indicators.store import CURRENT, PAUSE_ENV, PAUSE_SECONDS_ENV, SNAPSHOTS, current_snapshot, ingest, list_snapshots
from tests import bad_corpus as bc
from tests.bad_corpus import isolated_load_cache  # noqa: F401 - fixture
from tests.extract_builder import episode

pytestmark = pytest.mark.usefixtures("isolated_load_cache")

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["locked", "copying", "copied", "validated", "renamed", "warmed", "current_tmp", "switched"]


def _variant(d: Path, n: int) -> Path:
    """A valid set whose content differs by `n` (one more ongoing episode per step)."""
    extra = [episode(f"V{n}-{i}", "brost", "2024-06-01", None, None) for i in range(n)]
    return bc.write_good(d, svf_episodes=bc.good_tables()["svf_episodes"] + extra)


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sources")
    out = {f"v{n}": _variant(root / f"v{n}", n) for n in range(5)}
    for name in ("missing_table", "truncated_parquet", "manifest_bad_json", "csv_semicolon", "wrong_type_int_as_text"):
        out[name] = bc.build(name, root / name)
    return out


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory, sources) -> Path:
    """A store whose current snapshot is v0 (copy it per test)."""
    store = tmp_path_factory.mktemp("seed") / "store"
    r = ingest(sources["v0"], store, keep=5)
    assert r.exit_code == 0, r.message
    return store


def _copy_store(seed: Path, dest: Path) -> Path:
    shutil.copytree(seed, dest)
    return dest


def _state(store: Path) -> tuple[str, list[str]]:
    return (store / CURRENT).read_text(encoding="utf-8").strip(), list_snapshots(store)


def _assert_usable(store: Path) -> Path:
    snap = current_snapshot(store)
    ds = open_data(snap)
    assert not ds.failed_tables, [(t.table, t.error) for t in ds.failed_tables]
    assert len(ds.compute("svf_within_target", **bc.PERIOD)) == 1
    return snap


def _leftovers(store: Path) -> list[str]:
    """Temporary files and dirs of an ingest, and PENDING (present only while one runs)."""
    return sorted(p.name for p in store.iterdir()
                  if p.name.startswith(".ingest-") or p.name in (CURRENT + ".tmp", "PENDING")
                  or (p.name.startswith((".CURRENT.", ".PENDING.", ".PUBLISHED.")) and p.name.endswith(".tmp")))


# -- current_snapshot -----------------------------------------------------------------------------
def test_current_snapshot_errors_are_clear(tmp_path):
    with pytest.raises(DataError, match="finns inte"):
        current_snapshot(tmp_path / "nope")
    with pytest.raises(DataError, match="inget aktuellt extrakt.*ingest"):
        current_snapshot(tmp_path)
    (tmp_path / CURRENT).write_text("20250101T000000Z-abcdef0123\n")
    with pytest.raises(DataError, match="finns inte"):
        current_snapshot(tmp_path)
    (tmp_path / CURRENT).write_text("../../etc\n")
    with pytest.raises(DataError, match="giltigt"):
        current_snapshot(tmp_path)
    (tmp_path / CURRENT).write_text("")
    with pytest.raises(DataError):
        current_snapshot(tmp_path)


# -- ingest in-process ------------------------------------------------------------------------------
def test_first_ingest_publishes_a_complete_snapshot(tmp_path, sources):
    store = tmp_path / "store"
    r = ingest(sources["v1"], store, keep=5)
    assert r.exit_code == 0 and "\n" not in r.message
    snap = _assert_usable(store)
    assert snap == r.snapshot and snap.parent == store / SNAPSHOTS
    name = snap.name
    assert name[:8].isdigit() and name.endswith("Z-" + name.split("Z-")[1]) and len(name.split("-")[-1]) >= 8
    files = sorted(p.relative_to(sources["v1"]) for p in sources["v1"].rglob("*") if p.is_file())
    assert sorted(p.relative_to(snap) for p in snap.rglob("*") if p.is_file()) == files
    for f in files:
        assert (snap / f).read_bytes() == (sources["v1"] / f).read_bytes()
    assert _leftovers(store) == []


@pytest.mark.parametrize("bad", ["missing_table", "truncated_parquet", "manifest_bad_json", "csv_semicolon",
                                 "wrong_type_int_as_text"])
def test_invalid_set_leaves_current_unchanged(tmp_path, sources, seeded_store, bad):
    store = _copy_store(seeded_store, tmp_path / "store")
    before = _state(store)
    r = ingest(sources[bad], store, keep=5)
    assert r.exit_code == 1
    assert "\n" not in r.message and "oförändrat" in r.message
    table = bc.CASES_BY_NAME[bad].table
    assert table in r.message
    assert _state(store) == before
    assert _leftovers(store) == []
    _assert_usable(store)


def test_source_not_a_directory(tmp_path, seeded_store):
    store = _copy_store(seeded_store, tmp_path / "store")
    before = _state(store)
    r = ingest(tmp_path / "missing", store)
    assert r.exit_code == 1 and "\n" not in r.message
    assert _state(store) == before


def test_store_inside_the_source_is_refused(tmp_path, sources):
    src = tmp_path / "src"
    shutil.copytree(sources["v1"], src)
    r = ingest(src, src / "store")
    assert r.exit_code == 1 and "källkatalogen" in r.message
    assert not (src / "store" / CURRENT).exists()


def test_a_snapshot_can_be_ingested_again_as_rollback(tmp_path, sources):
    store = tmp_path / "store"
    first = ingest(sources["v1"], store).snapshot
    ingest(sources["v2"], store)
    r = ingest(first, store)  # source inside the store: fine (a copy of an old snapshot)
    assert r.exit_code == 0, r.message
    assert current_snapshot(store) == r.snapshot and r.snapshot != first
    _assert_usable(store)


def test_new_set_switches_and_old_ones_are_kept_up_to_keep(tmp_path, sources):
    store = tmp_path / "store"
    names = []
    for n in range(5):
        r = ingest(sources[f"v{n}"], store, keep=3)
        assert r.exit_code == 0, r.message
        names.append(r.snapshot.name)
        assert current_snapshot(store).name == names[-1]  # the app sees the new one at once
    assert len(set(names)) == 5
    assert list_snapshots(store) == sorted(names[-3:])
    _assert_usable(store)
    # the current snapshot survives even when it is not among the newest (e.g. after a manual rollback)
    (store / CURRENT).write_text(names[2] + "\n")
    r = ingest(sources["v0"], store, keep=1)
    assert r.exit_code == 0
    assert current_snapshot(store).name == r.snapshot.name
    assert list_snapshots(store) == [r.snapshot.name]


def test_keep_never_deletes_current(tmp_path, sources):
    store = tmp_path / "store"
    ingest(sources["v1"], store, keep=1)
    r = ingest(sources["v2"], store, keep=1)
    assert list_snapshots(store) == [r.snapshot.name] == [current_snapshot(store).name]


def test_same_content_is_not_a_new_snapshot(tmp_path, sources, seeded_store):
    store = _copy_store(seeded_store, tmp_path / "store")
    before = _state(store)
    r = ingest(sources["v0"], store)
    assert r.exit_code == 0 and "oförändrat" in r.message
    assert _state(store) == before


# -- the command line and interruption ------------------------------------------------------------------
def _env(**extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _start(source: Path, store: Path, *extra_args, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "indicators", "ingest", str(source), "--store", str(store),
                             *extra_args], cwd=ROOT, env=_env(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_pause(proc: subprocess.Popen, stage: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.2)
        if ready:
            line = proc.stderr.readline()
            seen += line
            if line.strip() == f"PAUSE {stage}":
                return
            if not line and proc.poll() is not None:
                break
    proc.kill()
    raise AssertionError(f"ingest never paused at {stage}: rc={proc.poll()} stderr={seen!r}")


def test_cli_ingest_exit_codes(tmp_path, sources, seeded_store):
    store = _copy_store(seeded_store, tmp_path / "store")
    procs = {
        "ok": (_start(sources["v3"], store), 0),
        "bad_keep": (_start(sources["v3"], tmp_path / "other", "--keep", "0"), 2),
        "invalid": (_start(sources["missing_table"], tmp_path / "other2"), 1),
    }
    for key, (proc, want) in procs.items():
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == want, f"{key}: {proc.returncode} {out!r} {err!r}"
        assert "Traceback" not in err
        text = (out + err).strip()
        assert len(text.splitlines()) == 1, text
    assert current_snapshot(store).name != _state(seeded_store)[0]
    assert not (tmp_path / "other").exists() or list_snapshots(tmp_path / "other") == []


def test_killed_ingest_at_every_stage_leaves_a_complete_current(tmp_path, sources, seeded_store):
    """SIGKILL at each stage (all stages at once, one store each): CURRENT names a complete
    snapshot — the old one before the switch, the new one after — and the next ingest succeeds
    and removes the temp dirs the killed one left."""
    old = _state(seeded_store)[0]
    stores = {s: _copy_store(seeded_store, tmp_path / s) for s in STAGES}
    procs = {s: _start(sources["v4"], stores[s], **{PAUSE_ENV: s, PAUSE_SECONDS_ENV: "60"}) for s in STAGES}
    try:
        for stage, proc in procs.items():
            _wait_for_pause(proc, stage)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
    for stage, store in stores.items():
        current = _state(store)[0]
        if STAGES.index(stage) < STAGES.index("switched"):
            assert current == old, f"killed at {stage}: CURRENT changed to {current}"
        else:
            assert current != old
        _assert_usable(store)
    # a later ingest succeeds and cleans up (one in-process run per store is cheap)
    for stage, store in stores.items():
        killed_current = _state(store)[0]
        r = ingest(sources["v2"], store, keep=2)
        assert r.exit_code == 0, f"after kill at {stage}: {r.message}"
        assert _leftovers(store) == [], f"after kill at {stage}: {_leftovers(store)}"
        assert current_snapshot(store) == r.snapshot
        _assert_usable(store)
        # what was published survives (keep=2: the one current before this ingest, and the new one);
        # a snapshot the killed ingest renamed into place without publishing it is gone
        assert list_snapshots(store) == sorted([killed_current, r.snapshot.name]), f"after kill at {stage}"


def test_two_ingests_at_once_are_serialised(tmp_path, sources, seeded_store):
    store = _copy_store(seeded_store, tmp_path / "store")
    first = _start(sources["v1"], store, **{PAUSE_ENV: "copied", PAUSE_SECONDS_ENV: "1.5"})
    _wait_for_pause(first, "copied")
    second = _start(sources["v2"], store)
    out1, _ = first.communicate(timeout=60)
    out2, _ = second.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0, (out1, out2)
    assert _leftovers(store) == []
    snap = _assert_usable(store)
    assert snap.name in out2  # the second waited for the first, then published


# -- the app follows the store ----------------------------------------------------------------------
@pytest.fixture
def app_with_store(tmp_path):
    from streamlit import config

    store = tmp_path / "store"
    old = {k: os.environ.get(k) for k in ("INDIKATORPANELEN_DATA", "INDIKATORPANELEN_STORE")}
    os.environ["INDIKATORPANELEN_STORE"] = str(store)
    os.environ.pop("INDIKATORPANELEN_DATA", None)
    old_details = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    yield store
    config.set_option("client.showErrorDetails", old_details)
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _app_text(at) -> str:
    """The texts as a reader sees them (data-derived text is markdown-escaped: `\\.` shows `.`)."""
    parts = []
    for kind in ("title", "markdown", "caption", "error", "warning", "info"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def test_app_shows_a_clear_page_without_snapshot_then_follows_new_snapshots(app_with_store, sources):
    from streamlit.testing.v1 import AppTest

    store = app_with_store
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, [(e.message, e.stack_trace[-4:]) for e in at.exception]
    assert "ingest" in _app_text(at)  # the error page says how to fill the store

    first = ingest(sources["v1"], store).snapshot.name
    at.run()
    assert not at.exception, [(e.message, e.stack_trace[-4:]) for e in at.exception]
    assert first in _app_text(at)

    # a failed ingest changes nothing the app shows
    assert ingest(sources["missing_table"], store).exit_code == 1
    at.run()
    assert first in _app_text(at)

    second = ingest(sources["v2"], store).snapshot.name
    at.run()  # same session, no restart
    assert not at.exception
    text = _app_text(at)
    assert second in text and first not in text


def test_ingest_fills_the_load_cache_for_the_snapshot(tmp_path, sources, monkeypatch):
    """The app's first open after a switch attaches the engine's cached database (the cache is
    off in the test suite by default and points at a temp dir in this module)."""
    from indicators import load_cache
    from indicators.loader import BUNDLED_REFERENCE_DIR

    monkeypatch.setenv("INDIKATORPANELEN_CACHE", "on")
    r = ingest(sources["v3"], tmp_path / "store")
    key = load_cache.fingerprint(r.snapshot, BUNDLED_REFERENCE_DIR)
    assert load_cache.open_cached(key) is not None
    # and nothing was cached for the temporary copy's path
    assert not any(".ingest-" in str(p) for p in load_cache.cache_dir().iterdir())


# -- links are not followed, nothing is read through them (issue 10) -----------------------------------
SECRET = "TOPSECRET:x:0:0:root:/root:/bin/bash"


@pytest.fixture
def secret_file(tmp_path) -> Path:
    p = tmp_path / "outside" / "shadow"
    p.parent.mkdir()
    p.write_text(SECRET + "\n")
    p.chmod(0o600)
    return p


def _with_link(src: Path, dest: Path, rel: str, target: Path) -> Path:
    shutil.copytree(src, dest)
    link = dest / rel
    if link.exists():
        link.unlink()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return dest


@pytest.mark.parametrize("rel", ["regions.csv", "manifest.json", "svf_episodes.parquet", "notes/readme.txt",
                                 "shadow"])
def test_a_symlink_in_the_source_is_refused_and_never_copied(tmp_path, sources, seeded_store, secret_file, rel):
    store = _copy_store(seeded_store, tmp_path / "store")
    before = _state(store)
    src = _with_link(sources["v1"], tmp_path / "src", rel, secret_file)
    r = ingest(src, store)
    assert r.exit_code == 1 and "\n" not in r.message
    assert f"'{rel}' är en symbolisk länk" in r.message and "oförändrat" in r.message, r.message
    assert SECRET not in r.message and "TOPSECRET" not in r.message
    assert _state(store) == before and _leftovers(store) == []
    assert not any("TOPSECRET" in p.read_text(errors="replace") for p in store.rglob("*") if p.is_file())


def test_a_fifo_in_the_source_is_refused_without_hanging(tmp_path, sources, seeded_store):
    store = _copy_store(seeded_store, tmp_path / "store")
    src = tmp_path / "src"
    shutil.copytree(sources["v1"], src)
    os.mkfifo(src / "regions.csv")
    r = ingest(src, store)
    assert r.exit_code == 1 and "'regions.csv' är en FIFO" in r.message, r.message


def test_a_link_swapped_in_after_the_check_is_refused_by_the_copy(tmp_path, sources, secret_file):
    """The copy itself opens with O_NOFOLLOW: a link that appears between the check and the copy
    is refused, not read (the race an attacker would try)."""
    from indicators.store import _copy_tree

    src = _with_link(sources["v1"], tmp_path / "src", "population.parquet", secret_file)
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(DataError, match="'population.parquet' är en symbolisk länk"):
        _copy_tree(src, dest)
    assert not (dest / "population.parquet").exists()


def test_snapshot_files_are_never_more_readable_than_the_source(tmp_path, sources):
    src = tmp_path / "src"
    shutil.copytree(sources["v1"], src)
    (src / "cancer_cases.parquet").chmod(0o600)
    (src / "population.parquet").chmod(0o644)
    old = os.umask(0o022)
    try:
        r = ingest(src, tmp_path / "store")
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.message
    assert (r.snapshot / "cancer_cases.parquet").stat().st_mode & 0o777 == 0o600
    assert (r.snapshot / "population.parquet").stat().st_mode & 0o777 == 0o644


def _link_current(store: Path, secret: Path) -> str:
    (store / CURRENT).unlink()
    (store / CURRENT).symlink_to(secret)
    return CURRENT


def _link_snapshots(store: Path, secret: Path) -> str:
    real = store.parent / "elsewhere"
    os.rename(store / SNAPSHOTS, real)
    (store / SNAPSHOTS).symlink_to(real, target_is_directory=True)
    return SNAPSHOTS


def _link_inside_snapshot(store: Path, secret: Path) -> str:
    snap = store / SNAPSHOTS / list_snapshots(store)[0]
    (snap / "regions.csv").symlink_to(secret)
    return f"{SNAPSHOTS}/{snap.name}/regions.csv"


def _link_lock(store: Path, secret: Path) -> str:
    lock = store / ".lock"
    if lock.exists():
        lock.unlink()
    lock.symlink_to(secret)
    return ".lock"


@pytest.mark.parametrize("plant", [_link_current, _link_snapshots, _link_inside_snapshot, _link_lock],
                         ids=["CURRENT", "snapshots", "inside_snapshot", "lock"])
def test_a_symlink_in_the_store_is_refused_and_its_target_untouched(tmp_path, sources, seeded_store, secret_file,
                                                                    plant):
    store = _copy_store(seeded_store, tmp_path / "store")
    rel = plant(store, secret_file)
    r = ingest(sources["v2"], store)
    assert r.exit_code == 1 and "\n" not in r.message
    assert f"'{rel}' är en symbolisk länk" in r.message, r.message
    assert "TOPSECRET" not in r.message
    assert secret_file.read_text() == SECRET + "\n" and secret_file.stat().st_mode & 0o777 == 0o600
    assert _leftovers(store) == []


def test_current_snapshot_never_follows_or_echoes_a_linked_current(tmp_path, seeded_store, secret_file):
    store = _copy_store(seeded_store, tmp_path / "store")
    _link_current(store, secret_file)
    with pytest.raises(DataError, match="CURRENT är en symbolisk länk") as exc:
        current_snapshot(store)
    assert "TOPSECRET" not in str(exc.value)
    # a regular CURRENT holding something else is not echoed either
    (store / CURRENT).unlink()
    (store / CURRENT).write_text(SECRET + "\n")
    with pytest.raises(DataError, match="inget giltigt snapshot-namn") as exc:
        current_snapshot(store)
    assert "TOPSECRET" not in str(exc.value)


def test_a_linked_snapshot_directory_is_not_served(tmp_path, seeded_store):
    store = _copy_store(seeded_store, tmp_path / "store")
    name = _state(store)[0]
    os.rename(store / SNAPSHOTS / name, tmp_path / "moved")
    (store / SNAPSHOTS / name).symlink_to(tmp_path / "moved", target_is_directory=True)
    with pytest.raises(DataError, match="symbolisk länk"):
        current_snapshot(store)


def test_cli_ingest_of_a_linked_set_is_one_line_exit_1(tmp_path, sources, secret_file, capsys):
    from indicators.cli import main

    src = _with_link(sources["v1"], tmp_path / "src", "regions.csv", secret_file)
    assert main(["ingest", str(src), "--store", str(tmp_path / "store")]) == 1
    out, err = capsys.readouterr()
    assert len((out + err).strip().splitlines()) == 1 and "TOPSECRET" not in out + err
    assert "'regions.csv' är en symbolisk länk" in out


# -- pruning keeps what was published ---------------------------------------------------------------
class _Killed(BaseException):
    """Stands for SIGKILL in-process: no cleanup of the ingest's own runs after it."""


def _kill_at(monkeypatch, stage: str) -> None:
    import indicators.store as st

    real = st._pause

    def pause(s):
        if s == stage:
            raise _Killed(s)
        real(s)

    monkeypatch.setattr(st, "_pause", pause)


def test_an_orphan_of_a_killed_ingest_is_removed_and_published_snapshots_kept(tmp_path, sources, monkeypatch):
    """Hand-worked: published a (v0), b (v1); an ingest of v2 killed after renaming its snapshot
    into place leaves orphan c; then d (v3) with --keep 2. Before: the two newest names were c and
    d, so b (published) was deleted and the orphan kept. Now: b and d are kept, c is removed."""
    store = tmp_path / "store"
    a = ingest(sources["v0"], store, keep=2).snapshot.name
    b = ingest(sources["v1"], store, keep=2).snapshot.name
    _kill_at(monkeypatch, "renamed")
    with pytest.raises(_Killed):
        ingest(sources["v2"], store, keep=2)
    monkeypatch.undo()
    orphans = [n for n in list_snapshots(store) if n not in (a, b)]
    assert len(orphans) == 1 and _state(store)[0] == b
    _assert_usable(store)  # the app still serves b
    d = ingest(sources["v3"], store, keep=2).snapshot.name
    assert list_snapshots(store) == sorted([b, d])
    assert (store / "PUBLISHED").read_text().split() == sorted([b, d])
    assert _leftovers(store) == []


def test_a_failed_switch_removes_the_new_snapshot_at_once(tmp_path, sources, seeded_store, monkeypatch):
    import errno

    import indicators.store as st

    store = _copy_store(seeded_store, tmp_path / "store")
    before = _state(store)

    def full(_snapshot):
        raise OSError(errno.ENOSPC, "No space left on device", str(store / ".CURRENT.x.tmp"))

    monkeypatch.setattr(st, "_warm_load_cache", full)
    r = ingest(sources["v2"], store)
    assert r.exit_code == 1 and "disken är full" in r.message and "oförändrat" in r.message, r.message
    assert _state(store) == before and _leftovers(store) == []


def test_disk_full_while_copying_leaves_nothing_behind(tmp_path, sources, seeded_store, monkeypatch):
    import errno

    import indicators.store as st

    store = _copy_store(seeded_store, tmp_path / "store")
    before = _state(store)
    real = st._copy_tree

    def copy_then_fill(source, dest):
        real(source, dest)
        raise OSError(errno.ENOSPC, "No space left on device")  # as write() raises it: no file name

    monkeypatch.setattr(st, "_copy_tree", copy_then_fill)
    r = ingest(sources["v2"], store)
    assert r.exit_code == 1 and "\n" not in r.message, r.message
    assert f"'{store}': kunde inte skrivas: disken är full" in r.message, r.message
    assert _state(store) == before and _leftovers(store) == []


def test_a_store_from_before_published_keeps_every_snapshot_it_had(tmp_path, sources):
    store = tmp_path / "store"
    names = [ingest(sources[f"v{n}"], store, keep=5).snapshot.name for n in range(3)]
    (store / "PUBLISHED").unlink()  # as a store made before this file existed
    r = ingest(sources["v3"], store, keep=5)
    assert list_snapshots(store) == sorted(names + [r.snapshot.name])
    assert (store / "PUBLISHED").read_text().split() == sorted(names + [r.snapshot.name])


def test_a_directory_no_ingest_wrote_is_left_alone(tmp_path, sources):
    store = tmp_path / "store"
    ingest(sources["v0"], store, keep=1)
    foreign = store / SNAPSHOTS / "20200101T000000.000000Z-0123456789"
    foreign.mkdir()
    (foreign / "note.txt").write_text("put here by hand")
    r = ingest(sources["v1"], store, keep=1)
    assert r.exit_code == 0
    assert (foreign / "note.txt").read_text() == "put here by hand"
    assert list_snapshots(store) == sorted([foreign.name, r.snapshot.name])


@pytest.mark.parametrize("bad", ["symlink_reference_csv", "symlink_folder_part", "symlink_folder", "manifest_symlink",
                                 "fifo_table", "manifest_deep", "manifest_5000_digits", "manifest_future_date",
                                 "manifest_directory", "passwd_copied_as_csv"])
def test_hostile_corpus_sets_are_refused_and_current_unchanged(tmp_path, seeded_store, bad):
    """The bad-input corpus's hostile sets (tests/bad_corpus.py): exit 1, one line naming the
    path or table, nothing copied, nothing echoed, CURRENT unchanged."""
    src = bc.build(bad, tmp_path / "src" / bad)
    store = _copy_store(seeded_store, tmp_path / "store")
    before = _state(store)
    r = ingest(src, store)
    assert r.exit_code == 1 and "\n" not in r.message and "oförändrat" in r.message, r.message
    case = bc.CASES_BY_NAME[bad]
    named = case.expect[0].strip("'").split("/")[0]
    assert named in r.message or case.table in r.message, r.message
    assert "TOPSECRET" not in r.message and "\x1b" not in r.message
    assert _state(store) == before and _leftovers(store) == []

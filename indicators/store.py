"""A snapshot store for extract sets: safe updates that never leave the dashboard without data.

Layout of a store directory::

    STORE/
      CURRENT                      one line: the name of the current snapshot
      snapshots/<UTC timestamp>-<short hash>/   complete, validated copies of extract sets
                                   (e.g. 20261123T054846.123456Z-9e9b7416e7)
      .ingest-<random>/            temporary copies being written (removed on the next ingest)

`ingest(source, store, keep)` copies the extract set into a temporary directory inside the store
(fsyncing every file), validates that copy with the engine (`open_data`; the set is invalid when
any table is missing or failed to load; validating the copy means what is published is exactly
what was validated), renames the directory into `snapshots/`, opens it once more to fill the
engine's load cache for its final path (so the app's first request is fast), and only then
switches `CURRENT` atomically (write `CURRENT.tmp`, fsync, `os.replace`, fsync the store
directory). An invalid set or an ingest that is killed at any point leaves `CURRENT` naming the
previous, complete snapshot. Older snapshots are kept up to `keep`; the current one is never
deleted.

`current_snapshot(store)` is what the app calls on every run (cheap: one small file read), so a new
snapshot is picked up without a restart.

For tests, the environment variable INDIKATORPANELEN_INGEST_PAUSE=<stage>[,<stage>...] makes
`ingest` sleep (INDIKATORPANELEN_INGEST_PAUSE_SECONDS, default 30) when it reaches that stage,
after printing ``PAUSE <stage>`` on stderr, so a test can kill the process there. Stages, in order:
`locked` (store lock taken, stale temp dirs removed), `copying` (after the first file), `copied`
(temp dir complete and fsynced), `validated`, `renamed` (snapshot in place, CURRENT not yet
switched), `warmed` (the engine's load cache filled for the snapshot's path), `current_tmp`
(CURRENT.tmp written and fsynced), `switched` (CURRENT replaced, old snapshots not yet pruned).

Only one ingest runs at a time per store (an exclusive `flock` on STORE/.lock, released by the
kernel if the process dies).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import DataError

CURRENT = "CURRENT"
SNAPSHOTS = "snapshots"
_TMP_PREFIX = ".ingest-"
_SNAPSHOT_RE = re.compile(r"^\d{8}T\d{6}(\.\d{6})?Z-[0-9a-f]{8,}$")
PAUSE_ENV = "INDIKATORPANELEN_INGEST_PAUSE"
PAUSE_SECONDS_ENV = "INDIKATORPANELEN_INGEST_PAUSE_SECONDS"


def current_snapshot(store_dir: Path) -> Path:
    """Return the directory of the current snapshot in the store `store_dir`.

    Reads `store_dir/CURRENT` (one line, a snapshot name) on every call, so callers that call it on
    each run see a newly ingested snapshot at once. Raises `DataError` with a message saying what
    is wrong (no store, nothing ingested yet, CURRENT naming a snapshot that does not exist) and how
    to fix it (`python -m indicators ingest SOURCE --store DIR`).
    """
    store = Path(store_dir)
    if not store.is_dir():
        raise DataError(f"snapshot-lagret {store} finns inte; skapa det med "
                        f"'python -m indicators ingest KÄLLA --store {store}'")
    pointer = store / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise DataError(f"snapshot-lagret {store} har inget aktuellt extrakt ännu (filen {CURRENT} saknas); "
                        f"läs in ett med 'python -m indicators ingest KÄLLA --store {store}'") from None
    except OSError as exc:
        raise DataError(f"snapshot-lagret {store}: {CURRENT} kunde inte läsas: {exc}") from None
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise DataError(f"snapshot-lagret {store}: {CURRENT} innehåller inget giltigt snapshot-namn ({name[:60]!r})")
    path = store / SNAPSHOTS / name
    if not path.is_dir():
        raise DataError(f"snapshot-lagret {store}: aktuellt snapshot {name} finns inte i {SNAPSHOTS}/")
    return path


@dataclass
class IngestResult:
    """Outcome of `ingest`: `message` is one line for the command line; `exit_code` 0 ok, 1 failure."""

    exit_code: int
    message: str
    snapshot: Path | None = None
    removed: tuple[str, ...] = ()


def ingest(source: Path, store: Path, keep: int = 5) -> IngestResult:
    """Validate the extract set `source` and publish it as the current snapshot of `store`.

    Never raises for bad input: an unusable or invalid set gives exit_code 1 and a one-line
    message naming the tables; the current snapshot is then left untouched. Content identical to
    the current snapshot gives exit_code 0 and no new snapshot.
    """
    source, store, keep = Path(source), Path(store), max(1, int(keep))
    if not source.is_dir():
        return IngestResult(1, _one_line(f"ingest: källan {source} är ingen katalog; aktuellt snapshot oförändrat"))
    src_abs, store_abs = source.resolve(), store.resolve()
    if store_abs == src_abs or src_abs in store_abs.parents:
        return IngestResult(1, _one_line(f"ingest: snapshot-lagret {store} ligger i källkatalogen {source}; "
                                         "välj ett lager utanför extraktet"))
    try:
        store.mkdir(parents=True, exist_ok=True)
        (store / SNAPSHOTS).mkdir(exist_ok=True)
        lock = _lock(store)
    except OSError as exc:
        return IngestResult(1, _one_line(f"ingest: snapshot-lagret {store} kan inte användas: {exc}"))
    try:
        return _ingest_locked(source, store, keep)
    except OSError as exc:
        return IngestResult(1, _one_line(f"ingest misslyckades ({exc}); aktuellt snapshot oförändrat"))
    finally:
        lock.close()


def _ingest_locked(source: Path, store: Path, keep: int) -> IngestResult:
    from .dataset import open_data

    _remove_stale(store)
    _pause("locked")
    previous = _current_name(store)
    tmp = store / f"{_TMP_PREFIX}{uuid.uuid4().hex[:12]}"
    tmp.mkdir()
    try:
        digest = _copy_tree(source, tmp)
        _pause("copied")
        try:
            ds = open_data(tmp, cache=False)  # the engine's load cache is keyed by path: warm it below instead
        except DataError as exc:
            return IngestResult(1, _one_line(f"ogiltigt extrakt {source}: {exc}; {_unchanged(previous)}"))
        try:
            failed = [f"{t.table}: {t.error}" for t in ds.failed_tables]
        finally:
            ds.con.close()
        if failed:
            return IngestResult(1, _one_line(
                f"ogiltigt extrakt {source}: {len(failed)} tabell(er) saknas eller kunde inte läsas "
                f"({'; '.join(failed)}); {_unchanged(previous)}"))
        _pause("validated")
        short = digest[:10]
        if previous and previous.endswith("-" + short) and (store / SNAPSHOTS / previous).is_dir():
            return IngestResult(0, f"oförändrat: {source} har samma innehåll som aktuellt snapshot {previous}",
                                snapshot=store / SNAPSHOTS / previous)
        name = _snapshot_name(store, short)
        final = store / SNAPSHOTS / name
        os.rename(tmp, final)
        _fsync_dir(store / SNAPSHOTS)
        _fsync_dir(store)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _pause("renamed")
    _warm_load_cache(final)
    _pause("warmed")
    pointer_tmp = store / (CURRENT + ".tmp")
    with open(pointer_tmp, "w", encoding="utf-8") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    _pause("current_tmp")
    os.replace(pointer_tmp, store / CURRENT)
    _fsync_dir(store)
    _pause("switched")
    removed = _prune(store, keep, name)
    note = f"; tog bort {len(removed)} äldre" if removed else ""
    return IngestResult(0, f"aktuellt snapshot: {name} (tabeller giltiga; föregående: {previous or 'inget'}{note})",
                        snapshot=final, removed=tuple(removed))


def _warm_load_cache(snapshot: Path) -> None:
    """Open the published snapshot once with the engine's load cache on (when enabled), so the
    app's first request after the switch attaches a ready database instead of loading the set.
    Best effort: the copy was validated already, so a failure here only costs the app a load."""
    from . import load_cache
    from .dataset import open_data

    if not load_cache.enabled():
        return
    try:
        ds = open_data(snapshot)
        ds.con.close()
    except Exception:  # noqa: BLE001 - validated above; never block the switch on the cache
        pass


# -- helpers ------------------------------------------------------------------------------------
def list_snapshots(store: Path) -> list[str]:
    """Names of the complete snapshots in `store`, oldest first."""
    base = Path(store) / SNAPSHOTS
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and _SNAPSHOT_RE.match(p.name))


def _current_name(store: Path) -> str | None:
    try:
        return current_snapshot(store).name
    except DataError:
        return None


def _unchanged(previous: str | None) -> str:
    return f"aktuellt snapshot oförändrat ({previous})" if previous else "inget aktuellt snapshot publicerat"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _lock(store: Path):
    fh = open(store / ".lock", "a+")
    try:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    except ImportError:  # pragma: no cover - non-POSIX
        pass
    return fh


def _remove_stale(store: Path) -> None:
    """Remove temp dirs and CURRENT.tmp left by an ingest that died (we hold the lock, so none is live)."""
    for p in store.iterdir():
        if p.name.startswith(_TMP_PREFIX) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
    try:
        (store / (CURRENT + ".tmp")).unlink()
    except FileNotFoundError:
        pass


def _copy_tree(source: Path, dest: Path) -> str:
    """Copy the regular files below `source` into `dest`, fsync each file and directory; return a
    SHA-256 of the relative paths and contents."""
    h = hashlib.sha256()
    first = True
    dirs = [dest]
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if any(part.startswith(_TMP_PREFIX) for part in rel.parts):
            continue
        target = dest / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            dirs.append(target)
            continue
        if not path.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        h.update(rel.as_posix().encode("utf-8") + b"\0")
        with open(path, "rb") as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        h.update(b"\0")
        if first:
            first = False
            _pause("copying")
    for d in reversed(dirs):
        _fsync_dir(d)
    return h.hexdigest()


def _snapshot_name(store: Path, short: str) -> str:
    """<UTC time to the microsecond>-<hash>: names sort in ingest order (pruning relies on it)."""
    now = datetime.now(UTC)
    name = f"{now:%Y%m%dT%H%M%S.%f}Z-{short}"
    while (store / SNAPSHOTS / name).exists():  # pragma: no cover - same microsecond
        time.sleep(0.001)
        now = datetime.now(UTC)
        name = f"{now:%Y%m%dT%H%M%S.%f}Z-{short}"
    return name


def _prune(store: Path, keep: int, current: str) -> list[str]:
    """Delete the oldest snapshots beyond `keep` (never `current`). A snapshot is first renamed to
    a temp name, so a half-deleted directory never looks like a snapshot."""
    names = list_snapshots(store)
    survivors = set(names[-keep:]) | {current}
    removed = []
    for name in names:
        if name in survivors:
            continue
        trash = store / f"{_TMP_PREFIX}trash-{name}"
        try:
            os.rename(store / SNAPSHOTS / name, trash)
        except OSError:
            continue
        shutil.rmtree(trash, ignore_errors=True)
        removed.append(name)
    return removed


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pause(stage: str) -> None:
    wanted = os.environ.get(PAUSE_ENV, "")
    if stage in {s.strip() for s in wanted.split(",") if s.strip()}:
        print(f"PAUSE {stage}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "30")))

"""A snapshot store for extract sets: safe updates that never leave the dashboard without data.

Layout of a store directory::

    STORE/
      CURRENT                      one line: the name of the current snapshot
      PUBLISHED                    the snapshots that have been current, one name a line, oldest first
      PENDING                      while an ingest runs: the name of the snapshot it is publishing
      snapshots/<UTC timestamp>-<short hash>/   complete, validated copies of extract sets
                                   (e.g. 20261123T054846.123456Z-9e9b7416e7)
      .ingest-<random>/            temporary copies being written (removed on the next ingest)

`ingest(source, store, keep)` refuses a source holding a symbolic link or another special file
anywhere (a FIFO, socket or device), naming it and never reading it; then copies the extract set
into a temporary directory inside the store (each file opened with O_NOFOLLOW and checked to be
a regular file, so a link swapped in meanwhile is refused too; each copy gets the source file's
permission bits, never more than 0666 minus the umask; fsyncing every file), validates that
copy with the engine (`open_data`; the set is invalid when any table is missing or failed to
load; validating the copy means what is published is exactly what was validated), writes its
name to PENDING, renames the directory into `snapshots/`, opens it once more to fill the engine's
load cache for its final path (so the app's first request is fast), and only then switches
`CURRENT` atomically (`files.atomic_output`: a temporary file, fsync, `os.replace`, fsync the
store directory), adds the name to PUBLISHED and removes PENDING. An invalid set or an ingest
that is killed at any point leaves `CURRENT` naming the previous, complete snapshot.

Pruning keeps what was published: the `keep` newest snapshots named in PUBLISHED are kept (the
current one always); older published ones are deleted. A snapshot that a killed ingest left in
`snapshots/` without publishing it (named in PENDING, not current, not published) is an orphan
and is deleted by the next ingest; it never counts towards `keep`. Any other directory in
`snapshots/` that no ingest of this store wrote is left alone. A store made before PUBLISHED
existed counts every snapshot it holds as published (nothing is deleted by guessing).

Links are not followed in a store either: CURRENT, PUBLISHED, PENDING, the lock file,
`snapshots/`, a snapshot directory or anything inside one that is a symbolic link makes
`ingest` (and, for the current snapshot's own path, `current_snapshot`) refuse with a message
naming the path. The store directory itself may be a link (it is the user's argument).

`current_snapshot(store)` is what the app calls on every run (cheap: one small file read), so a new
snapshot is picked up without a restart.

For tests, the environment variable INDIKATORPANELEN_INGEST_PAUSE=<stage>[,<stage>...] makes
`ingest` sleep (INDIKATORPANELEN_INGEST_PAUSE_SECONDS, default 30) when it reaches that stage,
after printing ``PAUSE <stage>`` on stderr, so a test can kill the process there. Stages, in order:
`locked` (store lock taken, stale temp dirs and orphans removed), `copying` (after the first
file), `copied` (temp dir complete and fsynced), `validated`, `renamed` (snapshot in place,
CURRENT not yet switched), `warmed` (the engine's load cache filled for the snapshot's path),
`current_tmp` (the new CURRENT written to its temporary file and fsynced), `switched` (CURRENT
replaced, PUBLISHED not yet updated, old snapshots not yet pruned).

Only one ingest runs at a time per store (an exclusive `flock` on STORE/.lock, released by the
kernel if the process dies).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import DataError, QueryError
from .files import (
    atomic_output,
    atomic_write_text,
    describe_special,
    fsync_dir,
    links_below,
    os_error_message,
    quoted,
)

CURRENT = "CURRENT"
PUBLISHED = "PUBLISHED"
PENDING = "PENDING"
SNAPSHOTS = "snapshots"
_LOCK = ".lock"
_TMP_PREFIX = ".ingest-"
_SMALL_FILE = 64 * 1024  # CURRENT, PENDING: one name; PUBLISHED: one name per snapshot ever kept
_SNAPSHOT_RE = re.compile(r"^\d{8}T\d{6}(\.\d{6})?Z-[0-9a-f]{8,}$")
PAUSE_ENV = "INDIKATORPANELEN_INGEST_PAUSE"
PAUSE_SECONDS_ENV = "INDIKATORPANELEN_INGEST_PAUSE_SECONDS"


def current_snapshot(store_dir: Path) -> Path:
    """Return the directory of the current snapshot in the store `store_dir`.

    Reads `store_dir/CURRENT` (one line, a snapshot name) on every call, so callers that call it on
    each run see a newly ingested snapshot at once. Raises `DataError` with a message saying what
    is wrong (no store, nothing ingested yet, CURRENT naming a snapshot that does not exist, CURRENT,
    `snapshots/` or the snapshot being a symbolic link) and how to fix it
    (`python -m indicators ingest SOURCE --store DIR`). Never quotes CURRENT's content.
    """
    store = Path(store_dir)
    if not store.is_dir():
        raise DataError(f"snapshot-lagret {quoted(store)} finns inte; skapa det med "
                        f"'python -m indicators ingest KÄLLA --store {quoted(store)}'")
    try:
        name = _read_name_file(store / CURRENT)
    except FileNotFoundError:
        raise DataError(f"snapshot-lagret {quoted(store)} har inget aktuellt extrakt ännu (filen {CURRENT} saknas); "
                        f"läs in ett med 'python -m indicators ingest KÄLLA --store {quoted(store)}'") from None
    except DataError as exc:
        raise DataError(f"snapshot-lagret {quoted(store)}: {exc}") from None
    if name is None:
        raise DataError(f"snapshot-lagret {quoted(store)}: {CURRENT} innehåller inget giltigt snapshot-namn")
    for rel in (SNAPSHOTS, f"{SNAPSHOTS}/{name}"):
        if (store / rel).is_symlink():
            raise DataError(f"snapshot-lagret {quoted(store)}: {quoted(rel)} är en symbolisk länk; "
                            "länkar i lagret följs inte")
    path = store / SNAPSHOTS / name
    if not path.is_dir():
        raise DataError(f"snapshot-lagret {quoted(store)}: aktuellt snapshot {name} finns inte i {SNAPSHOTS}/")
    return path


def _read_name_file(path: Path) -> str | None:
    """The snapshot name in CURRENT or PENDING (None when it holds none). Raises FileNotFoundError
    when absent, DataError when it is a link, not a regular file, too big or unreadable."""
    lines = _read_small(path).splitlines()
    name = lines[0].strip() if lines else ""
    return name if _SNAPSHOT_RE.match(name) else None


def _read_small(path: Path) -> str:
    """A small text file of the store, read without following a link (see `_read_name_file`)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if os.path.islink(path):
            raise DataError(f"{path.name} är en symbolisk länk; länkar i lagret följs inte") from None
        raise DataError(os_error_message(exc, path, action="kunde inte läsas")) from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise DataError(f"{path.name} är ingen vanlig fil")
        raw = fh.read(_SMALL_FILE + 1)
    if len(raw) > _SMALL_FILE:
        raise DataError(f"{path.name} är för stor för att vara lagrets fil")
    return raw.decode("utf-8", "replace")


@dataclass
class IngestResult:
    """Outcome of `ingest`: `message` is one line for the command line; `exit_code` 0 ok, 1 failure."""

    exit_code: int
    message: str
    snapshot: Path | None = None
    removed: tuple[str, ...] = ()


def ingest(source: Path, store: Path, keep: int = 5) -> IngestResult:
    """Validate the extract set `source` and publish it as the current snapshot of `store`.

    Never raises for bad input: an unusable or invalid set (a symbolic link or special file in
    it included), an unusable store, or a failed write (disk full) gives exit_code 1 and a
    one-line message naming the path or tables; the current snapshot is then left untouched.
    Content identical to the current snapshot gives exit_code 0 and no new snapshot.
    """
    source, store, keep = Path(source), Path(store), max(1, int(keep))
    try:
        if not source.is_dir():
            return IngestResult(1, _one_line(f"ingest: källan {quoted(source)} är ingen katalog; "
                                             "aktuellt snapshot oförändrat"))
        src_abs, store_abs = source.resolve(), store.resolve()
    except OSError as exc:  # e.g. a name over 255 bytes, a link loop
        return IngestResult(1, _one_line(f"ingest: {os_error_message(exc, action='kan inte användas')}; "
                                         "aktuellt snapshot oförändrat"))
    if store_abs == src_abs or src_abs in store_abs.parents:
        return IngestResult(1, _one_line(f"ingest: snapshot-lagret {quoted(store)} ligger i källkatalogen "
                                         f"{quoted(source)}; välj ett lager utanför extraktet"))
    special = links_below(source)
    if special:
        rel = special[0].relative_to(source).as_posix()
        return IngestResult(1, _one_line(
            f"ogiltigt extrakt {quoted(source)}: {quoted(rel)} är {describe_special(special[0])}; länkar och "
            f"specialfiler i ett extrakt följs inte (kopiera in filen själv); {_unchanged(_current_name(store))}"))
    try:
        store.mkdir(parents=True, exist_ok=True)
        _refuse_links(store, deep=False)
        (store / SNAPSHOTS).mkdir(exist_ok=True)
        lock = _lock(store)
    except OSError as exc:
        return IngestResult(1, _one_line(f"ingest: snapshot-lagret kan inte användas: "
                                         f"{os_error_message(exc, store, action='kan inte användas')}"))
    except DataError as exc:
        return IngestResult(1, _one_line(f"ingest: {exc}; aktuellt snapshot oförändrat"))
    try:
        _refuse_links(store, deep=True)
        return _ingest_locked(source, store, keep)
    except (DataError, QueryError) as exc:  # a link in the store, a failed write (files.WriteError)
        return IngestResult(1, _one_line(f"ingest misslyckades: {exc}; {_unchanged(_current_name(store))}"))
    except OSError as exc:
        where = exc.filename if exc.filename else store  # a failed write() names no file
        return IngestResult(1, _one_line(f"ingest misslyckades: {os_error_message(exc, where)}; "
                                         f"{_unchanged(_current_name(store))}"))
    finally:
        lock.close()


def _ingest_locked(source: Path, store: Path, keep: int) -> IngestResult:
    from .dataset import open_data

    _remove_stale(store)
    previous = _current_name(store)
    published = _published(store, previous)
    _remove_orphan(store, previous, published)
    _pause("locked")
    tmp = store / f"{_TMP_PREFIX}{uuid.uuid4().hex[:12]}"
    tmp.mkdir()
    try:
        digest = _copy_tree(source, tmp)
        _pause("copied")
        try:
            ds = open_data(tmp, cache=False)  # the engine's load cache is keyed by path: warm it below instead
        except DataError as exc:
            return IngestResult(1, _one_line(f"ogiltigt extrakt {quoted(source)}: {exc}; {_unchanged(previous)}"))
        try:
            failed = [f"{t.table}: {t.error}" for t in ds.failed_tables]
        finally:
            ds.con.close()
        if failed:
            return IngestResult(1, _one_line(
                f"ogiltigt extrakt {quoted(source)}: {len(failed)} tabell(er) saknas eller kunde inte läsas "
                f"({'; '.join(failed)}); {_unchanged(previous)}"))
        _pause("validated")
        short = digest[:10]
        if previous and previous.endswith("-" + short) and (store / SNAPSHOTS / previous).is_dir():
            return IngestResult(0, f"oförändrat: {quoted(source)} har samma innehåll som aktuellt snapshot {previous}",
                                snapshot=store / SNAPSHOTS / previous)
        name = _snapshot_name(store, short)
        final = store / SNAPSHOTS / name
        atomic_write_text(store / PENDING, name + "\n")  # so a kill from here on leaves a known orphan
        os.rename(tmp, final)
        fsync_dir(store / SNAPSHOTS)
        fsync_dir(store)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _pause("renamed")
    try:
        _warm_load_cache(final)
        _pause("warmed")
        with atomic_output(store / CURRENT) as pointer_tmp:
            with open(pointer_tmp, "w", encoding="utf-8") as fh:
                fh.write(name + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            _pause("current_tmp")
    except Exception:  # CURRENT not switched (e.g. disk full): the new snapshot is not kept
        _delete_snapshot(store, name)
        _unlink(store / PENDING)
        raise
    _pause("switched")
    published = [n for n in published if n != name] + [name]
    _write_published(store, published)
    _unlink(store / PENDING)
    removed = _prune(store, keep, name, published)
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
    from .files import safe_text

    return " ".join(safe_text(text).split())


def _lock(store: Path):
    fd = os.open(store / _LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    fh = os.fdopen(fd, "a+")
    try:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    except ImportError:  # pragma: no cover - non-POSIX
        pass
    return fh


def _refuse_links(store: Path, *, deep: bool) -> None:
    """DataError naming the first symbolic link (or special file) among the store's own files,
    `snapshots/` and its snapshot directories, and (with `deep`) anything inside a snapshot."""
    own = (CURRENT, PUBLISHED, PENDING, _LOCK, SNAPSHOTS)
    candidates = [store / n for n in own]
    base = store / SNAPSHOTS
    if deep and base.is_dir() and not base.is_symlink():
        candidates += [base / e.name for e in os.scandir(base)]
    for path in candidates:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        rel = path.relative_to(store).as_posix()
        if stat.S_ISLNK(st.st_mode):
            raise DataError(f"snapshot-lagret {quoted(store)}: {quoted(rel)} är en symbolisk länk; länkar i lagret "
                            "följs inte (ta bort länken)")
        if deep and path.parent == base and stat.S_ISDIR(st.st_mode) and _SNAPSHOT_RE.match(path.name):
            inside = links_below(path)
            if inside:
                shown = inside[0].relative_to(store).as_posix()
                raise DataError(f"snapshot-lagret {quoted(store)}: {quoted(shown)} är {describe_special(inside[0])}; "
                                "länkar i lagret följs inte (ta bort den)")


def _remove_stale(store: Path) -> None:
    """Remove temp dirs and temporary CURRENT files left by an ingest that died (we hold the lock,
    so none is live). Only real directories and files with our own names; a link is left alone."""
    for p in store.iterdir():
        if p.is_symlink():
            continue
        if p.name.startswith(_TMP_PREFIX) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif p.name == CURRENT + ".tmp" or (p.name.startswith(f".{CURRENT}.") and p.name.endswith(".tmp")) \
                or (p.name.startswith(f".{PENDING}.") and p.name.endswith(".tmp")) \
                or (p.name.startswith(f".{PUBLISHED}.") and p.name.endswith(".tmp")):
            _unlink(p)


def _published(store: Path, current: str | None) -> list[str]:
    """Names in PUBLISHED (oldest first) that still exist, plus the current one. A store without
    PUBLISHED (made before it existed) counts every snapshot it holds as published."""
    try:
        names = [n.strip() for n in _read_small(store / PUBLISHED).splitlines()]
        names = [n for n in names if _SNAPSHOT_RE.match(n)]
    except FileNotFoundError:
        names = list_snapshots(store)
    existing = set(list_snapshots(store))
    names = [n for n in dict.fromkeys(names) if n in existing]
    if current and current not in names:
        names.append(current)
    return sorted(names)  # names sort in ingest order


def _write_published(store: Path, names: list[str]) -> None:
    atomic_write_text(store / PUBLISHED, "".join(n + "\n" for n in sorted(set(names))))


def _remove_orphan(store: Path, current: str | None, published: list[str]) -> None:
    """Delete the snapshot that a killed ingest renamed into place but never published (PENDING)."""
    try:
        name = _read_name_file(store / PENDING)
    except FileNotFoundError:
        return
    if name and name != current and name not in published:
        _delete_snapshot(store, name)
    _unlink(store / PENDING)


def _copy_tree(source: Path, dest: Path) -> str:
    """Copy the regular files below `source` into `dest`, fsync each file and directory; return a
    SHA-256 of the relative paths and contents. A link or special file met on the way (e.g.
    swapped in after the first check) raises DataError naming it; nothing is read through it."""
    h = hashlib.sha256()
    first = True
    dirs = [dest]
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if any(part.startswith(_TMP_PREFIX) for part in rel.parts):
            continue
        target = dest / rel
        st = os.lstat(path)
        if stat.S_ISDIR(st.st_mode):
            target.mkdir(parents=True, exist_ok=True)
            dirs.append(target)
            continue
        if not stat.S_ISREG(st.st_mode):
            raise DataError(f"{quoted(rel.as_posix())} är {describe_special(path)}; länkar och specialfiler i ett "
                            "extrakt följs inte")
        target.parent.mkdir(parents=True, exist_ok=True)
        h.update(rel.as_posix().encode("utf-8", "surrogateescape") + b"\0")
        try:
            src_fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            if os.path.islink(path):
                raise DataError(f"{quoted(rel.as_posix())} är en symbolisk länk; länkar i ett extrakt "
                                "följs inte") from None
            raise
        with os.fdopen(src_fd, "rb") as src:
            src_st = os.fstat(src.fileno())
            if not stat.S_ISREG(src_st.st_mode):
                raise DataError(f"{quoted(rel.as_posix())} är ingen vanlig fil; specialfiler i ett extrakt följs inte")
            # never more readable than the source file (umask applies on top)
            dst_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                             src_st.st_mode & 0o666)
            with os.fdopen(dst_fd, "wb") as dst:
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
        fsync_dir(d)
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


def _prune(store: Path, keep: int, current: str, published: list[str]) -> list[str]:
    """Delete published snapshots older than the `keep` newest (never `current`), and keep
    PUBLISHED in step. Snapshots no ingest of this store published are not touched here."""
    survivors = set(sorted(published)[-keep:]) | {current}
    removed = [name for name in sorted(published) if name not in survivors and _delete_snapshot(store, name)]
    if removed:
        _write_published(store, [n for n in published if n not in removed])
    return removed


def _delete_snapshot(store: Path, name: str) -> bool:
    """Rename the snapshot to a temp name first, so a half-deleted directory never looks like one."""
    path = store / SNAPSHOTS / name
    if path.is_symlink() or not path.is_dir():
        return False
    trash = store / f"{_TMP_PREFIX}trash-{name}"
    try:
        os.rename(path, trash)
    except OSError:
        return False
    shutil.rmtree(trash, ignore_errors=True)
    return True


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _pause(stage: str) -> None:
    wanted = os.environ.get(PAUSE_ENV, "")
    if stage in {s.strip() for s in wanted.split(",") if s.strip()}:
        print(f"PAUSE {stage}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "30")))

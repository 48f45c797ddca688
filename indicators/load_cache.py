"""The load cache: a loaded, validated extract set kept as a DuckDB file so that opening the same
set again (a new app process, a command-line call) attaches it read-only instead of reading and
checking every Parquet row again.

The key is a fingerprint of every file of the extract set (path, size, modification time), of the
reference tables used, and of the loading code and SQL; any change makes a new file. A file is
written under a temporary name and renamed into place, so a reader never sees half of one, and
two processes building the same key at once both end with a complete file.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from pathlib import Path

import duckdb

_PACKAGE = Path(__file__).resolve().parent
_QUERIES = _PACKAGE.parent / "queries"
_CODE_FILES = ("dataset.py", "loader.py", "schema.py", "load_cache.py", "manifest.py", "files.py", "published.py",
               "catalogue.yaml")
_KEEP = 8  # cache files kept (newest first)
FORMAT = "1"


def enabled() -> bool:
    return os.environ.get("INDIKATORPANELEN_CACHE", "on").lower() not in ("off", "0", "false", "no")


def cache_dir() -> Path:
    configured = os.environ.get("INDIKATORPANELEN_CACHE_DIR")
    base = Path(configured) if configured else Path.home() / ".cache" / "indikatorpanelen"
    base.mkdir(parents=True, exist_ok=True)
    return base


def _file_facts(root: Path) -> list[str]:
    facts = []
    for path in sorted(root.rglob("*")):
        if path.suffix in (".parquet", ".csv", ".json"):
            st = path.lstat()  # a link is a fact of its own (the loader refuses it), never its target's
            if stat.S_ISDIR(st.st_mode):
                continue
            facts.append(f"{path.relative_to(root)}|{stat.S_IFMT(st.st_mode)}|{st.st_size}|{st.st_mtime_ns}")
    return facts


def fingerprint(directory: Path, reference_dir: Path) -> str:
    h = hashlib.sha256()
    h.update(f"format {FORMAT} duckdb {duckdb.__version__}\n".encode())
    h.update(str(directory.resolve()).encode())
    for fact in _file_facts(directory):
        h.update(fact.encode())
    h.update(b"--reference--")
    for fact in _file_facts(reference_dir):
        h.update(fact.encode())
    for name in _CODE_FILES:
        h.update((_PACKAGE / name).read_bytes())
    for path in sorted(_QUERIES.rglob("*.sql")):
        h.update(path.read_bytes())
    return h.hexdigest()[:24]


def _path(key: str) -> Path:
    return cache_dir() / f"load-{key}.duckdb"


def open_cached(key: str):
    """(read-only connection, metadata) for a complete cache file, or None."""
    path = _path(key)
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True, config={"threads": 2})
        meta = json.loads(con.execute("SELECT meta FROM _load_meta").fetchone()[0])
    except (duckdb.Error, TypeError, ValueError):
        return None
    os.utime(path)  # newest-used first when pruning
    return con, meta


def new_database(key: str) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """A fresh database file to load into (a temporary name until `publish`)."""
    tmp = cache_dir() / f".load-{key}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    return tmp, duckdb.connect(str(tmp), config={"threads": 2})


def publish(tmp: Path, key: str, con: duckdb.DuckDBPyConnection, meta: dict):
    """Store the metadata, close, rename into place and reopen read-only. Returns the connection
    to use from now on, or None when the file could not be finished (the caller keeps `con`)."""
    try:
        con.execute("CREATE OR REPLACE TABLE _load_meta AS SELECT $m AS meta", {"m": json.dumps(meta, default=str)})
        con.execute("CHECKPOINT")
    except duckdb.Error:
        return None
    con.close()
    final = _path(key)
    try:
        os.replace(tmp, final)
    except OSError:
        final = tmp
    _prune()
    return duckdb.connect(str(final), read_only=True, config={"threads": 2})


def _prune() -> None:
    files = sorted(cache_dir().glob("load-*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[_KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
    for stale in cache_dir().glob(".load-*.tmp*"):
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink()
        except OSError:
            pass

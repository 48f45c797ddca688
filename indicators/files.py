"""Writing files safely, and saying in one Swedish line why a path cannot be used.

Every command that writes a file goes through this module (it imports nothing from the project
but `errors`, so any layer may use it):

- `atomic_write_bytes(path, data)` / `atomic_write_text(path, text)`: the whole file or nothing.
- `with atomic_output(path) as tmp:` for libraries that want a path of their own to write
  (`pq.write_table(t, tmp)`, `prs.save(tmp)`): `tmp` is a new file beside `path`, renamed onto
  `path` when the block ends without an exception.
- `with atomic_open(path, "wb") as fh:` the same with a file object.

What they guarantee:

- The data go to a temporary file in the target's own directory (``.<name>.<random>.tmp``, created
  with O_EXCL|O_NOFOLLOW, so a planted link or file of that name is never written through), are
  fsynced and renamed onto the target with `os.replace`; a reader sees the old file or the whole
  new one. The new file gets the ordinary permissions (0666 minus the umask).
- On any error - a full disk (ENOSPC), a KeyboardInterrupt, an exception in the caller's block -
  the temporary file is removed and the target is untouched.
- The target is refused before anything is written when it is a symbolic link (never written
  through; the link is not replaced either), a directory or another non-regular file (a FIFO, a
  device, anything under /proc, /sys or /dev), or when a name in the path is longer than the
  file system allows (255 bytes).

Errors: `OutputError` (a `QueryError`, exit 2) when the path the user named cannot be written
(no such directory, no permission, read-only file system, a link, a name too long ...);
`WriteError` (a `DataError`, exit 1) when writing failed on the way (disk full, quota, I/O
error). Both carry one line that names the path and never any file's contents;
`os_error_message(exc, path)` makes that line for any OSError, `error_for(exc, path)` the
exception. Symbolic links in the directories *above* the target are followed (a home directory
or /tmp may be one); only the target itself must not be a link.

For terminal output, `safe_text(s)` removes ANSI escape sequences (colours, the terminal-title
OSC sequence), other control characters and Unicode bidi overrides from a data-derived string
and keeps it on one line; `quoted(s)` also shortens it and puts it in quotes for a message.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DataError, QueryError

NAME_MAX = 255  # bytes per path component on Linux file systems (ext4, xfs, tmpfs, btrfs)
PSEUDO_FS = ("/proc", "/sys", "/dev")  # no regular files can be made there (/dev/shm excepted)


class OutputError(QueryError):
    """A path given to write to cannot be used (exit 2); one line naming the path."""


class WriteError(DataError):
    """Writing failed on the way (disk full, I/O error; exit 1); one line naming the path."""


# -- terminal-safe text ----------------------------------------------------------------------------
# ESC [ ... final (CSI), ESC ] ... BEL|ST (OSC: sets the terminal title), ESC P/X/^/_ ... ST (DCS,
# SOS, PM, APC), and two-character ESC sequences; C1 CSI (0x9b) and OSC (0x9d) likewise.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_SPACE_LIKE = {"\t", "\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"}


def safe_text(value: object, limit: int | None = None) -> str:
    """`value` as text that is safe to print on a terminal and stays on one line.

    ANSI escape sequences are removed whole (so ``\\x1b]0;title\\x07`` leaves nothing, not
    ``]0;title``); tabs, line and paragraph breaks become a space; every other control character
    (C0, DEL, C1) and the Unicode bidi overrides that can reorder what a terminal shows are
    removed. Everything else, Swedish letters included, is kept. With `limit`, a longer result is
    cut to `limit` characters ending in '…'.
    """
    text = _ANSI.sub("", str(value))
    out = []
    for ch in text:
        if ch in _SPACE_LIKE:
            out.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    text = "".join(out)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def quoted(value: object, limit: int = 80) -> str:
    """`value` for a one-line message: `safe_text`, shortened in the middle beyond `limit`
    characters (so both the start and the end of a long path show), in single quotes."""
    text = safe_text(value)
    if len(text) > limit:
        head = max(1, (limit - 1) * 2 // 3)
        text = text[:head] + "…" + text[-(limit - 1 - head):]
    return "'" + text.replace("'", "’") + "'"


# -- messages for OSErrors ---------------------------------------------------------------------------
# errno -> (Swedish reason, the user's path is at fault: exit 2 rather than 1)
_REASONS: dict[int, tuple[str, bool]] = {
    errno.ENOSPC: ("disken är full", False),
    errno.EDQUOT: ("diskkvoten är slut", False),
    errno.EFBIG: ("filen blir för stor för filsystemet", False),
    errno.EIO: ("in- eller utmatningsfel på disken", False),
    errno.EMFILE: ("för många öppna filer", False),
    errno.ENFILE: ("för många öppna filer i systemet", False),
    errno.ENOMEM: ("minnet räcker inte", False),
    errno.ENAMETOOLONG: (f"ett namn i sökvägen är för långt (högst {NAME_MAX} byte per namn)", True),
    errno.EACCES: ("behörighet saknas", True),
    errno.EPERM: ("åtgärden är inte tillåten (behörighet saknas)", True),
    errno.EROFS: ("filsystemet är skrivskyddat", True),
    errno.ENOENT: ("filen eller katalogen finns inte", True),
    errno.EISDIR: ("är en katalog, inte en fil", True),
    errno.ENOTDIR: ("en del av sökvägen är ingen katalog", True),
    errno.ELOOP: ("är en symbolisk länk (länkar följs inte)", True),
    errno.EEXIST: ("finns redan", True),
    errno.ENOTEMPTY: ("katalogen är inte tom", True),
    errno.EXDEV: ("ligger på ett annat filsystem", True),
    errno.EBUSY: ("används av systemet", True),
    errno.ETXTBSY: ("används av ett program som körs", True),
    errno.EINVAL: ("ogiltigt namn eller mål", True),
    errno.ENXIO: ("är ingen vanlig fil (en enhet utan läsare/skrivare)", True),
    errno.ENODEV: ("är ingen vanlig fil (en enhet)", True),
}


def os_error_message(exc: OSError, path: object = None, *, action: str = "kunde inte skrivas") -> str:
    """One Swedish line for an OSError: "'<path>': <action>: <reason>".

    The path is `path` when given, else the one in the exception; it is quoted with `quoted`
    (control characters removed, a long path shortened in the middle). Never the file's contents.
    An errno this module does not know is named by its symbol (e.g. EBUSY).
    """
    target = path if path is not None else (exc.filename if exc.filename is not None else "")
    reason = _REASONS.get(exc.errno or -1, (None, True))[0]
    if reason is None:
        symbol = errno.errorcode.get(exc.errno or -1, type(exc).__name__)
        reason = f"oväntat systemfel ({symbol})"
    too_long = _too_long_component(target) if exc.errno == errno.ENAMETOOLONG else None
    if too_long:
        reason += f": {quoted(too_long, 40)} är {len(too_long.encode('utf-8', 'surrogateescape'))} byte"
    where = f"{quoted(target)}: " if target != "" else ""
    return f"{where}{action}: {reason}"


def error_for(exc: OSError, path: object = None, *, action: str = "kunde inte skrivas") -> QueryError | DataError:
    """The exception to raise for `exc`: `OutputError` (exit 2) when the path is at fault,
    `WriteError` (exit 1) when writing failed on the way (disk full, I/O error)."""
    message = os_error_message(exc, path, action=action)
    path_fault = _REASONS.get(exc.errno or -1, (None, True))[1]
    return OutputError(message) if path_fault else WriteError(message)


def _too_long_component(path: object) -> str | None:
    for part in Path(str(path)).parts:
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX:
            return part
    return None


# -- checking a target before writing ---------------------------------------------------------------
def check_path_names(path: os.PathLike | str, *, what: str = "") -> Path:
    """Refuse (`OutputError`) a path to write to that has a name over 255 bytes or lies under
    /proc, /sys or /dev (/dev/shm excepted). `what` (e.g. '--out') starts the message."""
    path = Path(path)
    lead = f"{what} {quoted(path)}" if what else quoted(path)
    long_part = _too_long_component(path)
    if long_part is not None:
        raise OutputError(f"{lead}: ett namn i sökvägen är för långt: {quoted(long_part, 40)} är "
                          f"{len(long_part.encode('utf-8', 'surrogateescape'))} byte (högst {NAME_MAX})")
    absolute = Path(os.path.abspath(path))
    pseudo = next((p for p in PSEUDO_FS if absolute == Path(p) or Path(p) in absolute.parents), None)
    if pseudo is not None and Path("/dev/shm") not in (absolute, *absolute.parents):
        raise OutputError(f"{lead}: ligger i {pseudo}, ett av systemets pseudofilsystem; välj en vanlig katalog")
    return path


def check_output_path(path: os.PathLike | str) -> Path:
    """Refuse (with `OutputError`) a file path that cannot be written safely, before any work.

    Refused: a name longer than 255 bytes anywhere in the path; a target under /proc, /sys or /dev;
    a target that is a symbolic link, a directory or another non-regular file; a parent that does
    not exist or is not a directory. An existing regular file is fine (it will be replaced whole).
    Returns `path` as a Path.
    """
    path = check_path_names(path)
    absolute = Path(os.path.abspath(path))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise error_for(exc, path) from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise OutputError(f"{quoted(path)}: är en symbolisk länk; skriver inte genom länkar, välj ett annat namn")
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{quoted(path)}: är en katalog, inte en fil")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{quoted(path)}: är ingen vanlig fil (t.ex. en enhet eller FIFO); välj ett annat namn")
    parent = absolute.parent
    try:
        pst = os.stat(parent)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise OutputError(f"{quoted(path)}: katalogen {quoted(parent)} finns inte") from None
        raise error_for(exc, parent) from None
    if not stat.S_ISDIR(pst.st_mode):
        raise OutputError(f"{quoted(path)}: {quoted(parent)} är ingen katalog")
    return path


# -- writing -----------------------------------------------------------------------------------------
def temp_name(name: str, tag: str = "tmp") -> str:
    """A hidden temporary name beside `name`: ``.<name>.<random>.<tag>``, cut so it stays within
    NAME_MAX bytes however long `name` is."""
    suffix = f".{secrets.token_hex(6)}.{tag}"
    room = NAME_MAX - 1 - len(suffix)
    stem = name.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return f".{stem}{suffix}"


def _umask() -> int:
    """The process umask, read without changing it (Linux /proc/self/status; else 022)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


@contextmanager
def atomic_output(path: os.PathLike | str, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a fresh temporary file path beside `path`; rename it onto `path` when the block ends
    normally, remove it on any exception (KeyboardInterrupt included) and re-raise.

    OSErrors - in the block or while finishing - become `OutputError`/`WriteError` naming `path`.
    `mode` sets the permission bits of the new file (default 0666 minus the umask).
    """
    path = check_output_path(path)
    tmp = path.parent / temp_name(path.name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise error_for(exc, path) from None
    os.close(fd)
    try:
        try:
            yield tmp
            if tmp.is_symlink() or not tmp.is_file():  # the writer replaced our file with something else
                raise OutputError(f"{quoted(path)}: den tillfälliga filen ersattes under skrivningen")
            os.chmod(tmp, (0o666 & ~_umask()) if mode is None else mode)
            _fsync_file(tmp)
            check_output_path(path)  # refuse a link or directory that appeared while we wrote
            os.replace(tmp, path)
        except OSError as exc:
            raise error_for(exc, path) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


@contextmanager
def atomic_open(path: os.PathLike | str, mode: str = "wb", *, encoding: str | None = None,
                newline: str | None = None):
    """`open` for writing, atomically (see `atomic_output`); `mode` is 'w'/'wb' (with 't'/'b')."""
    if mode not in ("w", "wb", "wt"):
        raise ValueError(f"atomic_open: mode {mode!r} is not a write mode")
    with atomic_output(path) as tmp:
        try:
            fh = open(tmp, mode, encoding=None if "b" in mode else (encoding or "utf-8"), newline=newline)
        except OSError as exc:
            raise error_for(exc, path) from None
        with fh:
            yield fh


def atomic_write_bytes(path: os.PathLike | str, data: bytes, *, mode: int | None = None) -> Path:
    """Write `data` to `path` whole or not at all (see `atomic_output`); returns the Path."""
    with atomic_output(path, mode=mode) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
    return Path(path)


def atomic_write_text(path: os.PathLike | str, text: str, *, encoding: str = "utf-8",
                      mode: int | None = None) -> Path:
    """`atomic_write_bytes` of `text` encoded with `encoding` (UTF-8 by default)."""
    return atomic_write_bytes(path, text.encode(encoding), mode=mode)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: os.PathLike | str) -> None:
    """fsync a directory so a rename inside it survives a crash (best effort)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- links in a tree -----------------------------------------------------------------------------------
def links_below(root: os.PathLike | str, *, limit: int = 1) -> list[Path]:
    """Up to `limit` symbolic links or non-regular files (FIFO, socket, device) at or below the
    directory `root`, found without following any link. `root` itself may be a link (the user
    named it); what is inside it may not."""
    found: list[Path] = []
    stack = [Path(root)]
    while stack and len(found) < limit:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue  # an unreadable directory is reported by whoever reads it
        for entry in entries:
            try:
                if entry.is_symlink():
                    found.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif not entry.is_file(follow_symlinks=False):
                    found.append(Path(entry.path))
            except OSError:
                continue
            if len(found) >= limit:
                break
    return found


def describe_special(path: os.PathLike | str) -> str:
    """'en symbolisk länk' / 'en FIFO' / ... for a path found by `links_below` (never its target)."""
    try:
        st = os.lstat(path)
    except OSError:
        return "borta"
    if stat.S_ISLNK(st.st_mode):
        return "en symbolisk länk"
    if stat.S_ISFIFO(st.st_mode):
        return "en FIFO (namngiven pipe)"
    if stat.S_ISSOCK(st.st_mode):
        return "en socket"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "en enhetsfil"
    return "ingen vanlig fil"


# C1 controls, bidi overrides and line/paragraph separators: json.dumps(ensure_ascii=False) leaves
# them raw, but a terminal may act on them. As \uXXXX escapes the JSON means the same.
_JSON_UNSAFE = re.compile("[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_safe_json(text: str) -> str:
    """JSON text (from json.dumps) with every character a terminal could act on escaped; the
    document decodes to the same values."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

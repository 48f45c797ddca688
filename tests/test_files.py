"""indicators/files.py: atomic writes that leave nothing behind, refused targets, one-line Swedish
messages for OSErrors, and terminal-safe text."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from indicators.errors import DataError, QueryError
from indicators.files import (
    OutputError,
    WriteError,
    atomic_open,
    atomic_output,
    atomic_write_bytes,
    atomic_write_text,
    check_output_path,
    error_for,
    links_below,
    os_error_message,
    quoted,
    safe_text,
    temp_name,
)


def _entries(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


# -- atomic writes ---------------------------------------------------------------------------------
def test_atomic_write_creates_and_replaces_whole_files(tmp_path):
    target = tmp_path / "ut.csv"
    atomic_write_text(target, "a,b\n1,2\n")
    assert target.read_text(encoding="utf-8") == "a,b\n1,2\n"
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert _entries(tmp_path) == ["ut.csv"]


def test_new_file_gets_ordinary_permissions_not_the_temp_files_0600(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "f", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644


def test_disk_full_while_writing_leaves_target_and_no_temp(tmp_path):
    target = tmp_path / "pack.pdf"
    target.write_bytes(b"old pack")
    with pytest.raises(WriteError) as exc:
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"half a pack")
            raise OSError(errno.ENOSPC, "No space left on device")
    msg = str(exc.value)
    # the path as messages show it (a long one shortened in the middle: a parallel run's tmp path is)
    assert msg == quoted(target) + ": kunde inte skrivas: disken är full"
    assert isinstance(exc.value, DataError)  # exit 1: the write failed, the request was fine
    assert target.read_bytes() == b"old pack"
    assert _entries(tmp_path) == ["pack.pdf"]


def test_disk_full_in_atomic_write_bytes_itself(tmp_path, monkeypatch):
    """ENOSPC raised by the write inside atomic_write_bytes (not in a caller's block)."""
    import builtins

    real_open = builtins.open

    class FullFile:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[:3])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.fh.close()

    def fake_open(path, mode="r", *a, **k):
        fh = real_open(path, mode, *a, **k)
        return FullFile(fh) if "w" in mode and str(path).endswith(".tmp") else fh

    monkeypatch.setattr(builtins, "open", fake_open)
    with pytest.raises(WriteError, match="disken är full"):
        atomic_write_bytes(tmp_path / "x.bin", b"0123456789")
    monkeypatch.undo()
    assert _entries(tmp_path) == []


def test_keyboard_interrupt_removes_the_temp_file(tmp_path):
    target = tmp_path / "t.txt"
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(target, "w") as fh:
            fh.write("partial")
            raise KeyboardInterrupt
    assert _entries(tmp_path) == []


def test_an_exception_in_the_block_is_not_translated_but_cleans_up(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with atomic_output(tmp_path / "t") as tmp:
            tmp.write_bytes(b"x")
            1 / 0  # noqa: B018
    assert _entries(tmp_path) == []


def test_symlink_target_is_refused_and_neither_link_nor_its_target_changes(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("keep me")
    link = tmp_path / "out.csv"
    link.symlink_to(secret)
    with pytest.raises(OutputError, match="symbolisk länk") as exc:
        atomic_write_text(link, "overwritten")
    assert "keep me" not in str(exc.value)
    assert isinstance(exc.value, QueryError)  # exit 2: choose another path
    assert secret.read_text() == "keep me" and link.is_symlink()
    assert _entries(tmp_path) == ["out.csv", "secret.txt"]


def test_a_dangling_symlink_target_is_refused_too(tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "nowhere" / "x")
    with pytest.raises(OutputError, match="symbolisk länk"):
        atomic_write_text(link, "x")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("make, expect", [
    (lambda d: (d / "t").mkdir() or d / "t", "är en katalog"),
    (lambda d: os.mkfifo(d / "t") or d / "t", "ingen vanlig fil"),
    (lambda d: d / "saknas" / "t.pdf", "finns inte"),
    (lambda d: (d / "fil").write_text("x") and d / "fil" / "t.pdf", "ingen katalog"),
    (lambda d: d / ("å" * 130 + ".pdf"), "för långt"),  # 264 bytes in UTF-8, 134 characters
    (lambda d: Path("/proc/version.pdf"), "/proc"),
    (lambda d: Path("/sys/kernel/x.pdf"), "/sys"),
    (lambda d: Path("/dev/null"), "/dev"),
])
def test_unusable_targets_are_refused_in_one_line_before_writing(tmp_path, make, expect):
    target = make(tmp_path)
    before = _entries(tmp_path)
    with pytest.raises(OutputError) as exc:
        atomic_write_bytes(target, b"data")
    msg = str(exc.value)
    assert expect in msg and "\n" not in msg and len(msg) < 300, msg
    assert _entries(tmp_path) == before


def test_check_output_path_accepts_a_new_or_regular_file(tmp_path):
    assert check_output_path(tmp_path / "ny.pdf") == tmp_path / "ny.pdf"
    (tmp_path / "gammal.pdf").write_bytes(b"x")
    assert check_output_path(tmp_path / "gammal.pdf") == tmp_path / "gammal.pdf"


def test_a_name_of_255_bytes_still_gets_a_temp_name_that_fits(tmp_path):
    name = "b" * 255
    assert len(temp_name(name).encode()) <= 255
    atomic_write_bytes(tmp_path / name, b"ok")
    assert (tmp_path / name).read_bytes() == b"ok"
    assert len(temp_name("å" * 127).encode()) <= 255  # cut on a character boundary


def test_read_only_directory_is_a_path_error(tmp_path):
    if os.geteuid() == 0:  # root writes anyway: check the message mapping instead
        exc = error_for(PermissionError(errno.EACCES, "Permission denied"), tmp_path / "x")
        assert isinstance(exc, OutputError) and "behörighet saknas" in str(exc)
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="behörighet saknas"):
            atomic_write_bytes(ro / "x", b"x")
    finally:
        ro.chmod(0o700)


# -- messages ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("code, words, kind", [
    (errno.ENOSPC, "disken är full", WriteError),
    (errno.EDQUOT, "diskkvoten är slut", WriteError),
    (errno.EIO, "in- eller utmatningsfel", WriteError),
    (errno.ENAMETOOLONG, "ett namn i sökvägen är för långt", OutputError),
    (errno.EACCES, "behörighet saknas", OutputError),
    (errno.EPERM, "behörighet saknas", OutputError),
    (errno.EROFS, "skrivskyddat", OutputError),
    (errno.ENOENT, "finns inte", OutputError),
    (errno.EISDIR, "är en katalog", OutputError),
    (errno.ENOTDIR, "ingen katalog", OutputError),
    (errno.ELOOP, "symbolisk länk", OutputError),
    (errno.ECONNRESET, "oväntat systemfel (ECONNRESET)", OutputError),
])
def test_os_errors_become_one_swedish_line_naming_the_path(code, words, kind):
    exc = OSError(code, os.strerror(code), "/data/ut/fil.csv")
    msg = os_error_message(exc)
    assert msg.startswith("'/data/ut/fil.csv': kunde inte skrivas: ") and words in msg, msg
    assert "\n" not in msg
    assert type(error_for(exc)) is kind


def test_name_too_long_message_names_the_component_and_its_length():
    long = "x" * 300
    msg = os_error_message(OSError(errno.ENAMETOOLONG, "File name too long"), f"/tmp/{long}/a.pdf")
    assert "300 byte" in msg and "högst 255" in msg and len(msg) < 300


def test_a_hostile_path_is_quoted_without_control_characters():
    msg = os_error_message(OSError(errno.ENOSPC, "x"), "/tmp/\x1b]0;pwned\x07ut\nfil.csv")
    assert msg == "'/tmp/ut fil.csv': kunde inte skrivas: disken är full"


# -- terminal-safe text -----------------------------------------------------------------------------
@pytest.mark.parametrize("raw, want", [
    ("Stockholm", "Stockholm"),
    ("Västra Götaland – Södra", "Västra Götaland – Södra"),
    ("\x1b]0;pwned\x07Uppsala", "Uppsala"),            # OSC: would set the terminal title
    ("\x1b]2;t\x1b\\Gävle", "Gävle"),                     # OSC ended by ST
    ("\x1b[31;1mRöd\x1b[0m", "Röd"),                      # CSI colours
    ("\x1b[2J\x1b[HX", "X"),                              # clear screen, cursor home
    ("a\x9b31mb", "ab"),                                   # C1 CSI
    ("rad1\nrad2\r\tslut", "rad1 rad2  slut"),
    ("bell\x07 del\x7f nul\x00", "bell del nul"),
    ("abc\u202edcba", "abcdcba"),                          # right-to-left override
    ("\x1bc", ""),                                         # ESC c: reset terminal
])
def test_safe_text_removes_escape_sequences_and_control_characters(raw, want):
    assert safe_text(raw) == want


def test_safe_text_limit_and_quoted_shortening():
    assert safe_text("abcdef", limit=4) == "abc…"
    q = quoted("/a/" + "m" * 200 + "/end.csv", 40)
    assert q.startswith("'/a/m") and q.endswith("end.csv'") and len(q) == 42 and "…" in q
    assert quoted("it's") == "'it’s'"


# -- links and special files in a tree --------------------------------------------------------------
def test_links_below_finds_links_and_special_files_without_following(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ok.parquet").write_bytes(b"x")
    assert links_below(tmp_path) == []
    (tmp_path / "a" / "part.parquet").symlink_to("/etc/passwd")
    (tmp_path / "z").symlink_to("/etc", target_is_directory=True)
    os.mkfifo(tmp_path / "a" / "fifo")
    found = links_below(tmp_path, limit=10)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in found) == ["a/fifo", "a/part.parquet", "z"]
    assert len(links_below(tmp_path)) == 1

"""Reading an extract set's `manifest.json` (data-contract.md §1) without trusting it.

`read_manifest(directory)` returns (manifest dict, extract date). Without a manifest the extract
date is today. Anything else wrong raises `DataError` with one line starting "manifest.json:" that
says what is wrong and never quotes the file's contents:

- the file must be a regular file (a symbolic link is not followed; a directory, FIFO or device
  is refused before it is opened, so a FIFO cannot hang the load), at most `MAX_BYTES`, UTF-8
  (a byte-order mark is allowed), and a JSON object nested at most `MAX_DEPTH` levels;
- numbers: integers of at most `MAX_INT_DIGITS` digits, no NaN or Infinity;
- `extract_date` is required, a string YYYY-MM-DD, not before 1958-01-01 and not after today's
  date in Sweden (a future extract date would mark nothing provisional);
- `source` and `description`, when present, are strings of at most `MAX_SOURCE_CHARS` and
  `MAX_DESCRIPTION_CHARS` characters; any other string in the manifest at most
  `MAX_DESCRIPTION_CHARS`. Their content is free text: whoever shows or writes it escapes it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .errors import DataError
from .files import os_error_message
from .schema import EARLIEST_DATE

NAME = "manifest.json"
MAX_BYTES = 1 << 20  # a real manifest is under 2 kB
MAX_DEPTH = 20
MAX_INT_DIGITS = 30
MAX_SOURCE_CHARS = 1000
MAX_DESCRIPTION_CHARS = 20_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fail(message: str) -> DataError:
    return DataError(f"{NAME}: {message}")


def today_in_sweden() -> date:
    """The calendar date in Sweden now (an extract taken today in Sweden may be 'tomorrow' in UTC)."""
    return datetime.now(ZoneInfo("Europe/Stockholm")).date()


def read_manifest(directory: Path) -> tuple[dict, date]:
    """(manifest, extract date) of the extract set in `directory`; see the module docstring."""
    path = Path(directory) / NAME
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {}, date.today()
    except OSError as exc:
        raise _fail(os_error_message(exc, path, action="kunde inte läsas")) from None
    if stat.S_ISLNK(st.st_mode):
        raise _fail("är en symbolisk länk; länkar i ett extrakt följs inte (lägg filen själv i katalogen)")
    if stat.S_ISDIR(st.st_mode):
        raise _fail("är en katalog, inte en fil")
    if not stat.S_ISREG(st.st_mode):
        raise _fail("är ingen vanlig fil (t.ex. en FIFO eller enhet)")
    if st.st_size > MAX_BYTES:
        raise _fail(f"filen är för stor ({_size(st.st_size)}; högst {_size(MAX_BYTES)})")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise _fail("är ingen vanlig fil")
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _fail(os_error_message(exc, path, action="kunde inte läsas")) from None
    if len(raw) > MAX_BYTES:  # grew since lstat
        raise _fail(f"filen är för stor (högst {_size(MAX_BYTES)})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(f"filen är inte UTF-8 (ogiltig byte på position {exc.start})") from None
    manifest = _parse(text)
    extract_date = _extract_date(manifest)
    _check_strings(manifest)
    return manifest, extract_date


def _parse(text: str) -> dict:
    def parse_int(s: str) -> int:
        if len(s.lstrip("-")) > MAX_INT_DIGITS:
            raise _fail(f"ett tal har {len(s.lstrip('-'))} siffror (högst {MAX_INT_DIGITS})")
        return int(s)

    def parse_constant(s: str):
        raise _fail(f"{s} är inget giltigt JSON-tal")

    try:
        value = json.loads(text, parse_int=parse_int, parse_constant=parse_constant)
    except DataError:
        raise
    except RecursionError:
        raise _fail(f"JSON-strukturen är för djupt nästlad (högst {MAX_DEPTH} nivåer)") from None
    except json.JSONDecodeError as exc:
        raise _fail(f"är inte giltig JSON (rad {exc.lineno}, kolumn {exc.colno}: {_json_reason(exc.msg)}); "
                    "extract_date kan inte läsas") from None
    except ValueError as exc:  # e.g. a float the parser refuses
        raise _fail(f"är inte giltig JSON ({type(exc).__name__}); extract_date kan inte läsas") from None
    if not isinstance(value, dict):
        raise _fail(f"ska vara ett JSON-objekt med extract_date, inte {_json_type(value)}")
    if _depth(value) > MAX_DEPTH:
        raise _fail(f"JSON-strukturen är för djupt nästlad (högst {MAX_DEPTH} nivåer)")
    return value


def _extract_date(manifest: dict) -> date:
    if "extract_date" not in manifest:
        raise _fail("extract_date saknas (skriv uttagsdatumet som ÅÅÅÅ-MM-DD)")
    raw = manifest["extract_date"]
    if not isinstance(raw, str):
        raise _fail(f"extract_date ska vara en text ÅÅÅÅ-MM-DD, inte {_json_type(raw)}")
    if not _DATE.match(raw):
        raise _fail("extract_date är inte ett datum ÅÅÅÅ-MM-DD")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise _fail("extract_date är inte ett giltigt datum ÅÅÅÅ-MM-DD") from None
    if value < date.fromisoformat(EARLIEST_DATE):
        raise _fail(f"extract_date {raw} är före {EARLIEST_DATE}")
    today = today_in_sweden()
    if value > today:
        raise _fail(f"extract_date {raw} ligger i framtiden (i dag är det {today.isoformat()}); ett uttagsdatum "
                    "efter i dag skulle göra att inga perioder markeras som preliminära")
    return value


def _check_strings(manifest: dict) -> None:
    for key, limit in (("source", MAX_SOURCE_CHARS), ("description", MAX_DESCRIPTION_CHARS)):
        if key in manifest and manifest[key] is not None:
            value = manifest[key]
            if not isinstance(value, str):
                raise _fail(f"{key} ska vara en text, inte {_json_type(value)}")
            if len(value) > limit:
                raise _fail(f"{key} är för lång ({len(value)} tecken; högst {limit})")
    stack: list = [manifest]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and len(item) > MAX_DESCRIPTION_CHARS:
            raise _fail(f"en text i manifestet är för lång ({len(item)} tecken; högst {MAX_DESCRIPTION_CHARS})")


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _json_type(value) -> str:
    return {dict: "ett objekt", list: "en lista", str: "en text", bool: "ett sanningsvärde",
            int: "ett tal", float: "ett tal", type(None): "null"}.get(type(value), type(value).__name__)


_JSON_REASONS = (
    ("Expecting property name", "ett namn inom dubbla citattecken väntades"),
    ("Expecting value", "ett värde väntades"),
    ("Expecting ',' delimiter", "ett kommatecken väntades"),
    ("Expecting ':' delimiter", "ett kolon väntades"),
    ("Unterminated string", "en text saknar avslutande citattecken"),
    ("Extra data", "oväntad text efter JSON-objektet"),
    ("Invalid control character", "ett styrtecken inne i en text"),
    ("Invalid \\escape", "ogiltig escape-sekvens"),
    ("Invalid \\uXXXX escape", "ogiltig \\u-sekvens"),
)


def _json_reason(msg: str) -> str:
    """A Swedish reason for json's message (which never quotes the document, only positions)."""
    return next((sv for en, sv in _JSON_REASONS if msg.startswith(en)), "syntaxfel")


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB".replace(".", ",")
    return f"{n / 1024:.0f} kB"

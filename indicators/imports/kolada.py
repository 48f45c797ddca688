"""Import form 'kolada' (data-contract.md §9.3): saved Kolada API v3 responses → published_figures.

    python -m indicators import kolada PAGE1.json PAGE2.json --out DIR [--map FILE]

Each FILE is one saved response page:
    {"values": [{"kpi": "N79198", "municipality": "0001", "period": 2023,
                 "values": [{"gender": "T", "count": 1, "status": "", "value": 48}]}],
     "count": 1, "next_page": "…"}
Nothing is fetched: `next_page` is only read to warn when every page given has a next one (the
last page is missing).

One source row is one entry of an inner `values` list (a KPI, unit, year and gender). Only gender
'T' (total) is used; 'K' and 'M' are reported. Municipality '0000' is riket and '00' + a county
code a region; a municipality (four other digits), a municipality group ('G…'), an
organisational unit (`ou`, e.g. a hospital) or an unknown '00xx' is reported and left out. A
given value keeps a null status; a withheld value (null) keeps Kolada's status code as it is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import DataError
from .common import ImportResult
from .published_map import R_UNKNOWN_INDICATOR, Collector, Row, _regions, load_map, parse_number

SOURCE = "Kolada"

R_GENDER = "kön K eller M (bara totalen T används)"
R_MUNICIPALITY = "kommun, inte region (fyrsiffrigt kommun-id)"
R_GROUP = "kommungrupp, inte region"
R_OU = "organisatorisk enhet (t.ex. sjukhus), inte region"
R_UNKNOWN_REGION = "okänt regions-id (00 följt av en länskod som inte finns)"
R_UNIT_ID = "okänt enhets-id (varken region, kommun eller kommungrupp)"
R_PERIOD = "perioden är inte ett år"
R_VALUE = "värdet är inte ett tal"
R_ENTRY = "ofullständig post (saknar kpi, municipality, period eller values)"
R_NO_GENDER = "ofullständigt värde (saknar gender)"


def add_arguments(parser) -> None:
    parser.add_argument("sources", nargs="+", metavar="FILE", help="sparade svar från Koladas API v3 (JSON)")
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--map", metavar="FILE", help="egen karta i stället för data/reference/published_sources.csv")


def run(args) -> ImportResult:
    mapping = load_map(args.map)
    pages = [(Path(p), _read_page(Path(p))) for p in args.sources]
    collector = Collector()
    for path, page in pages:
        _read_entries(collector, path.name, page["values"], mapping)
    result = collector.finish()
    if pages and all(page.get("next_page") for _, page in pages):
        result.summary.append("Obs: varje sida anger en nästa sida (next_page), så den sista sidan saknas "
                              "troligen bland filerna.")
    return result


def _read_page(path: Path) -> dict:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError:
        raise DataError(f"{path}: filen finns inte eller kan inte läsas") from None
    except UnicodeDecodeError:
        raise DataError(f"{path.name}: filen är inte UTF-8 (ett sparat svar från Koladas API är JSON i UTF-8)") from None
    try:
        page = json.loads(text)
    except ValueError:
        raise DataError(f"{path.name}: filen är inte JSON (väntade ett sparat svar från Koladas API v3)") from None
    if not isinstance(page, dict) or not isinstance(page.get("values"), list):
        raise DataError(f"{path.name}: inte ett svar från Koladas API v3 (väntade ett objekt med listan values)")
    return page


def _read_entries(collector: Collector, file: str, entries: list, mapping) -> None:
    regions = _regions()
    for entry in entries:
        inner = entry.get("values") if isinstance(entry, dict) else None
        if not isinstance(inner, list):
            collector.report(file, R_ENTRY)
            continue
        n = len(inner)
        if n == 0:
            continue
        inner_ok = [v for v in inner if isinstance(v, dict) and v.get("gender") is not None]
        if len(inner_ok) < n:
            collector.report(file, R_NO_GENDER, n - len(inner_ok))
        totals = [v for v in inner_ok if str(v.get("gender")).strip().upper() == "T"]
        if len(inner_ok) > len(totals):
            collector.report(file, R_GENDER, len(inner_ok) - len(totals))
        if not totals:
            continue
        m = len(totals)
        kpi, unit, period = entry.get("kpi"), entry.get("municipality"), entry.get("period")
        if kpi is None or period is None or (unit is None and entry.get("ou") is None):
            collector.report(file, R_ENTRY, m)
            continue
        if unit is None:  # an organisational unit's data (oudata): a hospital, a clinic
            collector.report(file, R_OU, m)
            continue
        unit = str(unit).strip()
        if re.fullmatch(r"\d{4}", unit) is None:
            collector.report(file, R_GROUP if unit.upper().startswith("G") else R_UNIT_ID, m)
            continue
        if unit.startswith("00"):
            region = None if unit == "0000" else unit[2:]
            if region is not None and region not in regions:
                collector.report(file, R_UNKNOWN_REGION, m)
                continue
        else:
            collector.report(file, R_MUNICIPALITY, m)
            continue
        found = mapping.indicator(SOURCE, kpi)
        if found is None:
            collector.report(file, R_UNKNOWN_INDICATOR, m)
            continue
        source_id, indicator = found
        year = str(period).strip()
        if re.fullmatch(r"\d{4}", year) is None:
            collector.report(file, R_PERIOD, m)
            continue
        for total in totals:
            raw = total.get("value")
            value = None if raw is None else parse_number(raw)
            if raw is not None and value is None:
                collector.report(file, R_VALUE)
                continue
            status = total.get("status")
            status = None if value is not None or status is None or str(status).strip() == "" else str(status).strip()
            collector.add(Row(file, SOURCE, source_id, indicator, region, year, value, status=status))

"""`import kolada` and `import vardenisiffror` → published_figures (data-contract.md §9.3, §9.5).

Every expected row and report count is written out next to its small input.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from indicators import open_data
from indicators.cli import main
from indicators.errors import DataError
from indicators.imports import kolada as kol
from indicators.imports import vardenisiffror as vis
from indicators.imports.published_map import R_CONFLICT, R_DUPLICATE, R_OVER_100, R_UNKNOWN_INDICATOR, load_map
from indicators.imports.vardenisiffror import parse_period

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples" / "published"
SCHEMA = [("source", pa.string()), ("source_id", pa.string()), ("indicator", pa.string()),
          ("region_code", pa.string()), ("period", pa.string()), ("value", pa.float64()),
          ("numerator", pa.int64()), ("denominator", pa.int64()), ("status", pa.string())]


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _table(out_dir: Path) -> pd.DataFrame:
    return pq.read_table(out_dir / "published_figures.parquet").to_pandas()


def _report(out_dir: Path) -> dict[tuple[str, str], int]:
    """import_report.csv as {(source, reason): rows}; one line per source and reason (§9.5)."""
    df = pd.read_csv(out_dir / "import_report.csv", dtype={"rows": int})
    assert not df.duplicated(["source", "reason"]).any(), df
    return {(r.source, r.reason): r.rows for r in df.itertuples()}


def _rows(out_dir: Path) -> dict[tuple, dict]:
    """The written rows by (indicator, region_code, period); nulls as None."""
    out = {}
    for r in pq.read_table(out_dir / "published_figures.parquet").to_pylist():
        key = (r["indicator"], r["region_code"], r["period"])
        assert key not in out
        out[key] = r
    return out


def _entry(kpi, municipality, period, *values, ou=None):
    entry = {"kpi": kpi, "period": period, "values": list(values)}
    if ou is not None:
        entry["ou"] = ou
    else:
        entry["municipality"] = municipality
    return entry


def _v(gender, value, status=""):
    return {"gender": gender, "count": 1, "status": status, "value": value}


# ---------------------------------------------------------------------------------------------
# Kolada: two saved pages.
# page1: riket N79198 2023 T 40 (+ K 38 and M 42: 2 gender rows reported)
#        0001 N79198 2023 T 48            -> region 01
#        0013 N79198 2023 T 39.5          -> region 13
#        0025 N70643 2023 T null 'MSK'    -> withheld, status kept
#        0180 N79198 2023 T 50            -> municipality: reported
#        G12345 N79198 2023 T 44          -> group: reported
#        ou V15E1 N79198 2023 T 30        -> organisational unit: reported
#        0002 N79198 2023 T 45            -> '02' is no county: reported
#        0001 N00945 2023 T 12            -> KPI not in the map: reported
#        '12' N79198 2023 T 40            -> no municipality id: reported
#        0003 N79198 '2023-01' T 45       -> not a year: reported
# page2: 0001 N79198 2023 T 48            -> identical copy of page1's: kept once, 1 reported
#        0003 N70643 2023 T 103.3 status 'x' -> a given value keeps a null status; >100 is fine
#        0005 N79198 2023 T 41 and again T 43 in a second entry -> conflicting: 2 reported
#        0006 N79198 2023 T 120           -> over 100 for a proportion: reported
# Output: riket, 01, 13 (N79198); 25, 03 (N70643) = 5 rows.
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kolada_pages(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("kolada_src")
    page1 = {"values": [
        _entry("N79198", "0000", 2023, _v("T", 40), _v("K", 38), _v("M", 42)),
        _entry("N79198", "0001", 2023, _v("T", 48)),
        _entry("N79198", "0013", 2023, _v("T", 39.5)),
        _entry("N70643", "0025", 2023, _v("T", None, "MSK")),
        _entry("N79198", "0180", 2023, _v("T", 50)),
        _entry("N79198", "G12345", 2023, _v("T", 44)),
        _entry("N79198", None, 2023, _v("T", 30), ou="V15E1"),
        _entry("N79198", "0002", 2023, _v("T", 45)),
        _entry("N00945", "0001", 2023, _v("T", 12)),
        _entry("N79198", "12", 2023, _v("T", 40)),
        _entry("N79198", "0003", "2023-01", _v("T", 45)),
    ], "count": 11, "next_page": "https://api.kolada.se/v3/data/kpi/N79198/year/2023?page=2"}
    page2 = {"values": [
        _entry("N79198", "0001", 2023, _v("T", 48)),
        _entry("N70643", "0003", "2023", _v("T", 103.3, "x")),
        _entry("N79198", "0005", 2023, _v("T", 41)),
        _entry("N79198", "0005", 2023, _v("T", 43)),
        _entry("N79198", "0006", 2023, _v("T", 120)),
    ], "count": 5}
    paths = [d / "page1.json", d / "page2.json"]
    for path, page in zip(paths, (page1, page2)):
        path.write_text(json.dumps(page), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def kolada_out(kolada_pages, tmp_path_factory):
    out = tmp_path_factory.mktemp("kolada_out") / "extract"
    assert main(["import", "kolada", *map(str, kolada_pages), "--out", str(out)]) == 0
    return out


def test_kolada_writes_the_contract_schema(kolada_out):
    schema = pq.read_schema(kolada_out / "published_figures.parquet")
    assert [(f.name, f.type) for f in schema] == SCHEMA


def test_kolada_rows_riket_as_null_region_withheld_with_status(kolada_out):
    rows = _rows(kolada_out)
    assert set(rows) == {("svf_within_target", None, "2023"), ("svf_within_target", "01", "2023"),
                         ("svf_within_target", "13", "2023"), ("svf_inclusion", "25", "2023"),
                         ("svf_inclusion", "03", "2023")}
    riket = rows[("svf_within_target", None, "2023")]
    assert (riket["source"], riket["source_id"], riket["value"]) == ("Kolada", "N79198", 40.0)
    assert riket["status"] is None and riket["numerator"] is None and riket["denominator"] is None
    assert rows[("svf_within_target", "13", "2023")]["value"] == 39.5
    withheld = rows[("svf_inclusion", "25", "2023")]
    assert withheld["value"] is None and withheld["status"] == "MSK" and withheld["source_id"] == "N70643"
    over_100 = rows[("svf_inclusion", "03", "2023")]
    assert over_100["value"] == 103.3 and over_100["status"] is None  # a given value keeps a null status


def test_kolada_reports_every_row_left_out(kolada_out):
    assert _report(kolada_out) == {
        ("page1.json", kol.R_GENDER): 2,
        ("page1.json", kol.R_MUNICIPALITY): 1,
        ("page1.json", kol.R_GROUP): 1,
        ("page1.json", kol.R_OU): 1,
        ("page1.json", kol.R_UNKNOWN_REGION): 1,
        ("page1.json", kol.R_UNIT_ID): 1,
        ("page1.json", R_UNKNOWN_INDICATOR): 1,
        ("page1.json", kol.R_PERIOD): 1,
        ("page2.json", R_OVER_100): 1,
        ("page2.json", R_DUPLICATE): 1,
        ("page2.json", R_CONFLICT): 2,
    }


def test_kolada_output_is_an_extract_table_the_engine_accepts(kolada_out, tmp_path):
    d = tmp_path / "set"
    shutil.copytree(kolada_out, d)
    (d / "manifest.json").write_text('{"extract_date": "2025-03-15"}', encoding="utf-8")
    ds = open_data(d)
    assert ds.tables["published_figures"].error is None
    assert ds.tables["published_figures"].rows_valid == 5
    assert not [r for r in ds.report_rows if r[0] == "published_figures"]
    pub = ds.published()
    assert not pub.bundled and pub.attribution == "Källa: Kolada"


def test_kolada_only_gender_total_is_used(tmp_path, capsys):
    page = tmp_path / "p.json"
    page.write_text(json.dumps({"values": [_entry("N79198", "0001", 2022, _v("K", 50), _v("M", 30))]}),
                    encoding="utf-8")
    code, out, _ = _run(capsys, "import", "kolada", str(page), "--out", str(tmp_path / "o"))
    assert code == 0
    assert len(_table(tmp_path / "o")) == 0
    assert _report(tmp_path / "o") == {("p.json", kol.R_GENDER): 2}


def test_kolada_warns_when_every_page_points_to_a_next_one(kolada_pages, tmp_path, capsys):
    code, out, _ = _run(capsys, "import", "kolada", str(kolada_pages[0]), "--out", str(tmp_path / "o"))
    assert code == 0 and "next_page" in out


@pytest.mark.parametrize("content, message", [
    ("not json", "inte JSON"),
    ('{"data": []}', "values"),
    ("[1, 2]", "values"),
])
def test_kolada_unreadable_page_exits_1_naming_the_file(tmp_path, capsys, content, message):
    page = tmp_path / "bad.json"
    page.write_text(content, encoding="utf-8")
    code, _, err = _run(capsys, "import", "kolada", str(page), "--out", str(tmp_path / "o"))
    assert code == 1 and "bad.json" in err and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_kolada_missing_file_exits_1(tmp_path, capsys):
    code, _, err = _run(capsys, "import", "kolada", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o"))
    assert code == 1 and "nope.json" in err


def test_import_never_adds_to_an_existing_table(kolada_pages, kolada_out, capsys):
    before = (kolada_out / "published_figures.parquet").read_bytes()
    code, _, err = _run(capsys, "import", "kolada", str(kolada_pages[1]), "--out", str(kolada_out))
    assert code == 2 and "published_figures" in err
    assert (kolada_out / "published_figures.parquet").read_bytes() == before


def test_shipped_kolada_example_imports(tmp_path, capsys):
    code, out, _ = _run(capsys, "import", "kolada", str(EXAMPLES / "kolada_page1.json"),
                        str(EXAMPLES / "kolada_page2.json"), "--out", str(tmp_path / "o"))
    assert code == 0
    df = _table(tmp_path / "o")
    # page 1: N70643 2024 for riket and 20 regions plus Norrbotten withheld; page 2: N79198 2024, 22 units
    assert len(df) == 44
    assert df.groupby("indicator").size().to_dict() == {"svf_inclusion": 22, "svf_within_target": 22}
    norrbotten = df[(df.indicator == "svf_inclusion") & (df.region_code == "25")].iloc[0]
    assert pd.isna(norrbotten["value"]) and norrbotten["status"] == "Saknas"
    riket = df[(df.indicator == "svf_within_target") & df.region_code.isna()].iloc[0]
    assert riket["value"] == 45.0  # N79198 riket 2024 as Kolada publishes it
    assert _report(tmp_path / "o") == {("kolada_page1.json", kol.R_MUNICIPALITY): 1,
                                       ("kolada_page2.json", kol.R_GENDER): 2}


# ---------------------------------------------------------------------------------------------
# Vården i siffror
# ---------------------------------------------------------------------------------------------
TITLE_INCL = "Andel nya cancerfall som utretts inom standardiserat vårdförlopp"
TITLE_LEAD = "Andel patienter som startat behandling inom standardiserat vårdförlopps ledtid"
HEADER = ["Diagramrubrik", "Titel", "Register/källa", "Måttenhet", "Enhetsnamn", "Mätperiod", "Värde", "Täljare",
          "Nämnare/antal fall"]


def _vis_line(title, unit, period, value, num="", den="", measure="Procent"):
    return ["SVF", title, "RCC", measure, unit, period, value, num, den]


# Hand-made export. Output rows (7):
#   Riket 2023 lead 40,5 (1 234 / 3 047)         -> region null, value 40.5, counts 1234 / 3047
#   Region Stockholm 2023 lead 48                -> 01
#   Västra Götalandsregionen 2023-01-01 - 2023-12-31 lead 44,0 -> 14, period '2023'
#   Region Jämtland Härjedalen 2023 lead MSK     -> 23, value null, status MSK
#   Region Jönköpings län 2023 K2 lead UNK       -> 06, period '2023-Q2', status UNK
#   Region Örebro län 2023-03 lead INV           -> 18, period '2023-03', status INV
#   Region Uppsala 2023 incl 103,3               -> 03, svf_inclusion 103.3
# Reported (9): Karolinska universitetssjukhuset (hospital), Stockholms kommun (municipality),
#   Sjukvårdsregion Norr, rolling 12 months period, a Värde of free text, a fraction of a count,
#   'Antal' as unit, an unknown title, a short row.
VIS_ROWS = [
    _vis_line(TITLE_LEAD, "Riket", "2023", "40,5", "1 234", "3\u00a0047"),
    _vis_line(TITLE_LEAD, "Region Stockholm", "2023", "48"),
    _vis_line(TITLE_LEAD, "Västra Götalandsregionen", "2023-01-01 - 2023-12-31", "44,0"),
    _vis_line(TITLE_LEAD, "Region Jämtland Härjedalen", "2023", "MSK"),
    _vis_line(TITLE_LEAD, "region jönköpings  län", "2023 K2", "UNK"),
    _vis_line(TITLE_LEAD, "Region Örebro län", "2023-03", "INV"),
    _vis_line(TITLE_INCL, "Region Uppsala", "2023", "103,3"),
    _vis_line(TITLE_LEAD, "Karolinska universitetssjukhuset", "2023", "38"),
    _vis_line(TITLE_LEAD, "Stockholms kommun", "2023", "50"),
    _vis_line(TITLE_LEAD, "Sjukvårdsregion Norr", "2023", "45"),
    _vis_line(TITLE_LEAD, "Region Skåne", "2023-02-01 - 2024-01-31", "45"),
    _vis_line(TITLE_LEAD, "Region Halland", "2023", "ungefär 40"),
    _vis_line(TITLE_LEAD, "Region Kalmar län", "2023", "40", "10,5", "20"),
    _vis_line(TITLE_LEAD, "Region Gotland", "2023", "40", measure="Antal"),
    _vis_line("Andel rökfria", "Region Gotland", "2023", "40"),
    ["SVF", TITLE_LEAD, "RCC"],
]


def _write_vis(path: Path, encoding: str, delimiter: str = ";", rows=None) -> Path:
    lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in (rows if rows is not None else VIS_ROWS)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8", "utf-16"])
def test_vardenisiffror_reads_each_encoding_with_decimal_comma(tmp_path, capsys, encoding):
    src = _write_vis(tmp_path / "export.csv", encoding)  # the no-break space in '3 047' exists in cp1252 too
    code, _, err = _run(capsys, "import", "vardenisiffror", str(src), "--out", str(tmp_path / "o"))
    assert code == 0, err
    got = _rows(tmp_path / "o")
    lead = "svf_within_target"
    assert set(got) == {(lead, None, "2023"), (lead, "01", "2023"), (lead, "14", "2023"), (lead, "23", "2023"),
                        (lead, "06", "2023-Q2"), (lead, "18", "2023-03"), ("svf_inclusion", "03", "2023")}
    riket = got[(lead, None, "2023")]
    assert (riket["value"], riket["numerator"], riket["denominator"]) == (40.5, 1234, 3047)
    assert riket["source"] == "Vården i siffror" and riket["source_id"] == TITLE_LEAD
    assert got[(lead, "14", "2023")]["value"] == 44.0
    for key, status in [((lead, "23", "2023"), "MSK"), ((lead, "06", "2023-Q2"), "UNK"), ((lead, "18", "2023-03"), "INV")]:
        assert got[key]["value"] is None and got[key]["status"] == status
    assert got[("svf_inclusion", "03", "2023")]["value"] == 103.3
    assert _report(tmp_path / "o") == {
        ("export.csv", vis.R_NOT_REGION): 3,
        ("export.csv", vis.R_PERIOD): 1,
        ("export.csv", vis.R_VALUE): 1,
        ("export.csv", vis.R_COUNT): 1,
        ("export.csv", vis.R_MEASURE): 1,
        ("export.csv", R_UNKNOWN_INDICATOR): 1,
        ("export.csv", vis.R_FIELDS): 1,
    }


def test_vardenisiffror_missing_column_exits_1_naming_it(tmp_path, capsys):
    src = tmp_path / "x.csv"
    src.write_text("Titel;Enhetsnamn;Värde\nA;Riket;40\n", encoding="utf-8")
    code, _, err = _run(capsys, "import", "vardenisiffror", str(src), "--out", str(tmp_path / "o"))
    assert code == 1 and "x.csv" in err and "Mätperiod" in err
    assert not (tmp_path / "o").exists()


def test_vardenisiffror_comma_separated_file_exits_1(tmp_path, capsys):
    src = _write_vis(tmp_path / "c.csv", "utf-8", delimiter=",", rows=[])
    code, _, err = _run(capsys, "import", "vardenisiffror", str(src), "--out", str(tmp_path / "o"))
    assert code == 1 and "semikolon" in err


def test_vardenisiffror_undecodable_bytes_exit_1(tmp_path, capsys):
    src = tmp_path / "b.csv"
    src.write_bytes(";".join(HEADER).encode("utf-8") + b"\r\nSVF;\x81\x8d;RCC;Procent;Riket;2023;40;;\r\n")
    code, _, err = _run(capsys, "import", "vardenisiffror", str(src), "--out", str(tmp_path / "o"))
    assert code == 1 and "teckenkodning" in err


def test_shipped_vardenisiffror_example_imports(tmp_path, capsys):
    code, out, err = _run(capsys, "import", "vardenisiffror", str(EXAMPLES / "vardenisiffror_svf.csv"),
                          "--out", str(tmp_path / "o"))
    assert code == 0, err
    df = _table(tmp_path / "o")
    assert len(df) == 44
    stockholm = df[(df.indicator == "svf_inclusion") & (df.region_code == "01")].iloc[0]
    assert stockholm["value"] == 78.1  # Kolada's N70643 for Stockholm 2023
    norrbotten = df[(df.indicator == "svf_inclusion") & (df.region_code == "25")].iloc[0]
    assert pd.isna(norrbotten["value"]) and norrbotten["status"] == "MSK"
    assert _report(tmp_path / "o") == {("vardenisiffror_svf.csv", vis.R_NOT_REGION): 1}


@pytest.mark.parametrize("text, expected", [
    ("2024", "2024"), ("2024-03", "2024-03"), ("2024-Q1", "2024-Q1"), ("2024 Q4", "2024-Q4"),
    ("2024 kv 2", "2024-Q2"), ("2024 kvartal 3", "2024-Q3"), ("2024K1", "2024-Q1"),
    ("2024-01-01 - 2024-12-31", "2024"), ("2024-01-01 – 2024-12-31", "2024"), ("2024-04 – 2024-06", "2024-Q2"),
    ("2024-02-01 till 2024-02-29", "2024-02"), ("2024-01 - 2024-12", "2024"),
    ("2024-02-01 - 2025-01-31", None), ("2024-01-15 - 2024-12-31", None), ("2024-02 - 2024-04", None),
    ("2024-13", None), ("24", None), ("", None), ("2023-02-01 - 2023-02-30", None), ("2024 Q5", None),
])
def test_vardenisiffror_period_forms(text, expected):
    assert parse_period(text) == expected


def test_custom_map_replaces_the_shipped_one(tmp_path, capsys):
    mapping = tmp_path / "map.csv"
    mapping.write_text("source,kind,key,target,note\n"
                       "Vården i siffror,indicator,Min egen titel,svf_within_target,\n"
                       "Vården i siffror,unit,Stockholm läns landsting,01,\n", encoding="utf-8")
    src = _write_vis(tmp_path / "e.csv", "utf-8", rows=[
        _vis_line("Min egen titel", "Stockholm läns landsting", "2022", "51,5"),
        _vis_line(TITLE_LEAD, "Region Stockholm", "2022", "50"),
    ])
    code, _, err = _run(capsys, "import", "vardenisiffror", str(src), "--out", str(tmp_path / "o"),
                        "--map", str(mapping))
    assert code == 0, err
    df = _table(tmp_path / "o")
    assert df[["region_code", "period", "value", "source_id"]].values.tolist() == [["01", "2022", 51.5, "Min egen titel"]]
    assert _report(tmp_path / "o") == {("e.csv", R_UNKNOWN_INDICATOR): 1}


@pytest.mark.parametrize("line, message", [
    ("Kolada,indicator,N1,no_such_indicator,", "ingen indikator"),
    ("Vården i siffror,unit,Region X,99,", "regionkod"),
    ("Kolada,metric,N1,svf_inclusion,", "kind"),
])
def test_bad_map_is_refused_naming_file_and_line(tmp_path, line, message):
    mapping = tmp_path / "m.csv"
    mapping.write_text("source,kind,key,target\nKolada,indicator,N79198,svf_within_target\n" + line + "\n",
                       encoding="utf-8")
    with pytest.raises(DataError, match=rf"m\.csv rad 3: .*{message}"):
        load_map(mapping)


def test_shipped_map_names_every_region_once():
    shipped = load_map()
    regions = pd.read_csv(ROOT / "data" / "reference" / "regions.csv", dtype=str)["region_code"]
    vis_units = {code for (src, _), code in shipped.units.items() if src == "vården i siffror"}
    assert vis_units == set(regions) | {None}
    assert shipped.indicator("Kolada", "n79198") == ("N79198", "svf_within_target")
    assert shipped.indicator("Kolada", "N70643") == ("N70643", "svf_inclusion")

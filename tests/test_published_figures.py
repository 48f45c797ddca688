"""Published figures in the engine: the optional extract table `published_figures` (data-contract.md
§9.3, checked like the other extract tables) and the bundled Kolada figures standing in for it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract_builder import write_set
from indicators import DataError, open_data
from indicators.published import (
    BUNDLED_PUBLISHED_FILE,
    PUBLISHED_COLUMNS,
    bundled_published,
    published_healthcare_regions,
)

ROOT = Path(__file__).resolve().parents[1]


def _pf(source="Kolada", source_id="N79198", indicator="svf_within_target", region="01", period="2023",
        value=50.0, numerator=None, denominator=None, status=None) -> dict:
    return {"source": source, "source_id": source_id, "indicator": indicator, "region_code": region,
            "period": period, "value": value, "numerator": numerator, "denominator": denominator, "status": status}


# -- the bundled figures ----------------------------------------------------------------------------

def test_bundled_figures_are_kolada_as_published():
    pub = bundled_published()
    assert pub.bundled and pub.attribution == "Källa: Kolada" and pub.sources == ["Kolada"]
    t = pub.table
    assert list(t.columns[:9]) == PUBLISHED_COLUMNS
    with open(BUNDLED_PUBLISHED_FILE, encoding="utf-8") as fh:
        assert len(t) == sum(1 for _ in csv.DictReader(fh)) == 279

    def one(indicator, region, period):
        sel = t[(t.indicator == indicator) & (t.period == period)
                & (t.region_code.isna() if region is None else t.region_code == region)]
        assert len(sel) == 1
        return sel.iloc[0]

    riket = one("svf_within_target", None, "2023")
    assert (riket.source_id, riket.value, riket.target_high, riket.target_level) == ("N79198", 40.0, 80, "none")
    assert pd.isna(riket.numerator) and pd.isna(riket.status) and not riket.suppressed
    uppsala = one("svf_inclusion", "03", "2023")
    assert uppsala.value == 103.3 and uppsala.target_level == "high"  # an estimated denominator: over 100 is real
    assert one("svf_inclusion", None, "2018").value == 71.2
    # Norrbotten publishes no inclusion: no row, never a zero
    assert t[(t.indicator == "svf_inclusion") & (t.region_code == "25")].empty
    assert len(t[(t.indicator == "svf_within_target") & (t.period == "2025")]) == 22


def test_bundled_figures_for_one_indicator_and_years():
    pub = bundled_published("svf_inclusion")
    assert set(pub.table.indicator) == {"svf_inclusion"}
    assert pub.years() == [str(y) for y in range(2018, 2025)]


def test_bundled_file_passes_the_tables_row_rules(tmp_path):
    """Loaded as an extract set's own published_figures, the bundled figures break no rule."""
    t = bundled_published().table
    rows = [{c: (None if pd.isna(v) else v) for c, v in r.items() if c in PUBLISHED_COLUMNS}
            for r in t.to_dict("records")]
    ds = open_data(write_set(tmp_path / "s", extract_date="2026-01-15", published_figures=rows))
    assert ds.tables["published_figures"].rows_valid == 279
    assert not [r for r in ds.report_rows if r[0] == "published_figures"]


def test_a_set_without_its_own_table_uses_the_bundled_figures(tmp_path):
    ds = open_data(write_set(tmp_path / "s"))
    pub = ds.published("svf_within_target")
    assert pub.bundled and pub.attribution == "Källa: Kolada"
    assert len(pub.table) == 132  # riket and 21 regions, 2020–2025
    # not a table of the set: no status row, no failure; the validation report names the stand-in
    assert "published_figures" not in ds.tables and not ds.failed_tables
    from indicators.validation_report import render_json, render_text

    assert "medföljande publicerad statistik (data/published/kolada_svf.csv, Källa: Kolada)" in render_text(ds)
    assert json.loads(render_json(ds))["published_figures"] == {"bundled": True,
                                                                "source": "data/published/kolada_svf.csv"}


# -- a set's own table -------------------------------------------------------------------------------
# Extract date 2025-03-15. Valid: 01/2023 (50), riket/2023 (40), 03/2024-Q1 (MSK, value null),
# svf_inclusion 03/2023 (103.3, over 100 allowed), 05/2024-02 with counts 30/60 (value 50),
# 07/2023 with counts 3/4 (valid, but its counts are hidden by suppression).
# Left out, one reason each: unknown region '99', period '2023-13', period '2026' (after the
# extract date), 120 for a proportion, a negative value, indicator 'svf_something', numerator >
# denominator, and two copies of 09/2023 (both left out).
@pytest.fixture(scope="module")
def own_set(tmp_path_factory):
    rows = [
        _pf(region="01", value=50.0),
        _pf(region=None, value=40.0),
        _pf(region="03", period="2024-Q1", value=None, status="MSK"),
        _pf(indicator="svf_inclusion", source_id="N70643", region="03", value=103.3),
        _pf(source="Vården i siffror", source_id="Andel inom ledtid", region="05", period="2024-02", value=50.0,
            numerator=30, denominator=60),
        _pf(region="07", value=75.0, numerator=3, denominator=4),
        _pf(region="99"),
        _pf(period="2023-13"),
        _pf(period="2026"),
        _pf(region="04", value=120.0),
        _pf(region="06", value=-1.0),
        _pf(indicator="svf_something"),
        _pf(region="08", numerator=7, denominator=6),
        _pf(region="09", value=40.0),
        _pf(region="09", value=41.0),
    ]
    return open_data(write_set(tmp_path_factory.mktemp("own"), extract_date="2025-03-15", published_figures=rows))


def test_own_table_row_rules_report_each_reason(own_set):
    report = {reason: n for table, reason, n in own_set.report_rows if table == "published_figures"}
    assert report == {
        "region_code: okänd region": 1,
        "period: varken ÅÅÅÅ, ÅÅÅÅ-Qn eller ÅÅÅÅ-MM": 1,
        "period efter uttagsdatum": 1,
        "value över 100 för en andel": 1,
        "value är negativt": 1,
        "indicator: okänd indikator": 1,
        "numerator större än denominator för en andel": 1,
        "källa, indikator, region och period förekommer flera gånger (alla kopior utelämnas)": 2,
    }
    status = own_set.tables["published_figures"]
    assert (status.rows_read, status.rows_valid, status.bundled) == (15, 6, False)


def test_own_table_is_used_and_names_its_sources(own_set):
    pub = own_set.published()
    assert not pub.bundled
    assert pub.attribution == "Källa: Kolada, Vården i siffror"
    t = pub.table
    assert len(t) == 6
    msk = t[(t.region_code == "03") & (t.period == "2024-Q1")].iloc[0]
    assert pd.isna(msk.value) and msk.status == "MSK" and pd.isna(msk.target_level)
    counts = t[t.region_code == "05"].iloc[0]
    assert (counts.numerator, counts.denominator, counts.value, counts.target_level) == (30, 60, 50.0, "none")
    assert own_set.published("svf_inclusion").table.value.tolist() == [103.3]


def test_published_counts_under_five_are_suppressed(own_set):
    row = own_set.published().table.query("region_code == '07'").iloc[0]
    assert bool(row.suppressed)
    assert pd.isna(row.value) and pd.isna(row.numerator) and pd.isna(row.denominator) and pd.isna(row.target_level)


def test_own_table_of_wrong_type_fails_and_is_never_replaced_by_the_bundled(tmp_path):
    d = write_set(tmp_path / "s")
    bad = pa.table({c: pa.array(["x"], type=pa.string()) for c in PUBLISHED_COLUMNS})
    pq.write_table(bad, d / "published_figures.parquet")
    ds = open_data(d)
    err = ds.tables["published_figures"].error
    assert "value" in err and "decimaltal" in err
    assert "published_figures" in [t.table for t in ds.failed_tables]
    with pytest.raises(DataError, match="published_figures"):
        ds.published()
    # the other indicators still work
    assert len(ds.compute("svf_within_target", start="2024-01-01", end="2024-12-31")) == 1


def test_own_table_survives_the_load_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("INDIKATORPANELEN_CACHE", "on")
    monkeypatch.setenv("INDIKATORPANELEN_CACHE_DIR", str(tmp_path / "cache"))
    d = write_set(tmp_path / "s", published_figures=[_pf(region="01", value=55.5)])
    first = open_data(d).published().table
    again = open_data(d)  # from the cache file
    assert again.published().table.value.tolist() == first.value.tolist() == [55.5]
    assert not again.published().bundled


# -- healthcare regions ------------------------------------------------------------------------------
# Norra = 22, 23, 24, 25. Counts: 22 10/20, 23 5/10, 24 20/40, 25 15/30 -> 50/100 = 50 %.
# Södra = 07, 10, 12, 13: 13 is missing -> no value (never an average of the others' percentages).
def test_healthcare_region_only_from_counts_of_every_member(tmp_path):
    rows = [_pf(source="Vården i siffror", source_id="t", region=r, value=100.0 * n / d, numerator=n, denominator=d)
            for r, n, d in [("22", 10, 20), ("23", 5, 10), ("24", 20, 40), ("25", 15, 30),
                            ("07", 10, 20), ("10", 10, 20), ("12", 10, 20)]]
    ds = open_data(write_set(tmp_path / "s", published_figures=rows))
    hr = published_healthcare_regions(ds.published(), ds.reference("regions"))
    assert hr[["healthcare_region", "numerator", "denominator", "value", "members"]].values.tolist() == [
        ["Norra", 50, 100, 50.0, 4]]
    assert hr.note.iloc[0].startswith("Egen beräkning")


def test_healthcare_region_is_never_derived_from_kolada_percentages(tmp_path):
    ds = open_data(write_set(tmp_path / "s"))
    assert published_healthcare_regions(ds.published(), ds.reference("regions")).empty

"""The numbers behind a chart as CSV and Excel (export/tables.py): Swedish columns, the selection
and extract date in the file, suppressed groups as 'otillräckligt underlag' in every count, value
and interval cell (never a number or 0), target columns kept, and a clean round trip."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from export import tables
from indicators import open_data

SUPP = "otillräckligt underlag"


class _Ind:  # the catalogue fields export/tables.py reads
    id = "svf_within_target"
    name_sv = "Andel behandlade inom ledtid"
    short_sv = "Inom ledtid"
    unit = "procent"
    kind = "proportion"
    direction = "higher"
    target_source = "Nationellt ledtidsmål (80 %)."
    period_date = "end_date"
    region_rule = "Avslutande region."
    texts = {"om": "Andelen inom ledtid.", "tolkning": "Läs med inklusionen.", "teknisk": "Wilson."}


def _engine_result() -> pd.DataFrame:
    """Three regions as the engine returns them; '03' is suppressed (its counts are NA)."""
    return pd.DataFrame({
        "region": pd.array(["01", "03", "14"], dtype="string"),
        "numerator": pd.array([41, pd.NA, 17], dtype="Int64"),
        "denominator": pd.array([50, pd.NA, 23], dtype="Int64"),
        "value": pd.array([82.0, pd.NA, 73.91304347826087], dtype="Float64"),
        "ci_low": pd.array([69.2, pd.NA, 53.5], dtype="Float64"),
        "ci_high": pd.array([90.2, pd.NA, 87.5], dtype="Float64"),
        "target_low": pd.array([pd.NA, pd.NA, pd.NA], dtype="Int64"),
        "target_high": pd.array([80, 80, 80], dtype="Int64"),
        "target_level": pd.array(["high", pd.NA, "none"], dtype="string"),
        "suppressed": [False, True, False],
        "provisional": [False, False, True],
        "placeholder_target": pd.array([False, pd.NA, True], dtype="boolean"),
        "missing": pd.array([pd.NA, pd.NA, pd.NA], dtype="Int64"),
    })


def _ctx(**kw) -> tables.ExportContext:
    args = dict(title="Andel behandlade inom ledtid – regioner", selection="2024 · alla regioner · Bröstcancer",
                extract_date="2025-03-15", source="Testuttag", dataset_id="abcd1234", indicator=_Ind(),
                region_names={"01": "Stockholm", "03": "Uppsala", "14": "Västra Götaland"})
    args.update(kw)
    return tables.ExportContext(**args)


def test_csv_has_metadata_swedish_columns_and_suppression_text():
    data = tables.to_csv_bytes(_engine_result(), _ctx())
    text = data.decode("utf-8-sig")
    head = [line for line in text.splitlines() if line.startswith("#")]
    assert head[0].startswith("# Indikatorpanelen – ") and int(head[0].split("–")[1].split()[0]) == len(head)
    joined = "\n".join(head)
    for needle in ("2024 · alla regioner · Bröstcancer", "Datauttag: 2025-03-15", "Testuttag", "abcd1234",
                   "svf_within_target"):
        assert needle in joined

    df = tables.read_csv_export(data)
    assert list(df["Region"]) == ["Stockholm", "Uppsala", "Västra Götaland"]
    for col in ("Täljare", "Nämnare", "Andel (%)", "95 % KI (Wilson) nedre", "95 % KI (Wilson) övre", "Status"):
        assert col in df.columns, col
    row = df.set_index("Region").loc["Uppsala"]
    for col in ("Täljare", "Nämnare", "Andel (%)", "95 % KI (Wilson) nedre", "95 % KI (Wilson) övre", "Status"):
        assert row[col] == SUPP, col
    assert row["Målnivå hög"] == "80", "targets stay for a suppressed group"
    sthlm = df.set_index("Region").loc["Stockholm"]
    assert (sthlm["Täljare"], sthlm["Nämnare"], sthlm["Andel (%)"]) == ("41", "50", "82,0")
    assert df.set_index("Region").loc["Västra Götaland", "Preliminär"] == "Ja"


def test_csv_reads_in_pandas_with_swedish_decimals():
    text = tables.to_csv_bytes(_engine_result(), _ctx()).decode("utf-8-sig")
    skip = int(text.splitlines()[0].split("–")[1].split()[0])
    df = pd.read_csv(io.StringIO(text), sep=";", decimal=",", skiprows=skip)
    assert len(df) == 3
    assert df.loc[2, "Andel (%)"] == "73,9" or float(str(df.loc[2, "Andel (%)"]).replace(",", ".")) == 73.9


def test_excel_has_header_block_table_and_about_sheet():
    data = tables.to_excel_bytes(_engine_result(), _ctx())
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Data", "Om urvalet"]
    ws = wb["Data"]
    block = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(1, 10)}
    assert block["Urval"] == "2024 · alla regioner · Bröstcancer"
    assert block["Datauttag"] == "2025-03-15"
    df = tables.read_excel_export(data)
    assert len(df) == 3
    supp = df.set_index("Region").loc["Uppsala"]
    for col in ("Täljare", "Nämnare", "Andel (%)", "95 % KI (Wilson) nedre", "95 % KI (Wilson) övre"):
        assert supp[col] == SUPP, col
    sthlm = df.set_index("Region").loc["Stockholm"]
    assert sthlm["Täljare"] == 41 and sthlm["Andel (%)"] == pytest.approx(82.0)
    about = {r[0]: r[1] for r in wb["Om urvalet"].iter_rows(values_only=True)}
    assert about["Om indikatorn"] == "Andelen inom ledtid."
    assert about["Urval"] == "2024 · alla regioner · Bröstcancer"
    assert "Wilson" in about["Konfidensintervall"]


def test_no_cell_of_a_suppressed_row_is_a_number_or_zero():
    for data, reader in ((tables.to_csv_bytes(_engine_result(), _ctx()), tables.read_csv_export),
                         (tables.to_excel_bytes(_engine_result(), _ctx()), tables.read_excel_export)):
        row = reader(data).set_index("Region").loc["Uppsala"]
        for col, v in row.items():
            if col.startswith("Målnivå") or v is None or (isinstance(v, float) and v != v):
                continue  # targets stay; an empty flag cell is not a number
            assert not (isinstance(v, (int, float)) and not isinstance(v, bool)), (col, v)
            assert str(v) not in ("0", "0,0", "0.0"), (col, v)


def test_display_table_without_suppressed_column_is_blanked_by_its_status_text():
    """A page's display table (ui.layout.result_table) marks suppression in a text column only."""
    display = pd.DataFrame({
        "Region": ["Stockholm", "Uppsala"],
        "Andel (%)": [82.0, float("nan")],
        "95 % KI, låg": [69.2, float("nan")],
        "95 % KI, hög": [90.2, float("nan")],
        "Täljare": pd.array([41, pd.NA], dtype="Int64"),
        "Nämnare": [50.0, float("nan")],
        "Målnivå": ["Hög målnivå uppnådd", SUPP],
        "Preliminärt": ["", "ja"],
    })
    df = tables.read_csv_export(tables.to_csv_bytes(display, _ctx()))
    row = df.set_index("Region").loc["Uppsala"]
    for col in ("Andel (%)", "95 % KI, låg", "95 % KI, hög", "Täljare", "Nämnare", "Målnivå"):
        assert row[col] == SUPP, col
    assert df.set_index("Region").loc["Stockholm", "Nämnare"] == "50"


def test_real_engine_result_round_trips(small_data_dir):
    ds = open_data(small_data_dir)
    ind = ds.catalogue().get("svf_within_target")
    result = ds.compute("svf_within_target", by=["region"], start="2025-01-01", end="2025-12-31", secondary=True)
    ctx = _ctx(indicator=ind, region_names=dict(zip(ds.reference("regions")["region_code"],
                                                    ds.reference("regions")["region_name"])))
    for data, reader in ((tables.to_csv_bytes(result, ctx), tables.read_csv_export),
                         (tables.to_excel_bytes(result, ctx), tables.read_excel_export)):
        df = reader(data)
        assert len(df) == len(result)
        shown = ~result["suppressed"].to_numpy()
        assert (df.loc[~shown, "Täljare"] == SUPP).all()
        assert [str(v) for v in df.loc[shown, "Täljare"]] == [str(int(v)) for v in result.loc[shown, "numerator"]]


def test_median_indicator_has_no_numerator_column_and_its_own_labels():
    class Median(_Ind):
        id, kind, unit, name_sv = "svf_lead_time_median", "median", "dagar", "Median ledtid, dagar"

    df = _engine_result().assign(numerator=pd.array([pd.NA] * 3, dtype="Int64"))
    out = tables.export_frame(df, _ctx(indicator=Median()))
    assert "Täljare" not in out.columns
    assert "Median (dagar)" in out.columns and "Antal förlopp" in out.columns

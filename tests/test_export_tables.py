"""The numbers behind a view as a Swedish table, CSV and Excel (export/tables.py): Swedish columns,
the selection and extract date in the file, hidden groups saying why in every count, value and
interval cell (never a number or 0), target columns kept, units without cases as "inga fall", the
same table on screen, in the CSV and in the Excel file, and a clean round trip.

The hand-built extract is view_fixtures.four_regions (its numbers are written there):
Stockholm 41 of 50, Uppsala 2 of 2 (too few), Västra Götaland 17 of 23, Norrbotten 6 of 6 (hidden as
Uppsala's partner beside riket), riket 66 of 81; Stockholm 10 of 10 in the preliminary January 2025.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import views
from export import tables
from extract_builder import write_set
from indicators import open_data
from view_fixtures import brost_episodes, four_regions

ROOT = Path(__file__).resolve().parents[1]
SUPP = "otillräckligt underlag"
SECONDARY = "dold så att en liten grupp inte kan räknas fram"
NO_CASES = "inga fall"
YEAR = views.Selection(date(2024, 1, 1), date(2024, 12, 31))
WITHIN = "jamforelse:svf_within_target"
COUNT_COLUMNS = ("Andel (%)", "95 % KI, låg", "95 % KI, hög", "Täljare", "Nämnare", "Status")


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return open_data(four_regions(tmp_path_factory.mktemp("tables") / "set"))


@pytest.fixture(scope="module")
def comparison(ds):
    return views.view(ds, YEAR, WITHIN)


def _identity(ds):
    return views.context(ds).identity


def _csv(ds, view):
    return tables.to_csv_bytes(view, _identity(ds), ds.catalogue())


def _xlsx(ds, view):
    return tables.to_excel_bytes(view, _identity(ds), ds.catalogue())


def test_csv_has_metadata_swedish_columns_and_why_a_row_has_no_counts(ds, comparison):
    data = _csv(ds, comparison)
    text = data.decode("utf-8-sig")
    assert data.startswith("\ufeff".encode())
    head = [line for line in text.splitlines() if line.startswith("#")]
    assert head[0].startswith("# Indikatorpanelen – ") and int(head[0].split("–")[1].split()[0]) == len(head)
    joined = "\n".join(head)
    for needle in ("# Urval: 2024 · 21 regioner och riket · alla förlopp", "# Datauttag: 2025-03-15",
                   "Andel behandlade inom ledtid (svf_within_target)", f"# Dataset-id: {_identity(ds).dataset_id}",
                   "# Titel: Andel behandlade inom ledtid per region"):
        assert needle in joined, needle

    df = tables.read_csv_export(data).set_index("Region")
    assert len(df) == 22 and list(df.index[:3]) == ["Riket", "Stockholm", "Uppsala"]  # riket + 21 regions
    for col in COUNT_COLUMNS:
        assert df.loc["Uppsala", col] == SUPP, col
        assert df.loc["Norrbotten", col] == SECONDARY, col
    assert df.loc["Uppsala", "Målnivå hög"] == "80", "targets stay for a hidden group"
    assert df.loc["Norrbotten", "Målnivå hög"] == "80"
    assert tuple(df.loc["Stockholm", ["Täljare", "Nämnare", "Andel (%)"]]) == ("41", "50", "82,0")
    assert tuple(df.loc["Västra Götaland", ["Täljare", "Nämnare", "Andel (%)"]]) == ("17", "23", "73,9")
    assert df.loc["Västra Götaland", "Status"] == "Målnivå ej uppnådd"
    assert df.loc["Stockholm", "Status"] == "Hög målnivå uppnådd"
    assert tuple(df.loc["Riket", ["Täljare", "Nämnare", "Andel (%)"]]) == ("66", "81", "81,5")
    # a region without cases has a row that says so (a known zero, not a hidden count)
    assert tuple(df.loc["Gotland", ["Andel (%)", "Täljare", "Nämnare", "Status"]]) == (NO_CASES, "0", "0", NO_CASES)
    assert (df["Preliminärt"] == "").all()


def test_csv_reads_in_pandas_with_swedish_decimals(ds, comparison):
    text = _csv(ds, comparison).decode("utf-8-sig")
    skip = int(text.splitlines()[0].split("–")[1].split()[0])
    df = pd.read_csv(io.StringIO(text), sep=";", decimal=",", skiprows=skip)
    assert len(df) == 22
    vg = df.set_index("Region").loc["Västra Götaland"]
    assert float(str(vg["Andel (%)"]).replace(",", ".")) == pytest.approx(73.9)
    # interval columns hold only numbers, blanks and the words; Wilson 95 % for 17 of 23 is 53,5–87,5 %
    assert str(vg["95 % KI, låg"]).replace(",", ".") == "53.5" and str(vg["95 % KI, hög"]).replace(",", ".") == "87.5"


def test_excel_has_header_block_table_and_about_sheet(ds, comparison):
    data = _xlsx(ds, comparison)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Data", "Om urvalet"]
    ws = wb["Data"]
    block = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(1, 10)}
    assert block["Urval"] == "2024 · 21 regioner och riket · alla förlopp"
    assert block["Datauttag"] == "2025-03-15"
    assert block["Dataset-id"] == _identity(ds).dataset_id
    df = tables.read_excel_export(data).set_index("Region")
    assert len(df) == 22
    for col in COUNT_COLUMNS:
        assert df.loc["Uppsala", col] == SUPP, col
        assert df.loc["Norrbotten", col] == SECONDARY, col
    assert df.loc["Stockholm", "Täljare"] == 41 and df.loc["Stockholm", "Nämnare"] == 50
    assert df.loc["Stockholm", "Andel (%)"] == pytest.approx(82.0)
    assert df.loc["Riket", "Andel (%)"] == pytest.approx(100 * 66 / 81)
    about = {}
    for k, v in wb["Om urvalet"].iter_rows(values_only=True):
        about.setdefault(k, []).append(v)
    ind = ds.catalogue().get("svf_within_target")
    assert about["Om indikatorn"] == [ind.texts["om"]]
    assert about["Urval"] == ["2024 · 21 regioner och riket · alla förlopp"]
    assert "Wilson" in about["Konfidensintervall"][0]
    notes = "\n".join(about["Anmärkning"])
    assert "Riket: 81,5\u00a0% – 66 av 81." in notes
    assert "Uppsala" in notes and "Norrbotten" in notes


def test_no_cell_of_a_hidden_row_is_a_number_or_zero(ds, comparison):
    for data, reader in ((_csv(ds, comparison), tables.read_csv_export),
                         (_xlsx(ds, comparison), tables.read_excel_export)):
        df = reader(data).set_index("Region")
        for region in ("Uppsala", "Norrbotten"):
            for col, v in df.loc[region].items():
                if col.startswith("Målnivå") or v is None or (isinstance(v, float) and v != v) or v == "":
                    continue  # targets stay; an empty flag cell is not a number
                assert not (isinstance(v, (int, float)) and not isinstance(v, bool)), (region, col, v)
                assert str(v) not in ("0", "0,0", "0.0", "2", "6", "100", "100,0"), (region, col, v)


def test_screen_table_csv_and_excel_hold_the_same_cells(ds, comparison):
    """The page shows `frame(view)` under the chart (ui.layout.show); the files are the same table."""
    shown = tables.frame(comparison, ds.catalogue())
    csv = tables.read_csv_export(_csv(ds, comparison))
    xlsx = tables.read_excel_export(_xlsx(ds, comparison))
    assert list(shown.columns) == list(csv.columns) == list(xlsx.columns)
    assert len(shown) == len(csv) == len(xlsx)
    def blank(v) -> bool:
        return v is None or v is pd.NA or (isinstance(v, float) and v != v) or v == ""

    for col in shown.columns:
        for a, b, c in zip(shown[col], csv[col], xlsx[col]):
            if blank(a):
                assert b == "" and blank(c), (col, a, b, c)
            elif isinstance(a, str):
                assert a == b == c, (col, a, b, c)
            else:
                assert float(b.replace(",", ".")) == pytest.approx(float(a), abs=0.05), (col, a, b)
                assert float(c) == pytest.approx(float(a)), (col, a, c)


def test_a_preliminary_period_is_flagged_in_every_row_that_has_counts(ds):
    v = views.view(ds, views.Selection(date(2025, 1, 1), date(2025, 2, 28)), WITHIN)
    df = tables.read_csv_export(_csv(ds, v)).set_index("Region")
    assert tuple(df.loc["Stockholm", ["Täljare", "Nämnare"]]) == ("10", "10")
    assert df.loc["Stockholm", "Preliminärt"] == "ja" and df.loc["Riket", "Preliminärt"] == "ja"


def test_real_engine_result_round_trips(small_data_dir):
    ds = open_data(small_data_dir)
    sel = views.Selection(*views.default_period(ds.extract_date))
    v = views.view(ds, sel, WITHIN)
    engine = ds.compute("svf_within_target", by=["region"], start=sel.start, end=sel.end).set_index("region")
    units = v.table[v.table["role"] != "riket"].set_index("unit_code")
    shown = units[~units["suppressed"].astype(bool)]
    assert len(shown) >= 10 and len(units) == 21
    for code, row in shown.iterrows():  # every shown count is the engine's
        if not row["no_cases"]:
            assert (row["numerator"], row["denominator"]) == (engine.loc[code, "numerator"],
                                                              engine.loc[code, "denominator"]), code
    for data, reader in ((_csv(ds, v), tables.read_csv_export), (_xlsx(ds, v), tables.read_excel_export)):
        df = reader(data)
        assert len(df) == len(v.table)
        hidden = v.table["suppressed"].astype(bool).to_numpy()
        why = [SECONDARY if h == "secondary" else SUPP for h in v.table.loc[hidden, "hidden"]]
        assert list(df.loc[hidden, "Täljare"]) == why
        assert [str(x) for x in df.loc[~hidden, "Täljare"]] == [str(int(x)) for x in
                                                                v.table.loc[~hidden, "numerator"]]
        provisional = v.table["provisional"].astype(bool).to_numpy() & ~hidden
        assert all(str(x) == "ja" for x in df.loc[provisional, "Preliminärt"])


def test_median_view_has_no_numerator_column_and_its_own_labels(ds):
    v = views.view(ds, YEAR, "jamforelse:svf_lead_time_median")
    out = tables.frame(v, ds.catalogue()).set_index("Region")
    assert "Täljare" not in out.columns
    assert "Median (dagar)" in out.columns and "Antal förlopp" in out.columns
    engine = ds.compute("svf_lead_time_median", by=["region"], start=YEAR.start, end=YEAR.end).set_index("region")
    assert out.loc["Stockholm", "Median (dagar)"] == pytest.approx(float(engine.loc["01", "value"]))
    assert out.loc["Stockholm", "Antal förlopp"] == 50
    assert out.loc["Uppsala", "Median (dagar)"] == SUPP and out.loc["Uppsala", "Antal förlopp"] == SUPP


def test_each_kind_of_view_gets_its_own_columns(ds):
    cat = ds.catalogue()
    trend = tables.frame(views.view(ds, YEAR, "trend:svf_within_target"), cat)
    assert list(trend.columns[:2]) == ["Enhet", "Period"]
    riket = trend[trend["Enhet"] == "Riket"].set_index("Period")
    # a lead time counts in the quarter it ended: the 66 within in March (kv 1), the 15 over in April (kv 2)
    assert (riket.loc["2024 kv\u00a01", "Täljare"], riket.loc["2024 kv\u00a01", "Nämnare"]) == (66, 66)
    assert (riket.loc["2024 kv\u00a02", "Täljare"], riket.loc["2024 kv\u00a02", "Nämnare"]) == (0, 15)
    kpi = tables.frame(views.view(ds, YEAR, "nyckeltal:ledtider"), cat)
    assert list(kpi["Indikator"]) == ["Inom ledtid", "Median ledtid", "Mer än 75 % över gränsen"]
    # 81,5 % already reach 80 %: no more patients needed; 15 of 81 waited more than 75 % over 28 days
    assert kpi.loc[0, "Patienter kvar till målet"] == 0
    assert (kpi.loc[2, "Täljare"], kpi.loc[2, "Nämnare"]) == (15, 81)
    pathways = tables.frame(views.view(ds, YEAR, "forlopp:svf_within_target"), cat)
    assert pathways.columns[0] == "Förlopp"
    assert pathways.iloc[0]["Förlopp"] == "Riket, alla förlopp"
    brost = pathways[pathways["Förlopp"].str.startswith("Bröstcancer")].iloc[0]
    assert (brost["Täljare"], brost["Nämnare"]) == (66, 81)
    curve = tables.frame(views.view(ds, YEAR, "fordelning:svf_within_target"), cat)
    assert list(curve.columns) == ["Enhet", "Dagar", "Andel inom (%)", "95 % KI, låg", "95 % KI, hög",
                                   "Patienter i urvalet"]
    # 66 of 81 started on day 10, the other 15 on day 50
    assert [(r["Dagar"], round(r["Andel inom (%)"], 3)) for r in curve.to_dict("records")] == [
        (10, round(100 * 66 / 81, 3)), (50, 100.0)]


def test_hostile_names_are_inert_in_csv_and_excel(tmp_path):
    """A region name from an extract's own reference table (regions.csv overrides the bundled one)
    that a spreadsheet would run as a formula is written as text."""
    ref = pd.read_csv(ROOT / "data" / "reference" / "regions.csv", dtype=str, keep_default_na=False)
    evil = '=HYPERLINK("http://x.invalid","klicka")'
    ref.loc[ref["region_code"] == "01", "region_name"] = evil
    d = write_set(tmp_path / "evil", extract_date="2025-03-15",
                  svf_episodes=brost_episodes("01", 41, 9, "S") + brost_episodes("14", 17, 6, "V"))
    ref.to_csv(d / "regions.csv", index=False)
    ds = open_data(d)
    v = views.view(ds, YEAR, WITHIN)
    assert evil in set(v.table["label"])
    data = _csv(ds, v)
    assert tables.read_csv_export(data).iloc[1]["Region"] == "'" + evil
    fields = [f.strip('"') for line in data.decode("utf-8-sig").splitlines() if not line.startswith("#")
              for f in line.split(";")]
    assert not any(f.startswith(("=", "+", "-", "@")) for f in fields)
    ws = load_workbook(io.BytesIO(_xlsx(ds, v)))["Data"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.value.startswith("'") and c.data_type == "s" for c in cells)


def test_a_view_without_any_cases_says_so_and_hides_no_zeros(ds):
    """The extract has no drug treatments: RCL coverage has no cases anywhere. Riket is "inga fall"
    (a known zero, like every region), not "otillräckligt underlag", and no region is hidden as a
    partner of it (there is nothing to protect)."""
    assert ds.table_summary().set_index("table").loc["drug_treatments", "rows_valid"] == 0
    v = views.view(ds, YEAR, "jamforelse:rcl_coverage")
    df = tables.frame(v, ds.catalogue()).set_index("Region")
    assert df.loc["Riket", "Status"] == NO_CASES
    assert (df["Status"] == NO_CASES).all(), df["Status"].value_counts().to_dict()
    assert not (v.table["hidden"] == "secondary").any()

"""The numbers behind a chart or table as CSV and Excel, stamped with what they show.

Columns get Swedish names (Region, Täljare, Nämnare, Andel (%), 95 % KI nedre/övre, ...). A
suppressed group (data-contract.md §6) is written as 'otillräckligt underlag' in every count,
value and interval cell, never as a number or 0; its target columns stay.

CSV: UTF-8 with BOM, ';' as separator and decimal comma (what Swedish Excel opens directly),
preceded by '#' comment lines with the title, selection, extract date and source. The number of
comment lines is given by the first line ('# Indikatorpanelen – N rader metadata') so a reader can
skip them: `pd.read_csv(f, sep=';', decimal=',', skiprows=N)`.

Excel: sheet 'Data' with a header block above the table (the table's header row is at
`header_rows(...)`), and a sheet 'Om urvalet' with the selection, the data set and the
indicator's texts. Nothing here imports Streamlit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

SUPPRESSED_TEXT = "otillräckligt underlag"
SUPPRESSION_NOTE = ("Grupper med färre än 5 (eller indikatorns minsta antal) visas inte: inga antal och inga "
                    "värden, bara 'otillräckligt underlag'.")

DIMENSION_LABELS = {
    "region": "Region",
    "region_name": "Region",
    "healthcare_region": "Sjukvårdsregion",
    "svf_code": "SVF-förlopp",
    "treatment_type": "Behandlingstyp",
    "sex": "Kön",
    "register": "Register",
    "substance": "Substans",
    "year": "År",
    "quarter": "Kvartal",
    "month": "Månad",
}

TREATMENT_LABELS = {"surgery": "Kirurgi", "drug": "Läkemedel", "radiotherapy": "Strålbehandling",
                    "palliative": "Palliativ behandling", "other": "Annan behandling",
                    "expectancy": "Exspektans", "no_further_action": "Ingen ytterligare åtgärd"}
SEX_LABELS = {"K": "Kvinnor", "M": "Män"}
LEVEL_LABELS = {"high": "Hög målnivå uppnådd", "low": "Låg målnivå uppnådd", "none": "Målnivån ej uppnådd"}

# Engine columns whose cells a suppressed row must not show.
HIDDEN_WHEN_SUPPRESSED = ("numerator", "denominator", "value", "ci_low", "ci_high", "missing")
# Display-table columns (Swedish) that hold counts or values.
_SWEDISH_HIDDEN = {"Täljare", "Nämnare", "Andel (%)", "Värde", "Median (dagar)", "Dagar", "Antal", "Antal förlopp",
                   "Förväntat antal fall", "Per 100 000", "Per 100 000 invånare", "Invånare (årsviktat)",
                   "Uppgift saknas (antal)", "Patienter till målet"}
# Columns that are labels or periods, never blanked.
_KEEP_WHEN_SUPPRESSED = {"year", "quarter", "month", "region", "healthcare_region", "svf_code", "treatment_type",
                         "sex", "register", "substance", "provisional", "placeholder_target", "År", "Kvartal",
                         "Månad", "Period", "Preliminär", "Preliminärt"}


@dataclass
class ExportContext:
    """What a downloaded file says about itself."""

    title: str
    selection: str = ""
    extract_date: object = None
    source: str = ""
    dataset_id: str = ""
    indicator: object = None  # indicators.Indicator or None
    created: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    region_names: dict | None = None  # region code → name
    pathway_names: dict | None = None  # svf_code → name
    register_names: dict | None = None  # register_code → name

    def header_lines(self) -> list[tuple[str, str]]:
        ind = self.indicator
        rows = [("Titel", self.title)]
        if ind is not None:
            rows.append(("Indikator", f"{ind.name_sv} ({ind.id})"))
        rows += [("Urval", self.selection or "hela riket, hela perioden"),
                 ("Datauttag", _date_text(self.extract_date)),
                 ("Källa", self.source or "Indikatorpanelen")]
        if self.dataset_id:
            rows.append(("Dataset-id", self.dataset_id))
        rows.append(("Skapad", self.created.strftime("%Y-%m-%d %H:%M")))
        rows.append(("Undertryckning", SUPPRESSION_NOTE))
        return rows


def _date_text(d) -> str:
    if d is None or d == "":
        return "okänt"
    if isinstance(d, datetime):
        d = d.date()
    return d.isoformat() if isinstance(d, date) else str(d)


def value_label(indicator) -> str:
    """The Swedish column name of `value` for this indicator."""
    if indicator is None:
        return "Värde"
    kind, unit = getattr(indicator, "kind", ""), getattr(indicator, "unit", "")
    if kind == "median":
        return "Median (dagar)"
    if kind == "rate" or unit == "per 100 000":
        return "Per 100 000 invånare"
    if unit == "procent":
        return "Andel (%)"
    return f"Värde ({unit})" if unit else "Värde"


def _column_labels(indicator) -> dict[str, str]:
    kind = getattr(indicator, "kind", None)
    ci = "95 % KI" + (" (Wilson)" if kind == "proportion" else " (ordningsstatistik)" if kind == "median" else "")
    labels = {
        **DIMENSION_LABELS,
        "numerator": "Täljare",
        "denominator": ("Antal förlopp" if kind == "median" else
                        "Förväntat antal fall" if kind == "estimated_ratio" else
                        "Invånare (årsviktat)" if kind == "rate" else "Nämnare"),
        "value": value_label(indicator),
        "ci_low": f"{ci} nedre",
        "ci_high": f"{ci} övre",
        "target_low": "Målnivå låg",
        "target_high": "Målnivå hög",
        "target_level": "Status",
        "provisional": "Preliminär",
        "placeholder_target": "Platshållare för ledtidsgräns",
        "missing": "Uppgift saknas (antal)",
    }
    return labels


def _yes_no(v) -> object:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    return "Ja" if bool(v) else "Nej"


def export_frame(table: pd.DataFrame, ctx: ExportContext | None = None) -> pd.DataFrame:
    """`table` with Swedish columns and labels, suppressed rows blanked to 'otillräckligt underlag'.

    Accepts an engine result (columns of data-contract §7) or a display table that is already
    Swedish (passed through, with any `suppressed` column applied and dropped). Numbers stay
    numbers (object dtype where a column mixes numbers and the suppression text).
    """
    ctx = ctx or ExportContext(title="")
    df = table.copy()
    if isinstance(df.index, pd.MultiIndex) or df.index.name is not None:
        df = df.reset_index()
    df.columns = [str(c) for c in df.columns]
    indicator = ctx.indicator
    if "suppressed" in df.columns:
        suppressed = df["suppressed"].astype("boolean").fillna(False).astype(bool).to_numpy()
        df = df.drop(columns=["suppressed"])
    else:
        # A display table (already Swedish) marks a suppressed row with the text in some column.
        suppressed = np.array([any(isinstance(v, str) and v.strip().lower() == SUPPRESSED_TEXT for v in row)
                               for row in df.itertuples(index=False)], dtype=bool)
    # Drop engine columns that carry nothing for this indicator (e.g. numerator of a median).
    for col in ("numerator", "ci_low", "ci_high", "target_low", "target_high", "target_level",
                "placeholder_target", "missing"):
        if col in df.columns and df[col].isna().all():
            df = df.drop(columns=[col])
    if indicator is not None and getattr(indicator, "kind", "") == "median" and "numerator" in df.columns:
        df = df.drop(columns=["numerator"])

    names = {"region": ctx.region_names, "svf_code": ctx.pathway_names, "register": ctx.register_names}
    for col, mapping in names.items():
        if col in df.columns and mapping:
            df[col] = df[col].map(lambda v, m=mapping: m.get(v, v) if not pd.isna(v) else "Okänd")
    if "treatment_type" in df.columns:
        df["treatment_type"] = df["treatment_type"].map(lambda v: TREATMENT_LABELS.get(v, v))
    if "sex" in df.columns:
        df["sex"] = df["sex"].map(lambda v: SEX_LABELS.get(v, v))
    if "target_level" in df.columns:
        df["target_level"] = df["target_level"].map(
            lambda v: "" if pd.isna(v) else LEVEL_LABELS.get(v, v)).astype(object)
    for col in ("provisional", "placeholder_target"):
        if col in df.columns:
            df[col] = df[col].map(_yes_no).astype(object)

    if suppressed.any():
        engine_cols = [c for c in HIDDEN_WHEN_SUPPRESSED if c in df.columns]
        # Any other numeric column of a display table (counts, values, intervals), but never a
        # target column: targets stay (contract §6).
        display_cols = [c for c in df.columns if c not in engine_cols and c not in _KEEP_WHEN_SUPPRESSED
                        and not c.lower().startswith(("målnivå", "mål ", "target"))
                        and (pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
                             or c in _SWEDISH_HIDDEN or c.startswith("95 % KI"))]
        for col in dict.fromkeys(engine_cols + display_cols):
            df[col] = df[col].astype(object)
            df.loc[suppressed, col] = SUPPRESSED_TEXT
        if "target_level" in df.columns:
            df["target_level"] = df["target_level"].astype(object)
            df.loc[suppressed, "target_level"] = SUPPRESSED_TEXT
        elif not any(c in df.columns for c in ("Status", "Målnivå")):
            df["Status"] = ["" for _ in range(len(df))]
            df.loc[suppressed, "Status"] = SUPPRESSED_TEXT
    df = df.rename(columns=_column_labels(indicator))
    # Object columns with pandas' NA print as '<NA>'; keep them empty.
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].map(lambda v: "" if v is None or v is pd.NA else v)
    return df.reset_index(drop=True)


_COUNT_COLUMNS = {"Täljare", "Nämnare", "Antal", "Antal förlopp", "Uppgift saknas (antal)", "Målnivå låg",
                  "Målnivå hög", "Invånare (årsviktat)", "Förväntat antal fall"}


def _csv_number(v, decimals: int, whole_as_int: bool = False) -> object:
    """Numbers as Swedish text: integers as they are, floats with `decimals` and a decimal comma."""
    if v is None or v is pd.NA or isinstance(v, (bool, str)):
        return v
    if pd.api.types.is_integer(v):
        return str(int(v))
    if pd.api.types.is_float(v):
        if v != v:
            return ""
        if whole_as_int and float(v).is_integer():
            return str(int(v))
        return f"{float(v):.{decimals}f}".replace(".", ",")
    return v


def header_rows(ctx: ExportContext) -> int:
    """Rows above the table on the Excel 'Data' sheet (the table's header is on the next row)."""
    return len(ctx.header_lines()) + 1


def to_csv_bytes(table: pd.DataFrame, ctx: ExportContext) -> bytes:
    """CSV (see module docstring): comment lines, then the table with one decimal for values."""
    df = export_frame(table, ctx)
    meta = ctx.header_lines()
    lines = [f"# Indikatorpanelen – {len(meta) + 1} rader metadata"]
    lines += [f"# {k}: {str(v).replace(chr(10), ' ')}" for k, v in meta]
    out = df.copy()
    for col in out.columns:
        decimals = 0 if col == "Invånare (årsviktat)" else 1
        out[col] = [_csv_number(v, decimals, col in _COUNT_COLUMNS) for v in out[col]]
    body = out.to_csv(sep=";", index=False, lineterminator="\n")
    return ("\ufeff" + "\n".join(lines) + "\n" + body).encode("utf-8")


def read_csv_export(data: bytes) -> pd.DataFrame:
    """Read back a CSV written by `to_csv_bytes` (for tests and round trips)."""
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    skip = int(first.split("–")[1].split()[0])
    return pd.read_csv(io.StringIO(text), sep=";", decimal=",", skiprows=skip, dtype=str, keep_default_na=False)


def about_rows(ctx: ExportContext) -> list[tuple[str, str]]:
    """The 'Om urvalet' sheet (and the pack's definition texts): key/value rows."""
    rows = list(ctx.header_lines())
    ind = ctx.indicator
    if ind is not None:
        texts = getattr(ind, "texts", {}) or {}
        rows += [("Enhet", getattr(ind, "unit", "")),
                 ("Riktning", {"higher": "Högre är bättre", "lower": "Lägre är bättre"}.get(
                     getattr(ind, "direction", ""), "Ingen bedömning")),
                 ("Målnivåns källa", getattr(ind, "target_source", "") or "–"),
                 ("Periodens datum", getattr(ind, "period_date", "")),
                 ("Regionregel", getattr(ind, "region_rule", "")),
                 ("Konfidensintervall", interval_method(ind)),
                 ("Om indikatorn", texts.get("om", "")),
                 ("Att tänka på vid tolkning", texts.get("tolkning", "")),
                 ("Teknisk beskrivning", texts.get("teknisk", ""))]
    return rows


def interval_method(ind) -> str:
    kind = getattr(ind, "kind", "")
    if kind == "proportion":
        return "Wilsonintervall, 95 % (z = 1,96)."
    if kind == "median":
        return "Fördelningsfritt 95 %-intervall från ordningsstatistika (tomt under 6 förlopp)."
    if kind == "estimated_ratio":
        return "inget (nämnaren är en uppskattning; andelen kan överstiga 100 %)."
    if kind == "rate":
        return "inget."
    return "–"


def to_excel_bytes(table: pd.DataFrame, ctx: ExportContext) -> bytes:
    """Excel workbook: 'Data' (header block + table) and 'Om urvalet'."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    df = export_frame(table, ctx)
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    meta = ctx.header_lines()
    for i, (k, v) in enumerate(meta, start=1):
        ws.cell(row=i, column=1, value=k).font = Font(bold=True)
        ws.cell(row=i, column=2, value=str(v))
    ws.cell(row=1, column=2).font = Font(bold=True, size=13)
    start = header_rows(ctx) + 1
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for j, col in enumerate(df.columns, start=1):
        c = ws.cell(row=start, column=j, value=str(col))
        c.font = Font(bold=True)
        c.fill = header_fill
        c.alignment = Alignment(wrap_text=True, vertical="top")
    count_cols = {"Täljare", "Nämnare", "Antal förlopp", "Uppgift saknas (antal)", "Målnivå låg", "Målnivå hög"}
    for i, row in enumerate(df.itertuples(index=False), start=start + 1):
        for j, v in enumerate(row, start=1):
            if v is pd.NA or (isinstance(v, float) and v != v):
                v = None
            elif hasattr(v, "item") and not isinstance(v, str):
                v = v.item()
            cell = ws.cell(row=i, column=j, value=v)
            if isinstance(v, float):
                cell.number_format = "0" if df.columns[j - 1] in count_cols else "0.0"
    for j, col in enumerate(df.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in df.iloc[:, j - 1].head(200)]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 10), 40)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 16)
    ws.freeze_panes = ws.cell(row=start + 1, column=1)

    about = wb.create_sheet("Om urvalet")
    for i, (k, v) in enumerate(about_rows(ctx), start=1):
        about.cell(row=i, column=1, value=k).font = Font(bold=True)
        c = about.cell(row=i, column=2, value=str(v))
        c.alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 110
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_excel_export(data: bytes, ctx: ExportContext | None = None) -> pd.DataFrame:
    """Read back the 'Data' table of a workbook written by `to_excel_bytes`."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), read_only=True)["Data"]
    rows = list(ws.iter_rows(values_only=True))
    # The table header is the first row after the first empty row.
    blank = next(i for i, r in enumerate(rows) if all(v is None for v in r))
    header = [v for v in rows[blank + 1] if v is not None]
    body = [list(r[: len(header)]) for r in rows[blank + 2:]]
    return pd.DataFrame(body, columns=header)

"""The numbers behind a view as a Swedish table, and that table as CSV and Excel.

`frame(view)` is the table a person reads: on screen under every chart ("Visa tabell"), in the
CSV and in the Excel file. Swedish column names (Region, Andel (%), 95 % KI, Täljare, Nämnare,
Status …); a row without counts says why in every count and value cell ("otillräckligt
underlag", "dold så att en liten grupp inte kan räknas fram") and a unit without cases says
"inga fall"; target columns stay. Numbers stay numbers.

CSV: UTF-8 with BOM, ';' and decimal comma (what Swedish Excel opens directly), after '#'
comment lines with title, selection, extract date, source and data-set id; the first line says how
many ('# Indikatorpanelen – N rader metadata'). Excel: sheet 'Data' (a header block, then the
table) and 'Om urvalet' (selection, data set, the indicator's texts).

Everything is inert in a spreadsheet: text that a spreadsheet would run as a formula is written
with a leading apostrophe (textfmt.safe.spreadsheet_cell), and metadata are single lines.
"""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd

import textfmt as fmt
from textfmt.safe import one_line, spreadsheet_cell
from views.model import HIDDEN_SECONDARY, View, flags

SUPPRESSION_NOTE = ("Grupper med färre än 5 (eller indikatorns minsta antal) visas inte: inga antal och inga "
                    "värden, bara 'otillräckligt underlag'. Grupper som skulle låta en sådan grupp räknas fram "
                    "ur totalerna är också dolda.")
SECONDARY_TEXT = fmt.SUPPRESSED_SECONDARY


def _value_title(unit: str, kind: str | None = None) -> str:
    if kind == "median" or unit == "dagar":
        return "Median (dagar)"
    if unit == "per 100 000":
        return "Per 100 000 invånare"
    if unit == "procent":
        return "Andel (%)"
    if unit == "antal":
        return "Antal"
    return "Värde"


def _den_title(kind: str) -> str:
    return {"median": "Antal förlopp", "estimated_ratio": "Förväntat antal fall",
            "rate": "Invånare (årsviktat)"}.get(kind, "Nämnare")


def _why(row) -> str | None:
    """The text for a row without counts, or None when it has them (a published figure without a
    value says why itself: 'uppgift saknas', 'ej publicerat (status MSK)')."""
    own_reason = row.get("missing_text")
    if isinstance(own_reason, str) and own_reason and fmt.is_missing(row.get("value")):
        return own_reason
    if bool(row.get("no_cases", False)) and not bool(row.get("suppressed", False)):
        return fmt.NO_CASES
    if bool(row.get("suppressed", False)):
        return SECONDARY_TEXT if row.get("hidden") == HIDDEN_SECONDARY else fmt.SUPPRESSED
    return None


def _status(row) -> str:
    why = _why(row)
    if why is not None:
        return why
    return fmt.target_level_text(row.get("target_level"))


def _num(v):
    """A count as an int (a whole float too), anything else as a float; None when missing."""
    if v is None or fmt.is_missing(v):
        return None
    return float(v) if not float(v).is_integer() else int(v)


def _val(v):
    """A value or interval bound: always a float, so it is written with its decimal ('82,0')."""
    if v is None or fmt.is_missing(v):
        return None
    return float(v)


def _count_rows(view: View, cat) -> list[dict]:
    rows = []
    o = view.options
    for r in view.table.to_dict("records"):
        ind = cat.get(r.get("indicator") or view.indicator) if (r.get("indicator") or view.indicator) else None
        kind = ind.kind if ind is not None else "proportion"
        unit = o.get("unit") or (ind.unit if ind is not None else "procent")
        if r.get("indicator") and ind is not None:
            unit = ind.unit
        out = {}
        if view.kind == "trend":
            out["Enhet"] = r["label"]
            out["Period"] = r["x"]
        else:
            out[o.get("label_title", "Enhet")] = r["label"]
        if view.kind == "heat":
            out["Register"] = r["register_label"]
        if "indicator_label" in r and view.kind in ("kpi", "scorecard", "table"):
            out["Indikator"] = r["indicator_label"]
        why = _why(r)
        hidden = bool(r.get("suppressed", False))
        if o.get("published_only") and hidden:
            hidden = False  # a published figure without a value: its reason once, no count columns
        if o.get("value_col"):
            out["Patienter kvar till målet"] = why or _num(r.get(o["value_col"]))
        value_title = _value_title(unit, kind)
        out[value_title] = why if why else (_num(r.get("value")) if unit == "antal" else _val(r.get("value")))
        if ind is not None and ind.has_interval:
            out["95 % KI, låg"] = why if hidden else _val(r.get("ci_low"))
            out["95 % KI, hög"] = why if hidden else _val(r.get("ci_high"))
        if kind != "median":
            out["Täljare"] = why if hidden else _num(r.get("numerator"))
        out[_den_title(kind)] = why if hidden else _num(r.get("denominator"))
        if ind is not None and ind.is_quality_indicator:
            out["Uppgift saknas (antal)"] = why if hidden else _num(r.get("missing"))
        if "patients_to_target" in r and view.kind == "kpi":
            out["Patienter kvar till målet"] = why if hidden else _num(r.get("patients_to_target"))
        if o.get("reference_col") and o["reference_col"] in r:
            out[o.get("reference_name", "Referens")] = _num(r.get(o["reference_col"]))
        period = o.get("published_period") or ((o.get("published") or {}).get(r.get("indicator")) or {}).get("period")
        if period and "published_value" in r and not o.get("published_only"):
            out.update(published_cells(r, period, why if bool(r.get("suppressed", False)) else None))
        out["Målnivå låg"] = _num(r.get("target_low"))
        out["Målnivå hög"] = _num(r.get("target_high"))
        out["Status"] = _status(r)
        if isinstance(r.get("verdict"), str):
            out["Jämfört med riket (95 % KI)"] = r["verdict"]
        if r.get("ci_status") == "uncertain":
            out["Osäker status (95 % KI)"] = "ja"
        out["Preliminärt"] = "ja" if bool(flags([r.get("provisional")]).iloc[0]) else ""
        if bool(flags([r.get("placeholder_target")]).iloc[0]):
            out["Platshållare för ledtidsgräns"] = "ja"
        rows.append(out)
    return rows


PUBLISHED_COLUMN = "Publicerat"
PUBLISHED_SOURCE_COLUMN = "Publicerat, källa"
DIFFERENCE_COLUMN = "Skillnad (procentenheter)"


def published_cells(r, period: str, why: str | None) -> dict:
    """The published value beside a computed row: the value as published (or why there is none),
    its source, and the difference computed − published (never for a hidden row: `why`)."""
    value = r.get("published_value")
    if fmt.is_missing(value):
        status = r.get("published_status")
        shown = f"ej publicerat (status {status})" if not fmt.is_missing(status) else "uppgift saknas"
    else:
        shown = _num(value)
    source = r.get("published_source")
    return {PUBLISHED_COLUMN: shown,
            PUBLISHED_SOURCE_COLUMN: (f"{source}, {period}" if not fmt.is_missing(source) else f"{period}"),
            DIFFERENCE_COLUMN: why if why else _num(r.get("difference_pp"))}


def _reconciliation_rows(view: View) -> list[dict]:
    """One row per region (or riket) and year beyond tolerance: computed, published, difference."""
    rows = []
    for r in view.table.to_dict("records"):
        why = _why(r)
        rows.append({"Region": r["label"], "År": int(r["year"]),
                     "Beräknat (%)": why or _num(r.get("value")),
                     "Antal i nämnaren": why or _num(r.get("denominator")),
                     PUBLISHED_COLUMN + " (%)": _num(r.get("published_value")),
                     "Källa": f"{r.get('published_source')} {r.get('source_id')}".strip()
                     if not fmt.is_missing(r.get("published_source")) else "",
                     DIFFERENCE_COLUMN: why or _num(r.get("difference_pp")),
                     "Tolerans (procentenheter)": why or _num(r.get("tolerance_pp")),
                     "Preliminärt": "ja" if bool(flags([r.get("provisional")]).iloc[0]) else "",
                     "Anmärkning": r.get("note") or ""})
    return rows


def _detail_rows(view: View) -> list[dict]:
    """Distribution and overtime views: one row per series and day (or group), shares only."""
    rows = []
    n_of = {str(label): den for label, den in zip(view.table["label"], view.table["denominator"])}
    for label, detail in view.options.get("details", {}).items():
        for r in detail.to_dict("records"):
            if view.kind == "distribution":
                rows.append({"Enhet": label, "Dagar": int(r["days"]), "Andel inom (%)": _val(r["share_within"]),
                             "95 % KI, låg": _val(r["ci_low"]), "95 % KI, hög": _val(r["ci_high"]),
                             "Patienter i urvalet": _num(n_of.get(label))})
            else:
                rows.append({"Enhet": label, "Grupp": r["label"], "Andel (%)": _val(r["share"]),
                             "Patienter i urvalet": _num(n_of.get(label))})
    for r in view.table.to_dict("records"):
        if str(r["label"]) not in view.options.get("details", {}):
            rows.append({"Enhet": r["label"], "Status": _why(r) or fmt.SUPPRESSED})
    return rows


def _summary_rows(view: View) -> list[dict]:
    rows = []
    for register, g in view.table.groupby("unit_code", sort=False):
        levels = list(g["level"])
        rows.append({"Register": g["label"].iloc[0], "Indikatorer": len(g), "Hög": levels.count("high"),
                     "Låg": levels.count("low"), "Under": levels.count("none"), "Utan mål": levels.count("no_target"),
                     "För få fall": levels.count("suppressed") + levels.count("no_cases")})
    return rows


def frame(view: View, catalogue) -> pd.DataFrame:
    """The table behind `view` with Swedish columns (see the module docstring)."""
    if view.table is None or view.table.empty:
        return pd.DataFrame()
    if view.kind == "reference":
        return view.table.reset_index(drop=True)
    if view.kind in ("plan_goal", "plan_summary"):  # the cancer plan (export/plan_tables.py)
        from . import plan_tables

        return plan_tables.frame(view, catalogue)
    if view.kind in ("distribution", "overtime"):
        rows = _detail_rows(view)
    elif view.kind == "register_summary":
        rows = _summary_rows(view)
    elif view.kind == "reconciliation":
        rows = _reconciliation_rows(view)
    else:
        rows = _count_rows(view, catalogue)
    df = pd.DataFrame(rows)
    for col in df.columns:  # a column that is empty everywhere says nothing
        if df[col].isna().all():
            df = df.drop(columns=[col])
    return df.reset_index(drop=True)


# -- files -----------------------------------------------------------------------------------------

def header_lines(view: View, identity, catalogue=None, created: datetime | None = None) -> list[tuple[str, str]]:
    """What a file says about itself, each value on one line."""
    created = created or datetime.now().replace(microsecond=0)
    rows = [("Titel", view.title)]
    if view.indicator and catalogue is not None and view.indicator in catalogue:
        ind = catalogue.get(view.indicator)
        rows.append(("Indikator", f"{ind.name_sv} ({ind.id})"))
    rows += [("Urval", view.selection or "hela riket, hela perioden"),
             ("Datauttag", fmt.iso_date(identity.extract_date) if identity.extract_date is not None
              else "inget uttag inläst"),
             # published figures name their source ('Källa: Kolada, KPI N70643'), not the extract's
             ("Källa", str(view.options.get("source") or identity.source or "Indikatorpanelen").removeprefix("Källa: "))]
    if identity.dataset_id:
        rows.append(("Dataset-id", identity.dataset_id))
    rows += [("Skapad", created.strftime("%Y-%m-%d %H:%M")), ("Undertryckning", SUPPRESSION_NOTE)]
    return [(k, one_line(v, 2000)) for k, v in rows]


def _csv_cell(v, column: str):
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool):
        return "ja" if v else "nej"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.1f}".replace(".", ",")
    return spreadsheet_cell(one_line(v))


def to_csv_bytes(view: View, identity, catalogue=None) -> bytes:
    """The view's table as CSV (see the module docstring)."""
    df = frame(view, catalogue)
    meta = header_lines(view, identity, catalogue)
    lines = [f"# Indikatorpanelen – {len(meta) + 1} rader metadata"]
    lines += [f"# {k}: {v}" for k, v in meta]
    out = pd.DataFrame({spreadsheet_cell(one_line(c)): [_csv_cell(v, c) for v in df[c]] for c in df.columns})
    body = out.to_csv(sep=";", index=False, lineterminator="\n")
    return ("\ufeff" + "\n".join(lines) + "\n" + body).encode("utf-8")


def read_csv_export(data: bytes) -> pd.DataFrame:
    """Read back a CSV written by `to_csv_bytes` (tests and round trips)."""
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    skip = int(first.split("–")[1].split()[0])
    return pd.read_csv(io.StringIO(text), sep=";", decimal=",", skiprows=skip, dtype=str, keep_default_na=False)


def about_rows(view: View, identity, catalogue=None) -> list[tuple[str, str]]:
    """The 'Om urvalet' sheet: the header lines, the notes and the indicator's texts."""
    rows = list(header_lines(view, identity, catalogue))
    rows += [("Anmärkning", n) for n in view.notes]
    if view.indicator and catalogue is not None and view.indicator in catalogue:
        ind = catalogue.get(view.indicator)
        texts = ind.texts or {}
        rows += [("Enhet", ind.unit),
                 ("Riktning", {"higher": "Högre är bättre", "lower": "Lägre är bättre"}.get(ind.direction,
                                                                                             "Ingen bedömning")),
                 ("Målnivåns källa", ind.target_source or "–"), ("Periodens datum", ind.period_date),
                 ("Regionregel", ind.region_rule), ("Konfidensintervall", ind.interval_text),
                 ("Om indikatorn", texts.get("om", "")), ("Att tänka på vid tolkning", texts.get("tolkning", "")),
                 ("Teknisk beskrivning", texts.get("teknisk", ""))]
    return [(k, one_line(v, 5000)) for k, v in rows]


def header_rows(view: View, identity, catalogue=None) -> int:
    """Rows above the table on the Excel 'Data' sheet."""
    return len(header_lines(view, identity, catalogue)) + 1


def to_excel_bytes(view: View, identity, catalogue=None) -> bytes:
    """The view's table as an Excel workbook: 'Data' and 'Om urvalet'."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    df = frame(view, catalogue)
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    meta = header_lines(view, identity, catalogue)
    for i, (k, v) in enumerate(meta, start=1):
        _text_cell(ws, i, 1, k).font = Font(bold=True)
        _text_cell(ws, i, 2, v)
    ws.cell(row=1, column=2).font = Font(bold=True, size=13)
    start = len(meta) + 2
    fill = PatternFill("solid", fgColor="DDE6F0")
    for j, col in enumerate(df.columns, start=1):
        c = _text_cell(ws, start, j, col)
        c.font = Font(bold=True)
        c.fill = fill
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(df.itertuples(index=False), start=start + 1):
        for j, v in enumerate(row, start=1):
            if v is None or (isinstance(v, float) and v != v):
                continue
            if isinstance(v, str):
                _text_cell(ws, i, j, one_line(v))
            else:
                cell = ws.cell(row=i, column=j, value=v.item() if hasattr(v, "item") else v)
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
    for j, col in enumerate(df.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in df.iloc[:, j - 1].head(200)]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 10), 40)
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    about = wb.create_sheet("Om urvalet")
    for i, (k, v) in enumerate(about_rows(view, identity, catalogue), start=1):
        _text_cell(about, i, 1, k).font = Font(bold=True)
        _text_cell(about, i, 2, v).alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 110
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text_cell(ws, row: int, column: int, text):
    """A cell holding `text` as text, never as a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = spreadsheet_cell(str(text))
    cell.data_type = "s"
    return cell


def read_excel_export(data: bytes) -> pd.DataFrame:
    """Read back the 'Data' table of a workbook written by `to_excel_bytes`."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), read_only=True)["Data"]
    rows = list(ws.iter_rows(values_only=True))
    blank = next(i for i, r in enumerate(rows) if all(v is None for v in r))
    header = [v for v in rows[blank + 1] if v is not None]
    body = [list(r[: len(header)]) for r in rows[blank + 2:]]
    return pd.DataFrame(body, columns=header)


def alt_text(view: View, catalogue=None) -> str:
    """The alternative text of a chart picture: title, selection, then every row it shows with
    its value and counts (or why it has none), one line each."""
    lines = [one_line(view.title), one_line(view.selection)]
    if view.error:
        return "\n".join(lines + [f"Diagrammet kunde inte skapas: {one_line(view.error)}"])
    df = frame(view, catalogue)
    for r in df.to_dict("records"):
        parts = [f"{k}: {_alt_value(v)}" for k, v in r.items() if v is not None and v == v and v != ""]
        lines.append("; ".join(parts))
    return "\n".join(lines)


def _alt_value(v) -> str:
    if isinstance(v, float):
        return fmt.number(v, 1)
    if isinstance(v, int):
        return fmt.count(v)
    return one_line(v)

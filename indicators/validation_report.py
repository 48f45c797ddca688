"""The validation report as text and JSON, shared by the command line and the app."""

from __future__ import annotations

import json

from .files import safe_text


def _bundled_name() -> str:
    from .published import BUNDLED_PUBLISHED_FILE

    return f"data/published/{BUNDLED_PUBLISHED_FILE.name}"


def render_text(ds) -> str:
    """The report as lines for a terminal: paths, messages and reasons without control characters."""
    lines = [f"Extrakt: {safe_text(ds.directory)}", f"Uttagsdatum: {ds.extract_date.isoformat()}", ""]
    lines.append(f"{'tabell':<22} {'källa':<10} {'rader':>12} {'giltiga':>12}  status")
    for t in ds.tables.values():
        source = "saknas" if not t.source else ("medföljer" if t.bundled else "extrakt")
        status = f"FEL: {safe_text(t.error)}" if t.error else "ok"
        counts = f"{t.rows_read:>12,} {t.rows_valid:>12,}".replace(",", " ")
        lines.append(f"{t.table:<22} {source:<10} {counts}  {status}")
    if "published_figures" not in ds.tables:
        lines.append(f"{'published_figures':<22} {'medföljer':<10} {'':>12} {'':>12}  "
                     f"ingen egen tabell: medföljande publicerad statistik ({_bundled_name()}, Källa: Kolada)")
    lines.append("")
    if ds.report_rows:
        lines.append("Rader som inte används, per tabell och skäl:")
        for table, reason, rows in ds.report_rows:
            lines.append(f"  {table:<20} {rows:>10,}  ".replace(",", " ") + safe_text(reason))
    else:
        lines.append("Inga rader har lämnats utanför.")
    imported = _import_report(ds)
    if imported:
        lines.append("")
        lines.append("Importrapport (import_report.csv): källrader som inte blev utdata, per fil och skäl:")
        for source, reason, rows in imported:
            lines.append(f"  {source:<28} {rows:>10,}  {reason}".replace(",", " "))
    failed = ds.failed_tables
    lines.append("")
    lines.append(f"{len(failed)} tabell(er) saknas eller kunde inte läsas." if failed
                 else "Alla tabeller lästes.")
    return "\n".join(lines)


def render_json(ds) -> str:
    return json.dumps(
        {
            "directory": str(ds.directory),
            "extract_date": ds.extract_date.isoformat(),
            "tables": [
                {"table": t.table, "source": t.source, "bundled": t.bundled, "rows_read": t.rows_read,
                 "rows_valid": t.rows_valid, "error": t.error}
                for t in ds.tables.values()
            ],
            "left_out": [{"table": t, "reason": r, "rows": n} for t, r, n in ds.report_rows],
            "published_figures": {"bundled": "published_figures" not in ds.tables,
                                  "source": (ds.tables["published_figures"].source
                                             if "published_figures" in ds.tables else _bundled_name())},
            "import_report": [{"source": s, "reason": r, "rows": n} for s, r, n in _import_report(ds)],
            "ok": not ds.failed_tables,
        },
        ensure_ascii=False,
        indent=1,
    )


def _import_report(ds) -> list[tuple[str, str, int]]:
    """The set's import report (empty without one); an unreadable one is named, not raised."""
    from .errors import DataError

    try:
        return [(str(s), str(r), int(n)) for s, r, n in ds.import_report().itertuples(index=False, name=None)]
    except DataError as exc:
        return [("import_report.csv", str(exc), 0)]

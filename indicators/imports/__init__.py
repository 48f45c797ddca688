"""`python -m indicators import FORM ...`: source forms that regions and registers hold, turned into
contract tables (data-contract.md §9).

Each form is a module here with `add_arguments(parser)` and `run(args) -> ImportResult`; the
command line (indicators.cli) only parses arguments and calls `run_import`, which writes the
result with `common.write_result` (tables, import_report.csv) and prints the report.

Forms: svf-events (§9.1), mapped (§9.2), kolada and vardenisiffror (§9.3).
"""

from __future__ import annotations

import importlib

# form name on the command line → module in this package
FORMS: dict[str, str] = {
    "svf-events": "svf_events",
    "mapped": "mapped",
    "kolada": "kolada",
    "vardenisiffror": "vardenisiffror",
}


def form_module(form: str):
    """The module implementing `form` (a name from FORMS only)."""
    return importlib.import_module(f"{__name__}.{FORMS[form]}")

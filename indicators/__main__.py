"""`python -m indicators`: the program's entry point, the one place that composes the layers: the
engine's commands (indicators.cli) and the report commands that sit above the views and exports
(reports.cli). The engine package itself never imports upwards."""

import sys

from reports.cli import COMMANDS

from .cli import main

sys.exit(main(extra=COMMANDS))

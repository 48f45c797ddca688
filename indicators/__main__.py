"""Command line: python -m indicators {list,compute,validate,generate,...} (data-contract.md §7)."""

import sys

from .cli import main

sys.exit(main())

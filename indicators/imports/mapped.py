"""Import form 'mapped' (data-contract.md §9): not written yet."""

from __future__ import annotations

from ..errors import QueryError


def add_arguments(parser) -> None:
    parser.add_argument("sources", nargs="+")
    parser.add_argument("--out", required=True)


def run(args):
    raise QueryError("import mapped: inte implementerat ännu")

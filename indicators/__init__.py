"""Indikatorpanelen's indicator engine: `open_data(DIR)` loads an extract set (data-contract.md)
and `Dataset.compute(...)` computes any indicator of the catalogue. Every number the app, the
command line and the exports show comes from here."""

from .catalogue import Catalogue, Indicator
from .dataset import Dataset, open_data
from .errors import DataError, QueryError

__all__ = ["open_data", "Dataset", "DataError", "QueryError", "Catalogue", "Indicator"]

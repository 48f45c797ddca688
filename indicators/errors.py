"""Errors the engine raises; both are ValueErrors so callers can catch either."""


class DataError(ValueError):
    """Data that cannot be used: a missing table, a failed load. The message names the table."""


class QueryError(ValueError):
    """A request the engine refuses: unknown indicator, dimension or value, bad period or limit."""

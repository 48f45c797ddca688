"""Mapping files (data-contract.md §9.2): how one source becomes one or more contract tables.

A mapping file is YAML written by an analyst and kept beside the data (the README's section
"Mappningsfiler" is the user's documentation; data/mappings/ has working examples):

```yaml
source:                      # how to read the file (all optional)
  format: csv                # csv | excel | parquet (default: from the file's extension)
  delimiter: ";"             # ',' ';' or tab (default: detected from the header line)
  encoding: windows-1252     # utf-8 | windows-1252 (default: detected)
  decimal: ","               # decimal separator for number() (default '.')
  sheet: Blad1               # Excel: the sheet (default: the first)
  date_format: "%Y-%m-%d"    # format of date() without one (default: YYYY-MM-DD)
codes:                       # named code lists for code(column, list)
  ja_nej: {"1": true, "0": false, "98": null}
tables:
  register_cases:            # a contract table: one output row per source row
    registration_id: a_regid           # an expression (expressions.py); a bare name is a column
    register_code: {constant: nkbc}    # or a constant; YAML true/false/numbers/null are constants
    ...
  indicator_outcomes:        # or a list of row sets, each with an optional `when:` (eligibility)
    - when: a_mdk_Varde is not null or true
      registration_id: a_regid
      indicator_code: {constant: nkbc04}
      met: code(a_mdk_Varde, ja_nej)
```

Validation happens in two stages, both before any output is written: the file alone (YAML, known
keys, known tables, every contract column of each mapped table given exactly once, expressions that
parse, functions and code lists that exist) raises MappingError (exit 2); the file against the
source (every column it reads is in the source's header, types fit the contract columns) raises
DataError naming the mapping column and the source column (exit 1: the source does not have what
the mapping needs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ..errors import DataError
from ..schema import ALL_TABLES
from .expressions import CodeList, Compiler, MappingError, Node, code_lists_of, columns_of, parse

SOURCE_KEYS = {"format", "delimiter", "encoding", "decimal", "sheet", "date_format"}
TOP_KEYS = {"source", "codes", "tables", "description", "version"}


@dataclass
class RowSet:
    table: str
    label: str  # for the report: the table, and the constant indicator code or the row set's number
    columns: dict[str, Node | object]  # contract column → parsed expression, or a constant
    when: Node | None = None


@dataclass
class Mapping:
    path: Path
    source: dict = field(default_factory=dict)
    code_lists: dict[str, CodeList] = field(default_factory=dict)
    row_sets: list[RowSet] = field(default_factory=list)

    @property
    def tables(self) -> list[str]:
        return list(dict.fromkeys(r.table for r in self.row_sets))

    def source_columns(self) -> dict[str, list[str]]:
        """Every source column the mapping reads → where ('table.column') it is read first."""
        used: dict[str, list[str]] = {}
        for rs in self.row_sets:
            items = ([("when", rs.when)] if rs.when is not None else []) + list(rs.columns.items())
            for col, expr in items:
                if isinstance(expr, Node):
                    for name in columns_of(expr):
                        used.setdefault(name, []).append(f"{rs.label}.{col}")
        return used


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file on its own (see module docstring); MappingError on any fault."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise MappingError(f"mappningen {name}: filen finns inte ({str(path)[:200]})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise MappingError(f"mappningen {name}: filen ska vara UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (rad {mark.line + 1})" if mark is not None else ""
        raise MappingError(f"mappningen {name}: ogiltig YAML{where}") from None
    if not isinstance(data, dict):
        raise MappingError(f"mappningen {name}: väntade nycklarna source, codes och tables")
    unknown = set(map(str, data)) - TOP_KEYS
    if unknown:
        raise MappingError(f"mappningen {name}: okänd nyckel {sorted(unknown)[0][:40]!r} (tillåtna: {', '.join(sorted(TOP_KEYS))})")
    mapping = Mapping(path)
    mapping.source = _source_options(data.get("source") or {}, name)
    mapping.code_lists = _code_lists(data.get("codes") or {}, name)
    tables = data.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise MappingError(f"mappningen {name}: tables: saknas eller är tom (väntade minst en kontraktstabell)")
    for table, spec in tables.items():
        table = str(table)
        if table not in ALL_TABLES:
            raise MappingError(f"mappningen {name}: okänd tabell {table[:40]!r} (kontraktets tabeller: "
                               f"{', '.join(ALL_TABLES)})")
        sets = spec if isinstance(spec, list) else [spec]
        if not sets:
            raise MappingError(f"mappningen {name}: {table}: inga rader angivna")
        for i, rs in enumerate(sets):
            mapping.row_sets.append(_row_set(table, rs, i, len(sets), name))
    for rs in mapping.row_sets:
        exprs = [rs.when] if rs.when is not None else []
        exprs += [e for e in rs.columns.values() if isinstance(e, Node)]
        for expr in exprs:
            for list_name in code_lists_of(expr):
                if list_name not in mapping.code_lists:
                    raise MappingError(f"mappningen {name}: {rs.label}: kodlistan {list_name[:40]!r} finns inte "
                                       "under codes:")
    return mapping


def _source_options(spec, name: str) -> dict:
    if not isinstance(spec, dict):
        raise MappingError(f"mappningen {name}: source: ska vara nycklar som format och delimiter")
    unknown = set(map(str, spec)) - SOURCE_KEYS
    if unknown:
        raise MappingError(f"mappningen {name}: source: okänd nyckel {sorted(unknown)[0][:40]!r} "
                           f"(tillåtna: {', '.join(sorted(SOURCE_KEYS))})")
    out = {}
    for key, value in spec.items():
        if not isinstance(value, str):
            raise MappingError(f"mappningen {name}: source.{key} ska skrivas som text inom citattecken")
        out[key] = value
    if out.get("decimal", ".") not in (".", ","):
        raise MappingError(f"mappningen {name}: source.decimal ska vara '.' eller ','")
    return out


def _code_lists(spec, name: str) -> dict[str, CodeList]:
    if not isinstance(spec, dict):
        raise MappingError(f"mappningen {name}: codes: ska vara namngivna kodlistor")
    lists = {}
    for list_name, entries in spec.items():
        list_name = str(list_name)
        if not isinstance(entries, dict) or not entries:
            raise MappingError(f"mappningen {name}: kodlistan {list_name[:40]!r} ska vara par 'källvärde': värde")
        mapping, kinds = {}, set()
        for key, value in entries.items():
            if not isinstance(key, str):
                raise MappingError(f"mappningen {name}: kodlistan {list_name[:40]!r}: nyckeln {key!r} ska stå inom "
                                   "citattecken (YAML läser annars 01 som 1 och ja som sant)")
            if value is not None and not isinstance(value, (str, bool, int, float)):
                raise MappingError(f"mappningen {name}: kodlistan {list_name[:40]!r}: värdet för {key[:20]!r} ska vara "
                                   "text, ett tal, true, false eller null")
            if value is not None:
                kinds.add("bool" if isinstance(value, bool) else "text" if isinstance(value, str)
                          else "int" if isinstance(value, int) else "number")
            mapping[key.strip()] = value
        if kinds == {"int", "number"}:
            kinds = {"number"}
        if len(kinds) > 1:
            raise MappingError(f"mappningen {name}: kodlistan {list_name[:40]!r} blandar värden av olika typ "
                               f"({', '.join(sorted(kinds))})")
        lists[list_name] = CodeList(list_name, mapping, kinds.pop() if kinds else "null")
    return lists


def _row_set(table: str, spec, index: int, count: int, name: str) -> RowSet:
    where_table = table if count == 1 else f"{table}[{index + 1}]"
    if not isinstance(spec, dict):
        raise MappingError(f"mappningen {name}: {where_table}: väntade kolumn: uttryck")
    contract = [c.name for c in ALL_TABLES[table]]
    given = {str(k): v for k, v in spec.items()}
    unknown = [k for k in given if k not in contract and k != "when"]
    if unknown:
        raise MappingError(f"mappningen {name}: {where_table}: {unknown[0][:40]!r} är ingen kolumn i kontraktets "
                           f"{table} (kolumner: {', '.join(contract)})")
    missing = [c for c in contract if c not in given]
    if missing:
        raise MappingError(f"mappningen {name}: {where_table}: kontraktets kolumn {table}.{missing[0]} saknas i "
                           "mappningen (ange ett uttryck, en konstant eller null)")
    label = where_table
    if table == "indicator_outcomes":
        code = _value(given["indicator_code"], f"mappningen {name}: {where_table}.indicator_code")
        literal = code.value if isinstance(code, Constant) else code.value if code.kind == "lit" else None
        if isinstance(literal, str):
            label = f"{table} ({literal[:40]})"
    columns: dict[str, Node | object] = {}
    for col in contract:
        columns[col] = _value(given[col], f"mappningen {name}: {label}.{col}")
    when = given.get("when")
    when_node = None
    if when is not None and when is not True:
        if not isinstance(when, str):
            raise MappingError(f"mappningen {name}: {label}.when ska vara ett uttryck (sant/falskt)")
        when_node = parse(when, f"mappningen {name}: {label}.when")
    return RowSet(table, label, columns, when_node)


@dataclass(frozen=True)
class Constant:
    value: object


def _value(spec, where: str):
    if isinstance(spec, dict):
        if set(spec) == {"constant"}:
            value = spec["constant"]
            if value is not None and not isinstance(value, (str, bool, int, float)):
                raise MappingError(f"{where}: constant ska vara text, ett tal, true, false eller null")
            return Constant(value)
        raise MappingError(f"{where}: väntade ett uttryck eller {{constant: värde}}")
    if spec is None or isinstance(spec, (bool, int, float)):
        return Constant(spec)
    if isinstance(spec, str):
        return parse(spec, where)
    raise MappingError(f"{where}: väntade ett uttryck eller {{constant: värde}}")


# -- compiling against a source ---------------------------------------------------------------------

@dataclass
class CompiledRowSet:
    table: str
    label: str
    select: list[tuple[str, str]]  # (contract column, SQL)
    status: str  # SQL: NULL = an output row, '-' = not eligible, else the reason it is left out


def compile_mapping(mapping: Mapping, header: dict[str, str], source_name: str, found: str = ""
                    ) -> tuple[list[CompiledRowSet], dict]:
    """SQL for each row set over a source whose header names map to internal column names (`header`).

    Raises DataError naming the mapping column and the source column when the source lacks a column
    the mapping reads (`found`: the source's header, for the message). Returns the row sets and the parameters ($p…, plus $extract_date and $earliest
    which the caller supplies)."""
    for col, users in mapping.source_columns().items():
        if col not in header:
            bare = any(isinstance(e, Node) and e.kind == "col" and e.value == col
                       for rs in mapping.row_sets for e in rs.columns.values())
            hint = f" (ett fast värde skrivs {{constant: {col[:40]}}})" if bare else ""
            raise DataError(f"{source_name}: kolumnen {col[:60]!r} saknas men mappningen {mapping.path.name} "
                            f"använder den för {users[0]}{hint}; hittade kolumner: {found[:200] or 'inga'}")
    compiler = Compiler(header, mapping.code_lists, mapping.source.get("date_format", "%Y-%m-%d"),
                        mapping.source.get("decimal", "."))
    out = []
    for rs in mapping.row_sets:
        reasons: list[tuple[str, str]] = []
        when_sql = "TRUE"
        if rs.when is not None:
            start = len(compiler.checks)
            when = compiler.compile(rs.when, f"{mapping.path.name}: {rs.label}.when")
            if when.type not in ("bool", "null"):
                raise MappingError(f"mappningen {mapping.path.name}: {rs.label}.when ska ge sant/falskt, ger {when.type}")
            when_sql = f"coalesce({when.sql}, FALSE)"
            reasons += [(sql, f"{rs.label}: {why} (when)") for sql, why in compiler.checks[start:]]
        when_reasons = len(reasons)
        select = []
        for col in ALL_TABLES[rs.table]:
            start = len(compiler.checks)
            sql = _column_sql(compiler, rs, col, mapping.path.name)
            reasons += [(chk, f"{rs.label}: {why} ({col.name})") for chk, why in compiler.checks[start:]]
            select.append((col.name, sql))
            if not col.nullable:
                reasons.append((f"({sql}) IS NULL", f"{rs.label}: {col.name} är tom"))
        for col, sql in select:
            if next(c for c in ALL_TABLES[rs.table] if c.name == col).type == "date":
                reasons.append((f"({sql}) > $extract_date", f"{rs.label}: {col} efter uttagsdatum"))
                reasons.append((f"({sql}) < $earliest", f"{rs.label}: {col} före 1958-01-01"))
        whens = [f"WHEN {chk} THEN {compiler.param(why)}" for chk, why in reasons[:when_reasons]]
        whens.append(f"WHEN NOT {when_sql} THEN '-'")
        whens += [f"WHEN {chk} THEN {compiler.param(why)}" for chk, why in reasons[when_reasons:]]
        out.append(CompiledRowSet(rs.table, rs.label, select, f"CASE {' '.join(whens)} END"))
    return out, compiler.params


_SQL_TYPE = {"text": "VARCHAR", "date": "DATE", "int": "BIGINT", "bool": "BOOLEAN"}


def _column_sql(compiler: Compiler, rs: RowSet, col, mapping_name: str) -> str:
    expr = rs.columns[col.name]
    where = f"mappningen {mapping_name}: {rs.label}.{col.name}"
    if isinstance(expr, Constant):
        v = expr.value
        if v is None:
            if not col.nullable:
                raise MappingError(f"{where}: kolumnen får inte vara tom i kontraktet (null angivet)")
            return f"CAST(NULL AS {_SQL_TYPE[col.type]})"
        kind = ("bool" if isinstance(v, bool) else "text" if isinstance(v, str)
                else "int" if isinstance(v, int) else "number")
        if col.type == "text":
            return f"CAST({compiler.param(str(v).lower() if isinstance(v, bool) else str(v))} AS VARCHAR)"
        if col.type == "bool" and kind == "bool":
            return "TRUE" if v else "FALSE"
        if col.type == "int" and kind == "int":
            return f"CAST({compiler.param(v)} AS BIGINT)"
        if col.type == "date" and kind == "text":
            try:
                day = date.fromisoformat(v)
            except ValueError:
                raise MappingError(f"{where}: {v!r} är inte ett datum ÅÅÅÅ-MM-DD") from None
            return f"CAST({compiler.param(day)} AS DATE)"
        raise MappingError(f"{where}: konstanten {v!r} passar inte kolumnens typ ({col.type})")
    c = compiler.compile(expr, where)
    if c.type == "null":
        if not col.nullable:
            raise MappingError(f"{where}: uttrycket är alltid tomt men kolumnen får inte vara tom")
        return f"CAST(NULL AS {_SQL_TYPE[col.type]})"
    if col.type == "text":
        return compiler._as_text_sql(c)
    if col.type == "date":
        if c.type == "text":
            return compiler._date(c, None, expr.text, where).sql
        if c.type == "date":
            return c.sql
    if col.type == "int":
        if c.type == "int":
            return c.sql
        if c.type == "text":
            return compiler.compile(Node("call", "int", [expr], expr.text), where).sql
    if col.type == "bool" and c.type == "bool":
        return c.sql
    hint = " (använd code(kolumn, kodlista) eller en jämförelse)" if col.type == "bool" else ""
    raise MappingError(f"{where}: uttrycket ger {c.type} men kolumnen är {col.type} i kontraktet{hint}")

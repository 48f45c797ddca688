"""The expression language of mapping files, compiled to DuckDB SQL (data-contract.md §9.2).

A mapping file says how a source column becomes a contract column with a small expression, e.g.
`lpad(a_lkf, 2, '0')` or `days(date(a_diag_misscadat), date(op_kir_dat)) <= 28`. Expressions are
parsed here and compiled to SQL text built only from: internal source column names (`c0`, `c1`, …,
resolved from the source's header), a fixed set of function templates, operators, and `$p<n>`
parameters for every literal. Nothing in a mapping file is ever evaluated as Python or pasted into
SQL, so a hostile mapping or header can do nothing but fail validation.

Language (README "Mappningsfiler" has the user's version):
- a column: a bare name (`a_regid`, letters, digits and '_', not starting with a digit) or any
  header text in double quotes (`"Nämnare/antal fall"`, `""` for a quote inside). Its value is the
  field's text without surrounding spaces; an empty field is null.
- literals: 'text' (`''` for a quote inside), 12, 1.5, true, false, null.
- operators: `||` (join text), + - * /, = != <> < <= > >=, `x is [not] null`, `x [not] in (…)`,
  and, or, not, parentheses. Text compared with a number is read as a number.
- functions: trim upper lower lpad(x, n, 'c') substr(x, start[, length]) replace(x, 'a', 'b')
  concat(…) text(x) coalesce(…) nullif(a, b) if(cond, a, b) is_empty(x) date(x[, 'format'])
  int(x) number(x) days(from, to) year(x) code(x, list).
  `date`, `int`, `number` and `code` are checked conversions: a value they cannot convert (not
  a date in the format, not a whole number, not in the code list) leaves the row out of that table
  and is reported with the column and the rule; nulls stay null.

Types: text, int, number, date, bool and null (the type of `null`, fits anything).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import QueryError

KEYWORDS = {"and", "or", "not", "is", "null", "true", "false", "in"}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'(?:[^']|'')*')
  | (?P<qident>"(?:[^"]|"")*")
  | (?P<ident>[^\W\d]\w*)
  | (?P<op>\|\||<=|>=|<>|!=|[-+*/=<>(),])
""", re.VERBOSE)


class MappingError(QueryError):
    """A mapping file that cannot be used (exit 2): the message names the file and the place."""


# -- syntax -----------------------------------------------------------------------------------------

@dataclass
class Node:
    kind: str  # 'lit' 'col' 'call' 'op' 'not' 'neg' 'isnull' 'in'
    value: object = None  # literal value, column name, function name or operator
    args: list = field(default_factory=list)
    text: str = ""  # the source text of the node, for messages
    negated: bool = False


def _tokens(text: str, where: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise MappingError(f"{where}: oväntat tecken {text[pos]!r} på position {pos + 1} i uttrycket")
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group(), pos))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str, where: str):
        self.text, self.where = text, where
        self.toks = _tokens(text, where)
        self.i = 0

    def peek(self, n: int = 0):
        return self.toks[min(self.i + n, len(self.toks) - 1)]

    def word(self, n: int = 0) -> str:
        kind, val, _ = self.peek(n)
        return val.lower() if kind == "ident" else ""

    def take(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, val: str):
        kind, got, pos = self.take()
        if got != val:
            raise MappingError(f"{self.where}: väntade {val!r} på position {pos + 1} i uttrycket, fick "
                               f"{got[:20]!r}" if got else f"{self.where}: uttrycket slutar för tidigt (väntade {val!r})")

    def span(self, start: int) -> str:
        end = self.toks[self.i - 1][2] + len(self.toks[self.i - 1][1]) if self.i else 0
        return self.text[self.toks[start][2]:end].strip()

    def parse(self) -> Node:
        node = self.or_()
        kind, val, pos = self.peek()
        if kind != "end":
            raise MappingError(f"{self.where}: oväntat {val[:20]!r} på position {pos + 1} i uttrycket")
        return node

    def or_(self) -> Node:
        start, node = self.i, self.and_()
        while self.word() == "or":
            self.take()
            node = Node("op", "or", [node, self.and_()])
            node.text = self.span(start)
        return node

    def and_(self) -> Node:
        start, node = self.i, self.not_()
        while self.word() == "and":
            self.take()
            node = Node("op", "and", [node, self.not_()])
            node.text = self.span(start)
        return node

    def not_(self) -> Node:
        if self.word() == "not":
            start = self.i
            self.take()
            node = Node("not", args=[self.not_()])
            node.text = self.span(start)
            return node
        return self.comparison()

    def comparison(self) -> Node:
        start, left = self.i, self.additive()
        kind, val, _ = self.peek()
        if kind == "op" and val in ("=", "!=", "<>", "<", "<=", ">", ">="):
            self.take()
            node = Node("op", "!=" if val == "<>" else val, [left, self.additive()])
        elif self.word() == "is":
            self.take()
            negated = self.word() == "not"
            if negated:
                self.take()
            if self.word() != "null":
                raise MappingError(f"{self.where}: efter 'is' väntades 'null' eller 'not null'")
            self.take()
            node = Node("isnull", args=[left], negated=negated)
        elif self.word() == "in" or (self.word() == "not" and self.word(1) == "in"):
            negated = self.word() == "not"
            if negated:
                self.take()
            self.take()
            self.expect("(")
            items = [self.additive()]
            while self.peek()[1] == ",":
                self.take()
                items.append(self.additive())
            self.expect(")")
            node = Node("in", args=[left, *items], negated=negated)
        else:
            return left
        node.text = self.span(start)
        return node

    def additive(self) -> Node:
        start, node = self.i, self.multiplicative()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-", "||"):
            op = self.take()[1]
            node = Node("op", op, [node, self.multiplicative()])
            node.text = self.span(start)
        return node

    def multiplicative(self) -> Node:
        start, node = self.i, self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            node = Node("op", op, [node, self.unary()])
            node.text = self.span(start)
        return node

    def unary(self) -> Node:
        if self.peek()[1] == "-" and self.peek()[0] == "op":
            start = self.i
            self.take()
            node = Node("neg", args=[self.unary()])
            node.text = self.span(start)
            return node
        return self.primary()

    def primary(self) -> Node:
        start = self.i
        kind, val, pos = self.take()
        if kind == "number":
            node = Node("lit", float(val) if "." in val else int(val))
        elif kind == "string":
            node = Node("lit", val[1:-1].replace("''", "'"))
        elif kind == "qident":
            node = Node("col", val[1:-1].replace('""', '"'))
        elif kind == "ident":
            low = val.lower()
            if low in ("true", "false"):
                node = Node("lit", low == "true")
            elif low == "null":
                node = Node("lit", None)
            elif low in KEYWORDS:
                raise MappingError(f"{self.where}: oväntat {val!r} på position {pos + 1} i uttrycket")
            elif self.peek()[1] == "(":
                self.take()
                args = []
                if self.peek()[1] != ")":
                    args.append(self.or_())
                    while self.peek()[1] == ",":
                        self.take()
                        args.append(self.or_())
                self.expect(")")
                node = Node("call", low, args)
            else:
                node = Node("col", val)
        elif val == "(":
            node = self.or_()
            self.expect(")")
            node.text = self.span(start)
            return node
        elif kind == "end":
            raise MappingError(f"{self.where}: uttrycket är tomt eller slutar för tidigt")
        else:
            raise MappingError(f"{self.where}: oväntat {val[:20]!r} på position {pos + 1} i uttrycket")
        node.text = self.span(start)
        return node


# name → (min args, max args or None); checked when parsed, so a mapping fails before any data is read
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "trim": (1, 1), "upper": (1, 1), "lower": (1, 1), "lpad": (3, 3), "substr": (2, 3), "replace": (3, 3),
    "concat": (1, None), "text": (1, 1), "coalesce": (1, None), "nullif": (2, 2), "if": (3, 3),
    "is_empty": (1, 1), "date": (1, 2), "int": (1, 1), "number": (1, 1), "days": (2, 2), "year": (1, 1),
    "code": (2, 2),
}


def parse(text: str, where: str) -> Node:
    """Parse an expression; MappingError (naming `where`) when it is not one of the language."""
    if not isinstance(text, str) or not text.strip():
        raise MappingError(f"{where}: uttrycket är tomt")
    node = _Parser(text, where).parse()
    _check_calls(node, where)
    return node


def _check_calls(node: Node, where: str) -> None:
    if node.kind == "call":
        if node.value not in FUNCTIONS:
            raise MappingError(f"{where}: okänd funktion {node.value[:30]!r} (tillåtna: {', '.join(FUNCTIONS)})")
        lo, hi = FUNCTIONS[node.value]
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            want = str(lo) if lo == hi else (f"{lo}–{hi}" if hi else f"minst {lo}")
            raise MappingError(f"{where}: {node.value}() tar {want} argument, fick {n}")
        if node.value == "code" and node.args[1].kind != "col":
            raise MappingError(f"{where}: code(värde, lista): andra argumentet är namnet på en kodlista")
        if node.value == "date" and n == 2 and not (node.args[1].kind == "lit" and isinstance(node.args[1].value, str)):
            raise MappingError(f"{where}: date(värde, 'format'): formatet skrivs som text, t.ex. '%Y%m%d'")
    for arg in node.args:
        if node.kind == "call" and node.value == "code" and arg is node.args[1]:
            continue
        _check_calls(arg, where)


def columns_of(node: Node) -> list[str]:
    """Every source column an expression reads, in order of appearance."""
    out: list[str] = []
    if node.kind == "col":
        out.append(node.value)
    for i, arg in enumerate(node.args):
        if node.kind == "call" and node.value == "code" and i == 1:
            continue
        out += [c for c in columns_of(arg) if c not in out]
    return out


def code_lists_of(node: Node) -> list[str]:
    out = [node.args[1].value] if node.kind == "call" and node.value == "code" else []
    for arg in node.args:
        out += code_lists_of(arg)
    return out


# -- compiling --------------------------------------------------------------------------------------

@dataclass
class CodeList:
    name: str
    mapping: dict[str, object]  # source text ('' for an empty field) → value (str, bool, int, float, None)
    type: str  # type of the values: 'text' 'bool' 'int' 'number' or 'null'


@dataclass
class Compiled:
    sql: str
    type: str  # 'text' 'int' 'number' 'date' 'bool' 'null'


@dataclass
class Compiler:
    """Compiles parsed expressions for one source. `columns` maps header names to internal names;
    `params` collects the literal values ($p0, $p1, …); `checks` collects (condition SQL, reason) of
    the checked conversions met while compiling, in order."""

    columns: dict[str, str]
    code_lists: dict[str, CodeList]
    date_format: str = "%Y-%m-%d"
    decimal: str = "."
    params: dict = field(default_factory=dict)
    checks: list[tuple[str, str]] = field(default_factory=list)

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def compile(self, node: Node, where: str) -> Compiled:
        method = getattr(self, f"_{node.kind}")
        return method(node, where)

    # literals and columns
    def _lit(self, node: Node, where: str) -> Compiled:
        v = node.value
        if v is None:
            return Compiled("NULL", "null")
        if isinstance(v, bool):
            return Compiled("TRUE" if v else "FALSE", "bool")
        if isinstance(v, int):
            return Compiled(f"CAST({self.param(v)} AS BIGINT)", "int")
        if isinstance(v, float):
            return Compiled(f"CAST({self.param(v)} AS DOUBLE)", "number")
        return Compiled(f"CAST({self.param(v)} AS VARCHAR)", "text")

    def _col(self, node: Node, where: str) -> Compiled:
        internal = self.columns.get(node.value)
        if internal is None:  # validated before compiling; kept as a guard
            raise MappingError(f"{where}: okänd källkolumn {node.value[:60]!r}")
        return Compiled(f"nullif(trim({internal}), '')", "text")

    # operators
    def _not(self, node: Node, where: str) -> Compiled:
        a = self._bool(node.args[0], where, "not")
        return Compiled(f"(NOT {a.sql})", "bool")

    def _neg(self, node: Node, where: str) -> Compiled:
        a = self._numeric(node.args[0], where, "-")
        return Compiled(f"(- {a.sql})", a.type)

    def _isnull(self, node: Node, where: str) -> Compiled:
        a = self.compile(node.args[0], where)
        return Compiled(f"({a.sql} IS {'NOT ' if node.negated else ''}NULL)", "bool")

    def _in(self, node: Node, where: str) -> Compiled:
        left = self.compile(node.args[0], where)
        items = [self.compile(a, where) for a in node.args[1:]]
        if left.type == "text" and all(i.type in ("int", "number") for i in items):
            left = Compiled(self._as_number_sql(left.sql), "number")
        for item in items:
            self._same_kind(left, item, where, "in")
        sql = f"({left.sql} {'NOT ' if node.negated else ''}IN ({', '.join(i.sql for i in items)}))"
        return Compiled(sql, "bool")

    def _op(self, node: Node, where: str) -> Compiled:
        op = node.value
        if op in ("and", "or"):
            a, b = (self._bool(x, where, op) for x in node.args)
            return Compiled(f"({a.sql} {op.upper()} {b.sql})", "bool")
        a, b = (self.compile(x, where) for x in node.args)
        if op == "||":
            return Compiled(f"({self._as_text_sql(a)} || {self._as_text_sql(b)})", "text")
        if op in ("+", "-", "*", "/"):
            a, b = self._numeric(node.args[0], where, op, a), self._numeric(node.args[1], where, op, b)
            typ = "int" if a.type == b.type == "int" and op != "/" else "number"
            sql = f"({a.sql} {op} {b.sql})" if op != "/" else f"(CAST({a.sql} AS DOUBLE) / nullif({b.sql}, 0))"
            return Compiled(sql, typ)
        # comparisons: a date with text reads the text as a date, text with a number as a number
        if a.type == "date" and b.type == "text":
            b = self._date(b, None, node.args[1].text, where)
        elif b.type == "date" and a.type == "text":
            a = self._date(a, None, node.args[0].text, where)
        elif a.type == "text" and b.type in ("int", "number"):
            a = Compiled(self._as_number_sql(a.sql), "number")
        elif b.type == "text" and a.type in ("int", "number"):
            b = Compiled(self._as_number_sql(b.sql), "number")
        self._same_kind(a, b, where, op)
        return Compiled(f"({a.sql} {op} {b.sql})", "bool")

    # functions
    def _call(self, node: Node, where: str) -> Compiled:
        name, args = node.value, node.args
        if name == "code":
            return self._code(node, where)
        if name == "date":
            value = self._text(args[0], where, "date")
            fmt = args[1].value if len(args) == 2 else None
            return self._date(value, fmt, args[0].text, where)
        if name in ("int", "number"):
            value = self.compile(args[0], where)
            if value.type in ("int", "number", "null"):
                return Compiled(f"CAST({value.sql} AS {'BIGINT' if name == 'int' else 'DOUBLE'})", name)
            value = self._text(args[0], where, name, value)
            if name == "int":
                sql = (f"CASE WHEN regexp_full_match({value.sql}, '[+-]?[0-9]{{1,18}}') "
                       f"THEN CAST({value.sql} AS BIGINT) END")
                reason = f"{args[0].text} är inte ett heltal"
            else:
                sql = self._as_number_sql(value.sql)
                reason = f"{args[0].text} är inte ett tal (decimaltecken {self.decimal!r})"
            self.checks.append((f"({value.sql} IS NOT NULL AND {sql} IS NULL)", reason))
            return Compiled(sql, name)
        if name == "days":
            a = self._as_date(args[0], where)
            b = self._as_date(args[1], where)
            return Compiled(f"date_diff('day', {a.sql}, {b.sql})", "int")
        if name == "year":
            a = self._as_date(args[0], where)
            return Compiled(f"CAST(year({a.sql}) AS BIGINT)", "int")
        if name == "is_empty":
            a = self.compile(args[0], where)
            return Compiled(f"({a.sql} IS NULL)", "bool")
        if name == "if":
            cond = self._bool(args[0], where, "if")
            # a conversion in a branch is checked only for the rows that take that branch
            start = len(self.checks)
            a = self.compile(args[1], where)
            self._guard(start, f"coalesce({cond.sql}, FALSE)")
            start = len(self.checks)
            b = self.compile(args[2], where)
            self._guard(start, f"NOT coalesce({cond.sql}, FALSE)")
            typ = self._common(a, b, where, "if")
            return Compiled(f"CASE WHEN {cond.sql} THEN {a.sql} ELSE {b.sql} END", typ)
        if name == "coalesce":
            parts = [self.compile(a, where) for a in args]
            typ = parts[0].type
            for p in parts[1:]:
                typ = self._common(Compiled("", typ), p, where, "coalesce")
            return Compiled(f"coalesce({', '.join(p.sql for p in parts)})", typ)
        if name == "nullif":
            a, b = self.compile(args[0], where), self.compile(args[1], where)
            self._same_kind(a, b, where, "nullif")
            return Compiled(f"nullif({a.sql}, {b.sql})", a.type)
        if name in ("concat", "text"):
            parts = [self._as_text_sql(self.compile(a, where)) for a in args]
            return Compiled(f"concat({', '.join(parts)})" if name == "concat" else parts[0], "text")
        # text functions
        x = self._text(args[0], where, name)
        if name in ("trim", "upper", "lower"):
            return Compiled(f"{name}({x.sql})", "text")
        if name == "lpad":
            n = self._int_arg(args[1], where, name)
            fill = self._text(args[2], where, name)
            return Compiled(f"lpad({x.sql}, CAST({n.sql} AS INTEGER), {fill.sql})", "text")
        if name == "substr":
            start = self._int_arg(args[1], where, name)
            if len(args) == 3:
                length = self._int_arg(args[2], where, name)
                return Compiled(f"substr({x.sql}, CAST({start.sql} AS INTEGER), CAST({length.sql} AS INTEGER))",
                                "text")
            return Compiled(f"substr({x.sql}, CAST({start.sql} AS INTEGER))", "text")
        if name == "replace":
            a, b = self._text(args[1], where, name), self._text(args[2], where, name)
            return Compiled(f"replace({x.sql}, {a.sql}, {b.sql})", "text")
        raise MappingError(f"{where}: okänd funktion {name!r}")  # unreachable: checked when parsed

    def _code(self, node: Node, where: str) -> Compiled:
        list_name = node.args[1].value
        codes = self.code_lists.get(list_name)
        if codes is None:
            raise MappingError(f"{where}: kodlistan {list_name[:40]!r} finns inte under codes:")
        value = self._text(node.args[0], where, "code")
        whens, keys = [], []
        for key, mapped in codes.mapping.items():
            result = "NULL" if mapped is None else self.param(mapped)
            if key == "":
                whens.insert(0, f"WHEN {value.sql} IS NULL THEN {result}")
            else:
                keys.append(key)
                whens.append(f"WHEN {value.sql} = {self.param(key)} THEN {result}")
        cast = {"bool": "BOOLEAN", "text": "VARCHAR", "int": "BIGINT", "number": "DOUBLE"}.get(codes.type)
        sql = f"CASE {' '.join(whens)} END"
        if cast:
            sql = f"CAST({sql} AS {cast})"
        self.checks.append((f"({value.sql} IS NOT NULL AND NOT list_contains({self.param(keys)}, {value.sql}))",
                            f"{node.args[0].text} har ett värde som inte finns i kodlistan {list_name}"))
        return Compiled(sql, codes.type)

    # helpers
    def _guard(self, start: int, condition: str) -> None:
        self.checks[start:] = [(f"({condition} AND {chk})", why) for chk, why in self.checks[start:]]

    def _date(self, value: Compiled, fmt: str | None, text: str, where: str) -> Compiled:
        fmt = fmt or self.date_format
        sql = f"CAST(try_strptime({value.sql}, {self.param(fmt)}) AS DATE)"
        shown = fmt.replace("%Y", "ÅÅÅÅ").replace("%m", "MM").replace("%d", "DD")
        self.checks.append((f"({value.sql} IS NOT NULL AND {sql} IS NULL)", f"{text} är inte ett datum {shown}"))
        return Compiled(sql, "date")

    def _as_date(self, node: Node, where: str) -> Compiled:
        c = self.compile(node, where)
        if c.type == "text":
            return self._date(c, None, node.text, where)
        if c.type not in ("date", "null"):
            raise MappingError(f"{where}: {node.text[:60]!r} är inte ett datum (typ {c.type})")
        return c

    def _as_number_sql(self, sql: str) -> str:
        cleaned = f"replace(replace({sql}, ' ', ''), '\u00a0', '')"
        if self.decimal == ",":
            cleaned = f"replace({cleaned}, ',', '.')"
        return (f"CASE WHEN regexp_full_match({cleaned}, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)') "
                f"THEN CAST({cleaned} AS DOUBLE) END")

    def _as_text_sql(self, c: Compiled) -> str:
        if c.type == "date":
            return f"strftime({c.sql}, '%Y-%m-%d')"
        if c.type == "bool":
            return f"CASE WHEN {c.sql} THEN 'true' WHEN NOT {c.sql} THEN 'false' END"
        return c.sql if c.type == "text" else f"CAST({c.sql} AS VARCHAR)"

    def _text(self, node: Node, where: str, fn: str, compiled: Compiled | None = None) -> Compiled:
        c = compiled or self.compile(node, where)
        if c.type in ("text", "null"):
            return c
        if c.type in ("int", "number"):
            return Compiled(self._as_text_sql(c), "text")
        raise MappingError(f"{where}: {fn}() väntar text, fick {c.type} ({node.text[:60]!r})")

    def _int_arg(self, node: Node, where: str, fn: str) -> Compiled:
        c = self.compile(node, where)
        if c.type != "int":
            raise MappingError(f"{where}: {fn}() väntar ett heltal som argument, fick {c.type} ({node.text[:60]!r})")
        return c

    def _numeric(self, node: Node, where: str, op: str, compiled: Compiled | None = None) -> Compiled:
        c = compiled or self.compile(node, where)
        if c.type in ("int", "number", "null"):
            return c
        if c.type == "text":
            return self.compile(Node("call", "number", [node], node.text), where)
        raise MappingError(f"{where}: {op!r} väntar tal, fick {c.type} ({node.text[:60]!r})")

    def _bool(self, node: Node, where: str, op: str) -> Compiled:
        c = self.compile(node, where)
        if c.type not in ("bool", "null"):
            raise MappingError(f"{where}: {op!r} väntar sant/falskt, fick {c.type} ({node.text[:60]!r}); "
                               "jämför värdet, t.ex. x = '1', eller använd code(x, lista)")
        return c

    @staticmethod
    def _kind(t: str) -> str:
        return "number" if t in ("int", "number") else t

    def _same_kind(self, a: Compiled, b: Compiled, where: str, op: str) -> None:
        if "null" in (a.type, b.type):
            return
        if self._kind(a.type) != self._kind(b.type):
            raise MappingError(f"{where}: {op!r} jämför {a.type} med {b.type}")

    def _common(self, a: Compiled, b: Compiled, where: str, fn: str) -> str:
        if a.type == "null":
            return b.type
        if b.type == "null":
            return a.type
        if a.type == b.type:
            return a.type
        if self._kind(a.type) == self._kind(b.type) == "number":
            return "number"
        raise MappingError(f"{where}: {fn}() blandar {a.type} och {b.type}")

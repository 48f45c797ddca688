"""The expression language of mapping files (indicators/imports/expressions.py): what each expression
gives on small hand-made rows, which values are reported by the checked conversions, and that
nothing in an expression can reach SQL or Python as code."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from indicators.imports.expressions import CodeList, Compiler, MappingError, columns_of, parse


def evaluate(expr: str, rows: list[dict], codes: dict | None = None, decimal: str = ".",
             date_format: str = "%Y-%m-%d") -> list[tuple]:
    """(value, first failing check's reason or None) per row; all columns are text, as read."""
    names = list(rows[0])
    con = duckdb.connect()
    con.execute(f"CREATE TABLE src ({', '.join(f'c{i} VARCHAR' for i in range(len(names)))})")
    for row in rows:
        con.execute(f"INSERT INTO src VALUES ({', '.join('?' for _ in names)})", [row[n] for n in names])
    lists = {k: CodeList(k, v, t) for k, (v, t) in (codes or {}).items()}
    comp = Compiler({n: f"c{i}" for i, n in enumerate(names)}, lists, date_format, decimal)
    node = parse(expr, "test")
    c = comp.compile(node, "test")
    status = "CASE " + " ".join(f"WHEN {chk} THEN {comp.param(why)}" for chk, why in comp.checks) + " END" \
        if comp.checks else "NULL"
    return con.execute(f"SELECT {c.sql}, {status} FROM src", comp.params).fetchall()


def values(expr: str, rows: list[dict], **kw) -> list:
    return [v for v, _ in evaluate(expr, rows, **kw)]


R = [{"a": "1", "b": " x ", "d": "2024-02-05", "n": "4,5"}, {"a": None, "b": "", "d": None, "n": "12"}]


def test_column_values_are_trimmed_and_empty_is_null():
    assert values("b", R) == ["x", None]
    assert values("a is null", R) == [False, True]
    assert values("is_empty(b)", R) == [False, True]


def test_text_functions():
    assert values("lpad(a, 2, '0')", R) == ["01", None]
    assert values("substr(lpad(d, 12, '0'), 3, 4)", R[:1]) == ["2024"]  # of 002024-02-05
    assert values("upper(b) || '-' || lower('ÅÄÖ')", R[:1]) == ["X-åäö"]
    assert values("replace(d, '-', '')", R[:1]) == ["20240205"]
    assert values("concat(a, 'b', 3)", R) == ["1b3", "b3"]  # concat skips nulls, || gives null
    assert values("a || 'b'", R) == ["1b", None]
    assert values("coalesce(a, b, 'tom')", R) == ["1", "tom"]
    assert values("nullif(a, '1')", R[:1]) == [None]
    assert values("text(12) || text(1.5)", R[:1]) == ["121.5"]


def test_literals_are_parameters_not_sql():
    # a quote and SQL inside a text literal stay text
    assert values("'x''); DROP TABLE src; --'", R[:1]) == ["x'); DROP TABLE src; --"]


def test_comparisons_and_logic():
    assert values("a = 1", R) == [True, None]  # text compared with a number is read as a number
    assert values("a = '1' and not (b = 'y')", R) == [True, None]
    assert values("a is not null or b is null", R) == [True, True]
    assert values("a in ('1', '2')", R) == [True, None]
    assert values("a not in (2, 3)", R[:1]) == [True]
    assert values("d >= '2024-01-01'", R) == [True, None]  # text beside a date is read as a date
    assert values("if(a = '1', 'ett', 'annat')", R) == ["ett", "annat"]  # null condition: else-branch


def test_dates_and_days():
    rows = [{"x": "2024-01-20", "y": "2024-02-17"}, {"x": "2024-01-20", "y": "2024-02-18"}]
    assert values("days(date(x), date(y))", rows) == [28, 29]
    assert values("days(x, y) <= 28", rows) == [True, False]
    assert values("year(x)", rows[:1]) == [2024]
    assert values("date(x, '%Y%m%d')", [{"x": "20240205"}]) == [date(2024, 2, 5)]
    assert values("date(x)", [{"x": "20240205"}], date_format="%Y%m%d") == [date(2024, 2, 5)]


def test_checked_conversions_report_the_value_and_rule():
    got = evaluate("date(x)", [{"x": "2024-02-30"}, {"x": "2024-02-05"}, {"x": None}])
    assert got == [(None, "x är inte ett datum ÅÅÅÅ-MM-DD"), (date(2024, 2, 5), None), (None, None)]
    got = evaluate("int(x)", [{"x": "61.5"}, {"x": " 61 "}, {"x": "-3"}])
    assert got == [(None, "x är inte ett heltal"), (61, None), (-3, None)]


def test_decimal_comma():
    assert values("number(n)", R, decimal=",") == [4.5, 12.0]
    assert evaluate("number(n) > 4", R, decimal=".")[0] == (None, "n är inte ett tal (decimaltecken '.')")
    assert values("n > 4", R, decimal=",") == [True, True]


def test_code_lists():
    codes = {"svar": ({"1": True, "0": False, "98": None, "": None}, "bool")}
    rows = [{"v": "1"}, {"v": "0"}, {"v": "98"}, {"v": None}, {"v": "7"}]
    got = evaluate("code(v, svar)", rows, codes=codes)
    assert got == [(True, None), (False, None), (None, None), (None, None),
                   (None, "v har ett värde som inte finns i kodlistan svar")]
    # without an entry for the empty field, empty stays null and is not reported
    got = evaluate("code(v, kon)", [{"v": None}, {"v": "2"}], codes={"kon": ({"1": "M", "2": "K"}, "text")})
    assert got == [(None, None), ("K", None)]


def test_a_conversion_in_an_if_branch_is_checked_only_where_taken():
    rows = [{"flag": "1", "x": "okänd"}, {"flag": None, "x": "5,5"}, {"flag": None, "x": "okänd"}]
    got = evaluate("if(flag = '1', null, number(x) > 4)", rows, decimal=",")
    assert got == [(None, None), (True, None), (None, "x är inte ett tal (decimaltecken ',')")]


def test_quoted_column_names():
    rows = [{"Registrerad i RCL": "Ja", 'Kolumn "x"': "y"}]
    assert values('"Registrerad i RCL" = \'Ja\'', rows) == [True]
    assert values('"Kolumn ""x"""', rows) == ["y"]
    assert columns_of(parse('concat("Registrerad i RCL", a_b, code(c, lista))', "t")) == \
        ["Registrerad i RCL", "a_b", "c"]


@pytest.mark.parametrize("expr,message", [
    ("__import__('os')", "okänd funktion '__import__'"),
    ("__import__('os').system('ls')", "oväntat tecken '.'"),
    ("eval('1 + 1')", "okänd funktion 'eval'"),
    ("a; DROP TABLE src", "oväntat tecken ';'"),
    ("lpad(a, 2)", "lpad() tar 3 argument, fick 2"),
    ("code(a, 'lista')", "andra argumentet är namnet på en kodlista"),
    ("date(a, b)", "formatet skrivs som text"),
    ("a = ", "slutar för tidigt"),
    ("(a", "väntade ')'"),
    ("a b", "oväntat 'b'"),
    ("", "uttrycket är tomt"),
    ("a is 1", "efter 'is' väntades 'null'"),
])
def test_syntax_errors_name_the_place(expr, message):
    with pytest.raises(MappingError, match=None) as err:
        parse(expr, "mappningen m.yaml: register_cases.region_code")
    assert message in str(err.value) and "register_cases.region_code" in str(err.value)


@pytest.mark.parametrize("expr,message", [
    ("a and b", "väntar sant/falskt, fick text"),
    ("days(a = '1', b)", "är inte ett datum"),
    ("lpad(a, '2', '0')", "väntar ett heltal"),
    ("if(a = '1', 1, 'x')", "blandar int och text"),
    ("date(a) = 1", "jämför date med int"),
])
def test_type_errors(expr, message):
    with pytest.raises(MappingError) as err:
        evaluate(expr, R)
    assert message in str(err.value)

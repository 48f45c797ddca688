"""Layers only point down: engine (indicators) <- textfmt <- views <- charts, export <- reports <-
ui <- app_pages, app.py. The test reads every module's imports (ast, inside functions too) and
fails on one that points up. The program's entry point, indicators/__main__.py, composes the
layers (it adds the report commands) and is the one exception."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEVEL = {"indicators": 0, "textfmt": 1, "views": 2, "charts": 3, "export": 3, "reports": 4, "ui": 5,
         "app_pages": 6, "app": 6}
ENTRY_POINT = ROOT / "indicators" / "__main__.py"


def _package(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module.split(".")[0]))
    return out


def modules():
    for package in LEVEL:
        if package == "app":
            yield ROOT / "app.py"
            continue
        yield from sorted((ROOT / package).rglob("*.py"))


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for path in modules():
        if path == ENTRY_POINT:
            continue
        own = LEVEL[_package(path)]
        for line, name in _imports(path):
            if name in LEVEL and LEVEL[name] > own:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The test above would notice: a module of the engine importing the views is reported."""
    bad = ROOT / "indicators" / "_layering_probe.py"
    try:
        bad.write_text("def f():\n    from views import view\n    return view\n", encoding="utf-8")
        names = [n for _line, n in _imports(bad)]
        assert "views" in names and LEVEL["views"] > LEVEL[_package(bad)]
    finally:
        bad.unlink()


def test_streamlit_only_in_the_app_layers():
    """Views, charts, exports and the engine run without Streamlit (the command line uses them)."""
    found = []
    for path in modules():
        if LEVEL[_package(path)] < LEVEL["ui"]:
            found += [f"{path.relative_to(ROOT)}:{line}" for line, n in _imports(path) if n == "streamlit"]
    assert found == []


def test_catalogue_declarations_are_sound():
    from indicators.catalogue import check_declarations

    assert check_declarations() == []

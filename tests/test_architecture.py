"""The package layout's rules: packages meet only at their doors, and spaCy stays inside ``coding``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qualkit"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, absolute, with its line; ``from x import y`` also yields ``x.y``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = _module_name(path)
    base = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                anchor = base.split(".")[: len(base.split(".")) - node.level + 1]
                module = ".".join(anchor + ([module] if module else []))
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names
                      if f"{module}.{alias.name}" in MODULE_NAMES]
    return found


PACKAGES = {_module_name(p) for p in MODULES if p.name == "__init__.py"}
MODULE_NAMES = {_module_name(p) for p in MODULES}


def _private_target(importer: str, target: str) -> str | None:
    """The door ``target`` should have gone through, if ``target`` is a room of a package ``importer`` is outside."""
    if not target.startswith("qualkit.") or target in PACKAGES:
        return None
    package = target.rpartition(".")[0]
    if package not in PACKAGES or package == "qualkit":
        return None
    if importer == package or importer.startswith(package + "."):
        return None
    return package


def test_layout_rules_see_the_packages():
    # The rule below means something only if the packages are there.
    assert {"qualkit.coding", "qualkit.codebook", "qualkit.themes", "qualkit.agreement", "qualkit.readers",
            "qualkit.report", "qualkit.refi", "qualkit.cli"} <= PACKAGES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_packages_meet_only_at_their_doors(path: Path):
    importer = _module_name(path)
    wrong = [f"line {line}: imports {target} (use {door})"
             for line, target in _imports(path) if (door := _private_target(importer, target))]
    assert not wrong, f"{path.relative_to(PACKAGE.parent)} reaches into another package's rooms: {wrong}"


def _lines_importing(path: Path, root: str) -> list[int]:
    return [line for line, target in _imports(path) if target == root or target.startswith(root + ".")]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
@pytest.mark.parametrize("root,allowed_in", [("spacy", "qualkit.coding"), ("qualkit.cli", "qualkit.cli")])
def test_only_its_package_imports(path: Path, root: str, allowed_in: str):
    # spaCy stays inside coding/; nothing but the CLI imports the CLI.
    if _module_name(path).startswith(allowed_in):
        return
    lines = _lines_importing(path, root)
    assert not lines, f"{path.relative_to(PACKAGE.parent)} imports {root} on lines {lines}"


def test_the_door_rule_catches_a_room_import():
    # The checker itself: a room import from outside is caught, a door import and a sibling import are not.
    assert _private_target("qualkit.study", "qualkit.coding.coder") == "qualkit.coding"
    assert _private_target("qualkit.study", "qualkit.coding") is None
    assert _private_target("qualkit.coding.corpus", "qualkit.coding.coder") is None
    assert _private_target("qualkit.cli.run", "qualkit.errors") is None

"""A YAML loader for codebooks whose mappings and sequences remember the line and column of each item."""

from __future__ import annotations

from typing import Any

import yaml

from qualkit.errors import CodebookError

Mark = tuple[int, int]


class _LineLoader(yaml.SafeLoader):
    """A YAML loader whose mappings and sequences remember where each key and item is (1-based)."""


class _Mapping(dict):  # type: ignore[type-arg]
    line: int = 0
    column: int = 0
    key_lines: dict[str, int]
    key_marks: dict[str, tuple[int, int]]


class _Sequence(list):  # type: ignore[type-arg]
    line: int = 0
    column: int = 0
    item_lines: list[int]
    item_marks: list[tuple[int, int]]


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    result = _Mapping()
    result.line, result.column = _mark(node)
    result.key_lines, result.key_marks = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_marks[str(key)] = _mark(key_node)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    result = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.column = _mark(node)
    result.item_marks = [_mark(child) for child in node.value]
    result.item_lines = [line for line, _ in result.item_marks]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, source: str = "<codebook>") -> Any:
    """Return the YAML document as plain data (mappings remember their lines); raise ``CodebookError``."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CodebookError(f"{source}{where}: malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{source}: malformed YAML: {exc}") from None


def type_name(value: Any) -> str:
    """Return a YAML value's kind as a user reads it: list, mapping, str, int, ..."""
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def at(node: Any, key: str | None = None) -> Mark:
    """Return the (line, column) of a key of a mapping, or of the node itself."""
    if key is not None and hasattr(node, "key_marks") and key in node.key_marks:
        return node.key_marks[key]  # type: ignore[no-any-return]
    return getattr(node, "line", 0), getattr(node, "column", 0)


"""The codebook: themes and codes with their definitions and patterns, read from YAML or a spreadsheet.

``load_codebook`` / ``parse_codebook`` read and validate a YAML codebook (errors name the file, line and
column); ``read_codebook_table`` / ``write_codebook_table`` / ``write_codebook_yaml`` move codebooks to
and from spreadsheets (``read_codebook_table`` also reads Word and Markdown tables and other tools' JSON or
YAML lists of codes). Rooms: ``model`` (records, loading, structure), ``patterns`` (the pattern kinds),
``yaml_lines`` (a YAML loader that remembers positions), ``table`` (reading and writing sheets; imports
pandas, so it is loaded on first use), ``layouts`` (a sheet's columns, header and fields), ``places`` (where
each row sits in the hierarchy). Standard library and PyYAML only until a spreadsheet is asked for.
"""

from importlib import import_module
from typing import Any

from qualkit.codebook.model import (
    PATH_SEPARATOR, Code, Codebook, Theme, load_codebook, normalise_unit, parse_codebook, slugify,
)
from qualkit.codebook.patterns import DEFAULT_DISTANCE, PATTERN_KINDS, Pattern, pattern_spec

_TABLE = ("codebook_data", "codebook_rows", "read_codebook_table", "write_codebook_table", "write_codebook_yaml")


def __getattr__(name: str) -> Any:
    """Load the spreadsheet functions (and pandas) on first use."""
    if name not in _TABLE:
        raise AttributeError(f"module 'qualkit.codebook' has no attribute {name!r}")
    return getattr(import_module("qualkit.codebook.table"), name)


__all__ = [
    "DEFAULT_DISTANCE", "PATH_SEPARATOR", "PATTERN_KINDS", "Code", "Codebook", "Pattern", "Theme", "codebook_data",
    "codebook_rows", "load_codebook", "normalise_unit", "parse_codebook", "pattern_spec", "read_codebook_table",
    "slugify", "write_codebook_table", "write_codebook_yaml",
]

"""The JSON Schema shipped for the codebook format agrees with the loader on valid and invalid codebooks."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import yaml

from qualkit.codebook import parse_codebook
from qualkit.errors import CodebookError
from tests.conftest import FIXTURES, ROOT, STUDY

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("qualkit").joinpath("schemas/codebook.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", [ROOT / "codebooks" / "sample.yaml", STUDY / "codebook.yaml",
                                  FIXTURES / "coding" / "codebook.yaml"], ids=lambda p: p.name)
def test_shipped_codebooks_are_valid_against_the_schema(validator, path):
    assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == []


VALID = [
    "codes: [{name: A, patterns: [feel isolated, isolat*, {exact: on my own}, {word: lonel*}]}]",
    "codes: [{name: A, patterns: [[{LOWER: own}], {tokens: [{LEMMA: be}]}]}]",
    "codes: [{name: A, unit: turn+2, negation: false, within: b, speakers: [P1], roles: [participant], patterns: [x]},"
    " {name: B, id: b, patterns: [y]}]",
    "codes: [{name: A, patterns: [x, {near: [feel, isolat*], within: 3, ordered: true}, {exclude: exercise book}]}]",
    "themes: [{name: T, colour: '#AABBCC', themes: [{name: U, codes: [{name: A, codes: [{name: B, patterns: [z]}]}]}]}]",
]
INVALID = [
    "codes: [{name: A, patern: [x]}]",
    "codes: [{name: A, colour: red, patterns: [x]}]",
    "codes: [{name: A, unit: paragraph, patterns: [x]}]",
    "codes: [{name: A, patterns: [{near: [a]}]}]",
    "codes: [{name: A, patterns: [{phrase: a, exact: b}]}]",
    "codes: [{name: A, patterns: [{exact: 'isol*'}]}]",
    "codes: [{name: A, negation: maybe, patterns: [x]}]",
    "codes: [{definition: no name}]",
    "name: no themes",
]


@pytest.mark.parametrize("text", VALID)
def test_schema_and_loader_accept_the_same_codebooks(validator, text):
    assert list(validator.iter_errors(yaml.safe_load(text))) == []
    parse_codebook(text)


@pytest.mark.parametrize("text", INVALID)
def test_schema_and_loader_reject_the_same_codebooks(validator, text):
    assert list(validator.iter_errors(yaml.safe_load(text))) != []
    with pytest.raises(CodebookError):
        parse_codebook(text)

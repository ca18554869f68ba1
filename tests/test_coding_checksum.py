"""The coding output is pinned: sha256 of coded_segments.csv and the set-aside files for a fixed corpus.

Computed on the coder before its speed work (issue 14), so any optimisation must leave every byte as it
was. The corpus is the sample study as read at that time, kept as records in
tests/fixtures/survey/sample_transcripts.json (so a change in a reader does not move these digests:
they pin coding alone); the codebooks are the sample's (realistic density) and a dense one
(a copy of codebooks/sample.yaml as it was, sample_codebook.yaml, for the first; and
tests/fixtures/survey/dense_codebook.yaml: 200 generated codes plus near, exclude, within, match and
turn+1 codes, negation on), each under four default units. If an output changes on purpose, say why in
the commit and update the digests.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import pytest

from qualkit.codebook import load_codebook
from qualkit.coding import (
    NEGATED_FILE, SEGMENTS_FILE, VETOED_FILE, Coder, build_pipeline, code_corpus, write_corpus_coding,
)
from qualkit.transcript import Transcript, Turn

ROOT = Path(__file__).resolve().parents[1]
FILES = (SEGMENTS_FILE, NEGATED_FILE, VETOED_FILE)
PINNED = [
    ("tests/fixtures/survey/sample_codebook.yaml", "sentence", (
        "1ebc1b3ffca4f6ebe4e33693241a1280cddf2c8af7846221306768e8717d42e4",
        "f25a31b2b15a9939e08694ac605ef588c5ae929600fba6443dc39940152f0320",
        "8f347f4d7699eeb52c5d491adca584f5976c4cf54cb5d6eff29442b4d2e6751f")),
    ("tests/fixtures/survey/sample_codebook.yaml", "match", (
        "bfbe983dbd47ecf7a8682059376de38c7c22e81582bc2d6eeca585cb92f09ada",
        "f25a31b2b15a9939e08694ac605ef588c5ae929600fba6443dc39940152f0320",
        "3c6c4cc748eb227a0ceacd0a214e99d3966cea665992e4672c2a2872539ff620")),
    ("tests/fixtures/survey/sample_codebook.yaml", "turn", (
        "5a1a1d3099ac5fab8edf19c39beed88f2a44d34ca6f6ac74bf0339a2d495991f",
        "f25a31b2b15a9939e08694ac605ef588c5ae929600fba6443dc39940152f0320",
        "8f347f4d7699eeb52c5d491adca584f5976c4cf54cb5d6eff29442b4d2e6751f")),
    ("tests/fixtures/survey/sample_codebook.yaml", "turn+1", (
        "e3f2b225d6579b1d5aea9f30c04b93e0c1df553fe63654a16d95482243d31a3a",
        "f25a31b2b15a9939e08694ac605ef588c5ae929600fba6443dc39940152f0320",
        "8f347f4d7699eeb52c5d491adca584f5976c4cf54cb5d6eff29442b4d2e6751f")),
    ("tests/fixtures/survey/dense_codebook.yaml", "sentence", (
        "942cf1887c07a722bb97265740e1d89ec14d0839449a0b6051577658aaf7591e",
        "c555a0c16a809b6e84626184c7e7988680f0b3b743c3e68a110493eaf4bf2ac2",
        "ef9ef1665bcd11266dc2a00d345d78cf397d1aa61781edd8c6d11d2ec1b91d14")),
    ("tests/fixtures/survey/dense_codebook.yaml", "match", (
        "6e341945b2c7812f2ac78c298f57f12fc6376d2c603c15a22039c2f7b783336f",
        "c555a0c16a809b6e84626184c7e7988680f0b3b743c3e68a110493eaf4bf2ac2",
        "ef9ef1665bcd11266dc2a00d345d78cf397d1aa61781edd8c6d11d2ec1b91d14")),
    ("tests/fixtures/survey/dense_codebook.yaml", "turn", (
        "9ff736b8e461eb2ce866793a1c8092d3b431361f62f2876f4b5a54f82427405f",
        "c555a0c16a809b6e84626184c7e7988680f0b3b743c3e68a110493eaf4bf2ac2",
        "ef9ef1665bcd11266dc2a00d345d78cf397d1aa61781edd8c6d11d2ec1b91d14")),
    ("tests/fixtures/survey/dense_codebook.yaml", "turn+1", (
        "e5c02ec3caac4467586f67ce4be6524c4214380ba98f28805df8bb03da60c2c7",
        "c555a0c16a809b6e84626184c7e7988680f0b3b743c3e68a110493eaf4bf2ac2",
        "ef9ef1665bcd11266dc2a00d345d78cf397d1aa61781edd8c6d11d2ec1b91d14")),
]


def fixed_corpus() -> list[Transcript]:
    records = json.loads((ROOT / "tests" / "fixtures" / "survey" / "sample_transcripts.json").read_text("utf-8"))
    return [Transcript(r["id"], r["text"], tuple(Turn(*turn) for turn in r["turns"])) for r in records]


def digests(folder: Path) -> tuple[str, ...]:
    return tuple(hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES)


@pytest.mark.parametrize("codebook, unit, expected", PINNED, ids=[f"{Path(c).stem}-{u}" for c, u, _ in PINNED])
def test_coding_output_is_byte_identical(tmp_path: Path, codebook: str, unit: str, expected: tuple[str, ...]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coder = Coder(load_codebook(ROOT / codebook), unit=unit)
        write_corpus_coding(code_corpus(fixed_corpus(), coder), tmp_path)
    found = digests(tmp_path)
    changed = [name for name, a, b in zip(FILES, found, expected) if a != b]
    assert not changed, f"{', '.join(changed)} changed for {codebook} with unit {unit}"


GENERAL = [entry for entry in PINNED if entry[1] in ("sentence", "match")]


@pytest.mark.parametrize("codebook, unit, expected", GENERAL, ids=[f"{Path(c).stem}-{u}" for c, u, _ in GENERAL])
def test_general_pipeline_path_codes_the_same(tmp_path: Path, codebook: str, unit: str,
                                              expected: tuple[str, ...]) -> None:
    """A component after qualkit's lemmatizer (here one that empties doc.user_data) turns off its shortcuts:
    the token ids it keeps on the doc, and lemma requirements answered from lower-case words. The coder then
    reads every doc itself; the output must be the same bytes."""
    nlp = build_pipeline()
    nlp.add_pipe("doc_cleaner", config={"attrs": {"user_data": {}}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coder = Coder(load_codebook(ROOT / codebook), nlp, unit=unit)
        assert coder.matchers.lemma_of is None
        write_corpus_coding(code_corpus(fixed_corpus(), coder), tmp_path)
    found = digests(tmp_path)
    changed = [name for name, a, b in zip(FILES, found, expected) if a != b]
    assert not changed, f"{', '.join(changed)} changed for {codebook} with unit {unit} on the general path"

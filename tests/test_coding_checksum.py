"""The coding output is pinned: sha256 of coded_segments.csv and the set-aside files for a fixed corpus.

Computed on the coder before its speed work (issue 14), so any optimisation must leave every byte as it
was. The corpus is the sample study; the codebooks are the sample's (realistic density) and a dense one
(tests/fixtures/survey/dense_codebook.yaml: 200 generated codes plus near, exclude, within, match and
turn+1 codes, negation on), each under four default units. If an output changes on purpose, say why in
the commit and update the digests.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import pytest

from qualkit.coding import NEGATED_FILE, SEGMENTS_FILE, VETOED_FILE, code_corpus_files

ROOT = Path(__file__).resolve().parents[1]
FILES = (SEGMENTS_FILE, NEGATED_FILE, VETOED_FILE)
PINNED = [
    ("codebooks/sample.yaml", "sentence", (
        "a314c7d7c403f26339ca1f89bd2a0e0fd867390966efd89f6db15d8e9d07cb80",
        "f25a31b2b15a9939e08694ac605ef588c5ae929600fba6443dc39940152f0320",
        "cc61a070358dd0fb1a8883b4a2e0b645ea9d7c73ca0ba54ad3ee7d2bc0a4bac2")),
    ("codebooks/sample.yaml", "match", (
        "1ec6b19f72703e3f1322b40f2f1a77dd716053b7cc61b28e0cfd51cb23a40d25",
        "f25a31b2b15a9939e08694ac605ef588c5ae929600fba6443dc39940152f0320",
        "5a751f34ad640070d897804142397a6c022e0556b081f0165a9cc7a55eb184d6")),
    ("codebooks/sample.yaml", "turn", (
        "a1320b5d4c6a7c178947a4fb761b161d343345f55d41ef193374a195e79b22bf",
        "f25a31b2b15a9939e08694ac605ef588c5ae929600fba6443dc39940152f0320",
        "cc61a070358dd0fb1a8883b4a2e0b645ea9d7c73ca0ba54ad3ee7d2bc0a4bac2")),
    ("codebooks/sample.yaml", "turn+1", (
        "17ed5033e369773b4c965538796a2e8fc270bdf90d3f3754ac26a298ce87c802",
        "f25a31b2b15a9939e08694ac605ef588c5ae929600fba6443dc39940152f0320",
        "cc61a070358dd0fb1a8883b4a2e0b645ea9d7c73ca0ba54ad3ee7d2bc0a4bac2")),
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


def digests(folder: Path) -> tuple[str, ...]:
    return tuple(hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES)


@pytest.mark.parametrize("codebook, unit, expected", PINNED, ids=[f"{Path(c).stem}-{u}" for c, u, _ in PINNED])
def test_coding_output_is_byte_identical(tmp_path: Path, codebook: str, unit: str, expected: tuple[str, ...]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code_corpus_files([ROOT / "transcripts_sample"], ROOT / codebook, tmp_path, unit=unit)
    found = digests(tmp_path)
    changed = [name for name, a, b in zip(FILES, found, expected) if a != b]
    assert not changed, f"{', '.join(changed)} changed for {codebook} with unit {unit}"

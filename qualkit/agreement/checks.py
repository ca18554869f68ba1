"""Refusing agreement figures that would mislead: codings with no located segment or no code in common.

Each refusal names the coding file and the likely cause: an empty file, document names that match no
transcript, code paths that differ only in case or in their separator (``Parent\\Child`` or ``/`` for
`` > ``), or codes that are simply different.
"""

from __future__ import annotations

import re
from typing import Iterable

from qualkit.agreement.human import HumanCoding
from qualkit.agreement.measures import code_key
from qualkit.errors import CodingError
from qualkit.transcript import Transcript

SEPARATORS = re.compile(r"\s*(?:\\|/|::|>|\|)\s*")


def _listed(items: Iterable[str], most: int = 3) -> str:
    items = sorted(items)
    return ", ".join(repr(i) for i in items[:most]) + (", ..." if len(items) > most else "")


def check_located(coding: HumanCoding, transcripts: Iterable[Transcript]) -> None:
    """Raise CodingError when a coding has no segment located in the transcripts, naming the likely cause."""
    if coding.segments:
        return
    if not coding.unlocated:
        raise CodingError(f"{coding.source}: holds no coded segments (an empty file?); nothing to compare")
    ids = [t.id for t in transcripts]
    unknown = {u.document for u in coding.unlocated if u.reason.startswith("no transcript")}
    if len(unknown) and all(u.reason.startswith("no transcript") for u in coding.unlocated):
        raise CodingError(f"{coding.source}: none of its {len(coding.unlocated)} segments is located: its document "
                          f"names ({_listed(unknown)}) match no transcript (transcripts: {_listed(ids)}); name the "
                          "documents by transcript id or file name")
    first = coding.unlocated[0]
    raise CodingError(f"{coding.source}: none of its {len(coding.unlocated)} segments is located in the transcripts "
                      f"(first, line {first.row}: {first.reason}); are these the transcripts it was coded on?")


def check_shared_codes(a: HumanCoding, b: HumanCoding, level: int | None = None) -> None:
    """Raise CodingError when two codings share no code, saying whether case or separators are the cause."""
    codes_a = {code_key(s, level) for s in a.segments}
    codes_b = {code_key(s, level) for s in b.segments}
    if codes_a & codes_b:
        return
    where = f"{a.source} and {b.source} share no code"
    fold_a = {c.casefold(): c for c in codes_a}
    fold_b = {c.casefold(): c for c in codes_b}
    common = sorted(fold_a.keys() & fold_b.keys())
    if common:
        raise CodingError(f"{where}: their code paths differ only in case (e.g. {fold_a[common[0]]!r} and "
                          f"{fold_b[common[0]]!r}); write them alike in both files")
    joined_a = {SEPARATORS.sub(" > ", c).casefold(): c for c in codes_a}
    joined_b = {SEPARATORS.sub(" > ", c).casefold(): c for c in codes_b}
    common = sorted(joined_a.keys() & joined_b.keys())
    if common:
        raise CodingError(f"{where}: their code paths use different separators (e.g. '{joined_a[common[0]]}' and "
                          f"'{joined_b[common[0]]}'); write paths as 'Parent > Child' in both files")
    raise CodingError(f"{where} (A: {_listed(codes_a)}; B: {_listed(codes_b)}); agreement would be meaningless: "
                      "are these codings of the same codebook?")

"""A study's inputs as one call: the transcripts read (attributes joined), the codebook loaded, and what
would mislead refused (an attributes sheet matching no transcript, a ``--group-by`` attribute nobody has).

The main job (``study.run_study``), the study store (``store.init_study``) and REFI-QDA export all read a
study's files through here, so a study folder and a report see exactly the same transcripts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from qualkit.attributes import join_attributes, read_attributes
from qualkit.codebook import Codebook, load_codebook
from qualkit.errors import AttributesError, OutputError
from qualkit.readers import (
    ReadOptions, ReadResult, SurveyColumns, is_run_file, read_survey_tables, read_transcripts_report,
)
from qualkit.settings import SAMPLE_ATTRIBUTES, SAMPLE_HUMAN_CODING, StudySettings
from qualkit.transcript import Transcript


@dataclass
class StudyInput:
    """What a study's files gave: transcripts (attributes joined), the codebook, warnings, skipped files."""

    transcripts: list[Transcript]
    codebook: Codebook
    notes: list[str]
    skipped: list[dict[str, str]]


def read_study(settings: StudySettings, *, grouped: bool = True) -> StudyInput:
    """Read the transcripts (with attributes joined) and the codebook, refusing what would mislead: an
    attributes sheet none of whose ids is a transcript (such as the bundled sample's sheet beside your
    own transcripts) and a ``--group-by`` attribute no transcript has (unless not ``grouped``: a job that
    compares no groups, such as an export)."""
    codebook = load_codebook(settings.codebook)
    options = ReadOptions(interviewer_labels=settings.interviewer_labels)
    # files the run reads in another role (the attributes sheet, a human coding) are not transcripts
    others = (settings.attributes, settings.human_coding, SAMPLE_HUMAN_CODING)
    skip = {Path(other).resolve() for other in others if other}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if settings.text_column:  # survey tables: each response one participant turn, other columns attributes
            columns = SurveyColumns(settings.text_column, settings.id_column)
            read = ReadResult(tuple(read_survey_tables(settings.transcripts, columns)))
        else:
            read = read_transcripts_report(settings.transcripts, options, skip_bad=settings.skip_bad, exclude=skip)
        transcripts = list(read.transcripts)
        if settings.attributes:
            transcripts = _joined(transcripts, settings)
    notes = [str(w.message) for w in caught]
    notes += [f"skipped {message}" for _, message in read.skipped]
    notes += check_group_by(transcripts, settings) if grouped else []
    notes += patternless(codebook)
    return StudyInput(transcripts, codebook, notes, [{"file": f, "reason": m} for f, m in read.skipped])


def load_study(settings: StudySettings, *, grouped: bool = True) -> tuple[list[Transcript], Codebook, list[str]]:
    """Read the transcripts (with attributes joined) and the codebook; return them and any warnings
    (``grouped``: see :func:`read_study`)."""
    found = read_study(settings, grouped=grouped)
    return found.transcripts, found.codebook, found.notes


def _joined(transcripts: list[Transcript], settings: StudySettings) -> list[Transcript]:
    sheet = read_attributes(settings.attributes)  # type: ignore[arg-type]
    names = {t.id for t in transcripts} | {Path(t.source).stem for t in transcripts}
    if sheet and transcripts and not names & {*sheet, *(Path(key).stem for key in sheet)}:
        sample = Path(settings.attributes).resolve() == Path(SAMPLE_ATTRIBUTES).resolve()  # type: ignore[arg-type]
        hint = (" (it is the bundled sample's sheet, used when --attributes is left out: give your own with "
                "--attributes FILE, or --attributes '' for none)" if sample else "")
        raise AttributesError(f"--attributes {settings.attributes}: none of its {len(sheet)} ids matches a transcript "
                              f"(sheet: {_some(sheet)}; transcripts: {_some(t.id for t in transcripts)}){hint}")
    return join_attributes(transcripts, sheet, settings.attributes)  # type: ignore[arg-type]


def _some(names: Iterable[str], shown: int = 3) -> str:
    names = sorted(set(names))
    return ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")


def check_group_by(transcripts: Sequence[Transcript], settings: StudySettings) -> list[str]:
    """Raise AttributesError for a ``--group-by`` attribute that no transcript has (a report grouped by it
    would have no groups). Without an attributes sheet, the default ``group`` is allowed when no transcript
    has it: one group, and a note that says so (returned)."""
    known = sorted({k for t in transcripts for k in t.attributes})
    for name in (settings.group_by, *settings.also_group_by):
        if name in known:
            continue
        if name == "group" and not settings.attributes and not settings.also_group_by:
            return ["no attributes sheet and no transcript has a 'group' attribute: every participant is in one "
                    "group (give --attributes and --group-by to compare groups)"]
        where = f"the attributes ({settings.attributes})" if settings.attributes else "the transcripts' attributes"
        raise AttributesError(f"--group-by {name!r}: no such attribute in {where} "
                              f"(attributes: {', '.join(known) or 'none'})")
    return []


def patternless(codebook: Codebook) -> list[str]:
    """Return a note when codes have no patterns: the first pass never applies them (a codebook imported
    from a spreadsheet or another tool often has only names and definitions)."""
    bare = [code.id for code in codebook.codes if not code.patterns]
    if not bare:
        return []
    if len(bare) == len(codebook.codes):
        which = f"none of its {len(bare)} codes has patterns"
    else:
        which = f"{len(bare)} of its {len(codebook.codes)} codes have no patterns ({_some(bare)})"
    return [f"{codebook.source}: {which}: such codes code nothing automatically; add patterns (see "
            "codebooks/README.md), or code them by hand in a study's review (qualkit study init, qualkit review)"]


def check_out(out: str | Path, transcripts: Iterable[str | Path] = (), writes: Iterable[str] = ()) -> None:
    """Raise OutputError when writing into ``out`` would lose something: it is a transcripts folder itself
    (its reports would be read as transcripts by the next run), or it holds files of the names about to be
    written (``writes``) that no qualkit run wrote (no run.json of one beside them): a user's own report.md.
    (An output folder inside a transcripts folder is left out when read.)"""
    target = Path(out)
    for folder in transcripts:
        if Path(folder).is_dir() and Path(folder).resolve() == target.resolve():
            raise OutputError(f"--out {out}: is the transcripts folder {folder}; the reports would be read as "
                              "transcripts next time: write them into another folder (or a folder inside it)")
    if not target.is_dir() or is_run_file(target / "run.json"):
        return
    taken = sorted(name for name in set(writes) if (target / name).exists())
    if taken:
        raise OutputError(f"--out {out}: holds {_some(taken)}, not written by a qualkit run (no run.json of one); "
                          "they would be replaced: choose another folder, or move them")

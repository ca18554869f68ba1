"""An imported project written as a study folder, all or nothing, never over another study unasked."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from qualkit.errors import ExchangeError
from qualkit.refi.guids import IDS_FILE
from qualkit.refi.project import ImportedProject, read_project
from qualkit.refi.transcripts import attributes_csv, file_names

STUDY_FILES = ("codebook.yaml", "participants.csv", "transcripts", "coded_segments.csv", IDS_FILE)


def study_files(out: str | Path) -> list[str]:
    """Return the study files (and the ``transcripts/`` folder) a folder already holds."""
    return [name + ("/" if name == "transcripts" else "") for name in STUDY_FILES if (Path(out) / name).exists()]


def _refuse(out: Path) -> None:
    present = study_files(out)
    if present:
        raise ExchangeError(f"{out}: already holds a study ({', '.join(present)}); not written (use --force to replace it)")


def import_study(path: str | Path, out: str | Path, *, lenient: bool = False, force: bool = False) -> ImportedProject:
    """Read a REFI-QDA project and write it as a study folder (see :func:`write_study`); a folder that
    holds a study is refused before the project is read, unless ``force``."""
    if not force:
        _refuse(Path(out))
    project = read_project(path, lenient=lenient)
    write_study(project, out, force=force)
    return project


def write_study(project: ImportedProject, out: str | Path, *, force: bool = False) -> list[Path]:
    """Write an imported project as a study folder ``qualkit run`` accepts: ``transcripts/*.txt``,
    ``participants.csv``, ``codebook.yaml``, ``coded_segments.csv`` and ``guids.json`` (the other
    tool's GUIDs and the codings' dates, used by the next export).

    Everything is written into a temporary folder beside ``out`` and moved in when complete. A folder
    that already holds study files is refused unless ``force`` (then they are replaced, with the old
    ``transcripts/`` folder as a whole). Returns the paths written.
    """
    from qualkit.report import segments_csv

    out = Path(out)
    if not force:
        _refuse(out)
    names = file_names([t.id for t in project.transcripts])
    outputs: dict[str, str] = {f"transcripts/{names[t.id]}": project.files[t.id] for t in project.transcripts}
    outputs["participants.csv"] = attributes_csv(project.attributes)
    if project.codebook is not None:
        outputs["codebook.yaml"] = project.codebook_yaml
    outputs["coded_segments.csv"] = segments_csv(project.segments)
    outputs[IDS_FILE] = project.ids.to_json()
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".qualkit-import-", dir=parent))
    except OSError as exc:
        raise ExchangeError(f"{out}: cannot write the study here: {exc.strerror}") from None
    try:
        (staging / "transcripts").mkdir()
        for name, content in outputs.items():
            (staging / name).write_text(content, encoding="utf-8", newline="")
        _move_in(staging, out)
    except OSError as exc:
        raise ExchangeError(f"{out}: cannot write the study: {exc.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in outputs]


def _move_in(staging: Path, out: Path) -> None:
    """Move the staged study into ``out``; the replaced study files are put back if a move fails."""
    out.mkdir(parents=True, exist_ok=True)
    old = Path(tempfile.mkdtemp(prefix=".qualkit-old-", dir=out.resolve().parent))
    moved: list[str] = []
    try:
        for name in STUDY_FILES:
            if (out / name).exists():
                os.replace(out / name, old / name)
                moved.append(name)
        for entry in staging.iterdir():
            os.replace(entry, out / entry.name)
    except OSError:
        for name in moved:
            if (out / name).exists():
                shutil.rmtree(out / name) if (out / name).is_dir() else (out / name).unlink()
            os.replace(old / name, out / name)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)

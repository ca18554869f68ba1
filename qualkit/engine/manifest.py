"""The output folder of a distributed run: the manifest of parts done, assembly in plan order, ``_SUCCESS``.

The manifest (``_manifest.json``, rewritten atomically by the one client as parts finish, at most once a
second, and when the run stops) records every part done with its files' checksums, so a run killed
part-way shows what it finished and ``--resume`` codes only the rest. When every part is there, the
outputs are assembled in plan order (CSV: one header and the parts' rows; Parquet: the parts become a
partitioned dataset's files), and ``_SUCCESS`` records their checksums. A finished folder is never written into again: a re-run of the same plan
verifies it, anything else is refused.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from qualkit.coding import NEGATED_FILE, SEGMENTS_FILE, VETOED_FILE
from qualkit.engine.parts import PARTS_FOLDER, file_sha256, part_paths
from qualkit.engine.plan import Part, Plan
from qualkit.errors import OutputError
from qualkit.segments import SEGMENT_COLUMNS, SET_ASIDE_COLUMNS

MANIFEST_FILE = "_manifest.json"
SUCCESS_FILE = "_SUCCESS"
SAVE_EVERY = 1.0  # seconds
OUTPUT_NAMES = {"segments": SEGMENTS_FILE, "negated": NEGATED_FILE, "vetoed": VETOED_FILE}


def output_paths(out: Path, fmt: str) -> dict[str, Path]:
    """Return the final outputs: three CSV files, or three Parquet dataset folders (``coded_segments/``)."""
    if fmt == "parquet":
        return {kind: out / Path(name).stem for kind, name in OUTPUT_NAMES.items()}
    return {kind: out / name for kind, name in OUTPUT_NAMES.items()}


class Manifest:
    """The parts of a plan done so far in an output folder, saved as they finish: at most once every
    ``SAVE_EVERY`` seconds (the whole file is rewritten, so saving after every one of thousands of parts
    would grow with the square of their number), and always when the run stops. A part done but not yet
    saved when the client is killed is coded again on ``--resume``, into the same bytes."""

    def __init__(self, out: Path, plan: Plan, fmt: str, done: dict[str, Any] | None = None) -> None:
        self.out, self.plan, self.fmt = out, plan, fmt
        self.done: dict[str, Any] = done or {}
        self.saved_at = 0.0

    @property
    def path(self) -> Path:
        """Return the manifest file's path."""
        return self.out / MANIFEST_FILE

    def record(self, result: dict[str, Any]) -> None:
        """Note a finished part; save the manifest when the last save is ``SAVE_EVERY`` seconds old."""
        self.done[result["name"]] = result
        if time.monotonic() - self.saved_at >= SAVE_EVERY:
            self.save()

    def save(self) -> None:
        """Write the manifest under a temporary name and rename it over the old one (atomically: a kill
        leaves the old or the new one)."""
        self.saved_at = time.monotonic()
        data = {"plan": self.plan.id, "format": self.fmt, "parts": len(self.plan.parts),
                "names": [p.name for p in self.plan.parts], "done": self.done}
        temporary = self.path.with_name(f".{MANIFEST_FILE}.tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)


def read_json(path: Path) -> dict[str, Any] | None:
    """Return a JSON file's object, or ``None`` when it is absent; a damaged one is an OutputError."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot read it ({exc}); the folder does not hold a run qualkit can continue")
    if not isinstance(data, dict):
        raise OutputError(f"{path}: not a qualkit manifest")
    return data


def open_folder(out: Path, plan: Plan, fmt: str, resume: bool) -> Manifest | dict[str, Any]:
    """Return the manifest to continue in ``out``, or the ``_SUCCESS`` record of a finished run of this
    very plan whose outputs still match their checksums (nothing is then written). Refuse a folder
    holding a finished run of another plan, a partial run without ``--resume``, or another coding."""
    finished = read_json(out / SUCCESS_FILE)
    if finished is not None:
        if finished.get("plan") != plan.id or finished.get("format") != fmt:
            raise OutputError(f"{out}: holds a finished run of other inputs, codebook or settings; qualkit never "
                              f"writes into a finished folder (choose a new --out)")
        for name, digest in finished.get("outputs", {}).items():
            path = out / name
            if not path.is_file() or file_sha256(path) != digest:
                raise OutputError(f"{path}: does not match the checksum recorded in {out / SUCCESS_FILE} "
                                  f"(changed or removed since the run); qualkit leaves the folder as it is")
        return finished
    earlier = read_json(out / MANIFEST_FILE)
    if earlier is not None:
        if not resume:
            raise OutputError(f"{out}: holds an unfinished run ({len(earlier.get('done', {}))} of "
                              f"{earlier.get('parts', '?')} parts done); add --resume to finish it, or choose a new --out")
        if earlier.get("plan") != plan.id or earlier.get("format") != fmt:
            raise OutputError(f"{out}: holds an unfinished run of other inputs, codebook or settings; --resume "
                              f"continues only the same run (same inputs, unchanged, and options)")
        manifest = Manifest(out, plan, fmt)
        by_name = {part.name: part for part in plan.parts}
        manifest.done = {name: result for name, result in earlier.get("done", {}).items()
                         if name in by_name and part_is_whole(out, by_name[name], fmt, result)}
        return manifest
    taken = [path for path in output_paths(out, fmt).values() if path.exists()]
    if taken:
        raise OutputError(f"{out}: already holds {taken[0].name}; the distributed engine writes only into a new "
                          f"or empty folder (choose another --out)")
    return Manifest(out, plan, fmt)


def part_is_whole(out: Path, part: Part, fmt: str, result: dict[str, Any]) -> bool:
    """Return whether a recorded part's files are all there with their recorded checksums."""
    for kind, path in part_paths(out, part, fmt).items():
        found = path if path.exists() else output_paths(out, fmt)[kind] / f"{part.name}.parquet"
        if not found.is_file() or file_sha256(found) != result["files"][kind]["sha256"]:
            return False
    return True


def assemble(manifest: Manifest, summary: dict[str, Any]) -> dict[str, Any]:
    """Put the parts together in plan order, write ``_SUCCESS`` and remove the parts; return the record."""
    out, plan, fmt = manifest.out, manifest.plan, manifest.fmt
    outputs: dict[str, str] = {}
    for kind, final in output_paths(out, fmt).items():
        if fmt == "parquet":
            final.mkdir(exist_ok=True)
            for part in plan.parts:
                source = part_paths(out, part, fmt)[kind]
                target = final / f"{part.name}.parquet"
                if source.exists():
                    os.replace(source, target)
                outputs[str(target.relative_to(out))] = manifest.done[part.name]["files"][kind]["sha256"]
            continue
        temporary = final.with_name(f".{final.name}.partial")
        with temporary.open("wb") as target:
            target.write(_header(SEGMENT_COLUMNS if kind == "segments" else SET_ASIDE_COLUMNS))
            for part in plan.parts:
                with part_paths(out, part, fmt)[kind].open("rb") as source:
                    shutil.copyfileobj(source, target, 1 << 20)
        os.replace(temporary, final)
        outputs[final.name] = file_sha256(final)
    record = {"plan": plan.id, "format": fmt, "outputs": outputs, "summary": summary}
    temporary = out / f".{SUCCESS_FILE}.tmp"
    temporary.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, out / SUCCESS_FILE)
    shutil.rmtree(out / PARTS_FOLDER, ignore_errors=True)
    return record


def _header(columns: list[str]) -> bytes:
    """The header line exactly as ``csv.DictWriter.writeheader`` writes it for ``qualkit code``."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(columns)
    return buffer.getvalue().encode("utf-8")


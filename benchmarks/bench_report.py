"""Time writing every report for 100 transcripts (the bundled sample repeated); coding is not timed.

    python benchmarks/bench_report.py [--copies 100]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualkit.report import write_report  # noqa: E402
from qualkit.study import StudySettings, run_study  # noqa: E402


def repeat_sample(target: Path, copies: int) -> tuple[Path, Path]:
    """Write ``copies`` transcripts cycling through the sample, each with a new id, and their attributes."""
    sample = sorted((ROOT / "transcripts_sample").glob("*.txt"))
    rows = list(csv.DictReader((ROOT / "transcripts_sample" / "participants.csv").open(encoding="utf-8")))
    by_id = {r["id"]: r for r in rows}
    folder = target / "transcripts"
    folder.mkdir()
    out_rows = []
    for n in range(copies):
        source = sample[n % len(sample)]
        old, new = source.stem, f"{source.stem}x{n:03d}"
        text = source.read_text(encoding="utf-8")
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
        (folder / f"{new}.txt").write_text(text, encoding="utf-8")
        out_rows.append({**by_id.get(old, {"id": old}), "id": new})
    sheet = target / "participants.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(out_rows[0]))
        writer.writeheader()
        writer.writerows(out_rows)
    return folder, sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, sheet = repeat_sample(Path(tmp), args.copies)
        began = time.perf_counter()
        result = run_study(StudySettings(transcripts=(str(folder),), attributes=str(sheet),
                                         codebook=str(ROOT / "codebooks" / "sample.yaml"), n_themes=6))
        coded = time.perf_counter() - began
        began, cpu = time.perf_counter(), time.process_time()
        written = write_report(result, Path(tmp) / "reports")
        rendered, cpu = time.perf_counter() - began, time.process_time() - cpu
        size = sum(p.stat().st_size for p in written)
    print(f"transcripts: {len(result.transcripts)}  segments: {len(result.segments)}  coding: {coded:.1f} s")
    print(f"report: {len(written)} files, {size / 1e6:.1f} MB, rendered and written in {rendered:.2f} s "
          f"({cpu:.2f} s of CPU; the rest is waiting on a busy machine)")


if __name__ == "__main__":
    main()

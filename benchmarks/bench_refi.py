"""Export and re-import the sample study repeated to about 1M words; print seconds and peak memory.

Run from the repository root: ``python benchmarks/bench_refi.py [WORDS]``. The sample is coded once and
its transcripts and coded segments are copied (ids suffixed) until the corpus reaches WORDS words.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from qualkit.coding import code_transcripts
from qualkit.refi import export_project, read_project, write_study
from qualkit.study import StudySettings, load_study


def main(target: int = 1_000_000) -> None:
    transcripts, codebook, _ = load_study(StudySettings())
    segments = code_transcripts(transcripts, codebook)
    words = sum(len(t.text.split()) for t in transcripts)
    copies = -(-target // words)
    big_t, big_s = [], []
    for n in range(copies):
        big_t += [dataclasses.replace(t, id=f"{t.id}-{n}") for t in transcripts]
        big_s += [dataclasses.replace(s, transcript=f"{s.transcript}-{n}") for s in segments]
    total_words = words * copies
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.qdpx"
        began = time.perf_counter()
        export_project(path, big_t, codebook, big_s)
        exported = time.perf_counter()
        project = read_project(path)
        imported = time.perf_counter()
        write_study(project, Path(folder) / "study")
        written = time.perf_counter()
        # Exporting the imported study again with its kept GUIDs and dates, and for NVivo (UTF-16 positions).
        export_project(Path(folder) / "again.qdpx", list(project.transcripts), project.codebook, list(project.segments),
                       ids=project.ids, positions="utf16")
        again = time.perf_counter()
        size = path.stat().st_size
        # A second pass measures the peak of Python allocations (tracemalloc slows it, so it is not timed).
        del project
        tracemalloc.start()
        export_project(path, big_t, codebook, big_s)
        _, export_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        project = read_project(path)
        write_study(project, Path(folder) / "study2")
        _, import_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert len(project.segments) == len(big_s)
    result = {
        "words": total_words, "transcripts": len(big_t), "codings": len(big_s), "qdpx_mb": round(size / 1e6, 1),
        "export_s": round(exported - began, 2), "import_s": round(imported - exported, 2),
        "write_study_s": round(written - imported, 2), "reexport_kept_guids_utf16_s": round(again - written, 2),
        "export_peak_mb": round(export_peak / 1e6, 1), "import_peak_mb": round(import_peak / 1e6, 1),
        "process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1),
    }
    print(f"{total_words:,} words, {len(big_t)} transcripts, {len(big_s):,} codings; .qdpx {result['qdpx_mb']} MB")
    print(f"export {result['export_s']} s (peak {result['export_peak_mb']} MB traced), "
          f"import {result['import_s']} s + write study {result['write_study_s']} s (peak {result['import_peak_mb']} MB traced); "
          f"re-export with kept GUIDs, UTF-16 positions {result['reexport_kept_guids_utf16_s']} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

"""Ingest benchmark over the real files in ../shared/data: words per second per format.

Each real file is read ``--repeat`` times; text, WebVTT and JSON files are also made ``--scale`` times
longer (their turns or cues repeated) to show that reading time grows in line with size.

    python benchmarks/bench_ingest.py [--data ../shared/data] [--repeat 3] [--scale 10]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from collections import defaultdict
from pathlib import Path

from qualkit.readers import FORMAT_READERS, ReadOptions, detect_format

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("QUALKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))
FILES = ["metamuse/*/*.txt", "metamuse/vtt/*.vtt", "metamuse/reduct_json/*.json", "exports/vtt/*.vtt",
         "exports/txt/*.txt", "exports/docx/*.docx", "pdpilot/transcripts/*.txt", "pdpilot/original_pdf/P*.pdf"]


def scaled(raw: bytes, fmt: str, scale: int) -> bytes:
    """Return the file's content with its body repeated ``scale`` times."""
    if scale == 1:
        return raw
    if fmt == "vtt":
        head, _, body = raw.partition(b"\n\n") if b"\r\n\r\n" not in raw else raw.partition(b"\r\n\r\n")
        return head + b"\n\n" + b"\n\n".join([body.strip()] * scale) + b"\n"
    if fmt == "json":
        data = json.loads(raw.decode("utf-8-sig"))
        data["segments"] = data["segments"] * scale
        return json.dumps(data).encode()
    if fmt == "text":
        return b"\n\n".join([raw.strip()] * scale) + b"\n"
    return raw


def run(data: Path, repeat: int, scale: int) -> dict[str, tuple[int, float, int]]:
    """Return {format (scale): (words, seconds, files)}."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    options = ReadOptions()
    for pattern in FILES:
        for path in sorted(data.glob(pattern)):
            raw = path.read_bytes()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fmt = detect_format(path, raw)
                for factor in sorted({1, scale}):
                    content = scaled(raw, fmt, factor)
                    if factor > 1 and content is raw:
                        continue
                    start = time.perf_counter()
                    for _ in range(repeat):
                        transcript = FORMAT_READERS["text" if fmt == "zoom-captions" else fmt](path, content, options)
                    elapsed = time.perf_counter() - start
                    words = sum(len(transcript.turn_text(t).split()) for t in transcript.turns) * repeat
                    key = f"{transcript.format} x{factor}"
                    totals[key][0] += words
                    totals[key][1] += elapsed
                    totals[key][2] += 1
    return {key: (int(w), s, int(n)) for key, (w, s, n) in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data}: real data folder not found (set QUALKIT_SHARED_DATA)")
    results = run(args.data, args.repeat, args.scale)
    print(f"{'format':<20}{'files':>6}{'words read':>14}{'seconds':>10}{'words/s':>12}")
    for key in sorted(results):
        words, seconds, files = results[key]
        print(f"{key:<20}{files:>6}{words:>14,}{seconds:>10.2f}{words / seconds if seconds else 0:>12,.0f}")


if __name__ == "__main__":
    main()

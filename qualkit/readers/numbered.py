"""Line-numbered transcripts: ``1  Interviewer: ...`` / ``2  in the community ...``, numbered for citing lines.

When nearly every line opens with a number one more than the line before's, the numbers are no speech:
they are blanked with spaces in the stored text (so every offset still matches the file) and the labels
after them are learned as at any line start. A warning says so.
"""

from __future__ import annotations

import re

NUMBER = re.compile(r"^[ \t]*\d{1,5}[.:)]?(?=[ \t]+\S|[ \t]*$)", re.MULTILINE)
MIN_LINES, SHARE, IN_ORDER = 5, 0.8, 0.9


def blank_line_numbers(text: str) -> tuple[str, str | None]:
    """Return the text with its line numbers blanked and a warning, or the text unchanged and None."""
    found = list(NUMBER.finditer(text))
    lines = sum(1 for line in text.split("\n") if line.strip())
    if len(found) < MIN_LINES or len(found) < SHARE * lines:
        return text, None
    numbers = [int(re.sub(r"\D", "", m.group(0))) for m in found]
    in_order = sum(b == a + 1 for a, b in zip(numbers, numbers[1:]))
    if in_order < IN_ORDER * (len(numbers) - 1):
        return text, None
    parts, position = [], 0
    for match in found:
        parts.extend((text[position:match.start()], " " * (match.end() - match.start())))
        position = match.end()
    parts.append(text[position:])
    return "".join(parts), (f"lines are numbered ({numbers[0]}-{numbers[-1]}): the numbers are read as line numbers, "
                            "not speech, and blanked with spaces in the stored text (offsets still match the file)")

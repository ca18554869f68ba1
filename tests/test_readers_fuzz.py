"""Random input never crashes a reader: it returns turns with sound offsets or raises TranscriptError."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.errors import TranscriptError
from qualkit.readers import FORMAT_READERS, ReadOptions
from tests.test_readers_support import check_offsets

PIECES = st.sampled_from([
    "Interviewer: ", "Speaker 1 (00:37):\n", "Name (00:00:29) - ", "[00:01:23] R: ", "P07:", "Jane Doe  0:00\n",
    "WEBVTT\n\n", "00:00:01.000 --> 00:00:02.000\n", "<v 0>", "</v>", "<v Smith, Jane>", "1\n", "\n\n", "\r\n", "\t",
    "---\n", "id: x\n", "[G1] 19:00:25\n", "hello there", "//S01: ", "NOTE\n", "{", "}", "\"segments\": [",
    "<p><b>Dan:</b> hi</p>", "<html>", "a,b,c\n", "speaker,text\n", "\u2019", "\ufeff", "é", "00:00:01,000 --> 00:00:02,000\n",
])
TEXTS = st.one_of(st.text(max_size=300), st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=30).map("".join))
FORMATS = ["text", "vtt", "srt", "html", "json", "csv"]


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_random_text_gives_turns_or_a_transcript_error(fmt, text):
    path = Path(f"random.{fmt}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            transcript = FORMAT_READERS[fmt](path, text.encode("utf-8"), ReadOptions())
        except TranscriptError as error:
            assert str(error).startswith("random.")
            return
    assert transcript.turns
    check_offsets(transcript)


@pytest.mark.parametrize("fmt", ["docx", "odt", "pdf", "xlsx"])
@settings(max_examples=12, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_in_binary_formats_raise_a_transcript_error(fmt, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            FORMAT_READERS[fmt](Path(f"random.{fmt}"), data, ReadOptions())
        except TranscriptError as error:
            assert str(error).startswith("random.")

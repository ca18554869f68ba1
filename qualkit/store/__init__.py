"""The study store: a study folder's SQLite database of transcripts, codebook versions, coding runs,
automatic segments with stable ids, set-aside hits, every reviewer's decision and memos.

``init_study`` makes a study (imports and codes it), ``open_study`` opens one (migrating an older schema),
``Study`` reads and writes it (each write one transaction of new rows; nothing is deleted), and
``reviewed_coding`` gives a report the coding reviewers stand behind. Rooms: ``schema`` (migrations,
connections, transactions), ``coding_runs`` (imports and runs), ``decisions`` (decisions and memos),
``reading`` (segments and their state), ``status`` (counts and agreement), ``reviewed``, ``study``.
"""

from qualkit.store.decisions import CODER_RE, DECISIONS, MEMO_TARGETS, check_coder
from qualkit.store.reviewed import ReviewedCoding, reviewed_coding
from qualkit.store.schema import DATABASE, SCHEMA_VERSION
from qualkit.store.status import STATUS_KEYS, render_status
from qualkit.store.study import Study, init_study, open_study

__all__ = [
    "CODER_RE", "DATABASE", "DECISIONS", "MEMO_TARGETS", "SCHEMA_VERSION", "STATUS_KEYS", "ReviewedCoding", "Study",
    "check_coder", "init_study", "open_study", "render_status", "reviewed_coding",
]

"""The words of speaker labels: roles, titles, cover-block keys, and how a label is compared, split and judged.

A label is compared case-folded without full stops (:func:`key_of`); its parts may name a role
(``Interviewer (Sarah)``: :func:`role_parts`); a person named in a cover block may be labelled by full name,
first or last name or initials (:func:`name_forms`); a candidate reads as a label, not a sentence's start,
by its shape (:func:`shape_ok`); a label used once may be a typo of a recurring one (:func:`typo_of`).
"""

from __future__ import annotations

import re
from functools import lru_cache

SPEECH_WORDS = frozenset(
    "so and but well note notes nb ps re eg ie e.g i.e http https yes no yeah okay ok um uh oh also basically "
    "actually anyway example because then like now see edit update warning tip hint important remember "
    "the this that these those there it its my our your his her their we you they he she in on at to of with as "
    "just if when where why how what who which because first second third finally".split()
)
PARTICLES = frozenset("de del della der den van von da di du la le al bin y & and / - – (".split())
ROLE_INTERVIEWER = frozenset("interviewer interviewers int i q moderator mod facilitator researcher experimenter".split())
ROLE_PARTICIPANT = frozenset(
    "participant interviewee respondent resp r a ans answer narrator informant patient client subject user "
    "p participants interviewees".split()
)
PARTICIPANT_ID = re.compile(r"^(?:p|participant|respondent|r|pt|id)[ #_-]?\d+[a-z]?$")
ROLE_WORDS = ROLE_INTERVIEWER | ROLE_PARTICIPANT | {"speaker", "spk", "dr", "mr", "mrs", "ms", "prof"}
COVER_KEY_PHRASES = frozenset({
    "persons present", "people present", "transcribed by", "interviewed by", "conducted by", "interview date",
    "interview location", "interview number", "audio file", "date of interview", "place of interview",
    "name of interviewer", "name of interviewee", "name of narrator", "recording date", "recorded by",
})
COVER_KEYS = COVER_KEY_PHRASES | frozenset(
    "date time place location venue duration length project study title transcriber transcription attendees "
    "present recorded recording language site setting interview session file tape mode format version source "
    "collection accession".split()
)
"""Keys of a transcript's cover block (besides the names of who took part)."""
COVER_INTERVIEWER = frozenset({"interviewer", "interviewers", "interviewed by", "conducted by", "moderator",
                               "facilitator", "researcher", "name of interviewer"})
COVER_PARTICIPANT = frozenset({"interviewee", "narrator", "respondent", "participant", "informant",
                               "name of interviewee", "name of narrator"})
FEW = 10
"""Below this many turns with recurring labels, a one-off label is taken as it is."""
# Someone helping to run the session beside its interviewer (an assistant or second moderator, a co-facilitator,
# a research assistant), or recording it (a transcriber's summary, notes, an observer, an interpreter): neither
# is a participant. ``Moderator 2`` and ``Facilitator`` are interviewer labels already (DEFAULT_INTERVIEWER_LABELS).
RUNS_SESSION = re.compile(
    r"(?:assistant|asst|associate|deputy|second|2nd|co|lead|senior|junior)[- ]?"
    r"(?:moderator|facilitator|interviewer|researcher)"
    r"|(?:moderator|facilitator|interviewer|researcher)(?:'s|s')? assistant|research(?:er)? (?:assistant|associate)")
RECORDS_SESSION = re.compile(
    r"(?:transcriber|translator|interpreter)(?:'s)?(?: notes?)?|transcription(?: notes?)?|notes?|note-? ?taker"
    r"|observer|translation")
# A voice naming no one: a chorus (All, Several participants), a voice not told apart (Unknown speaker, Crosstalk).
CHORUS = re.compile(
    r"(?:all|both|several|many|multiple|various|some|others?)(?: (?:participants|speakers|voices|people|members))?"
    r"|every(?:one|body)|group|voices|cross-?talk|participants|respondents|speaker|\?+"
    r"|(?:unknown|unidentified|unclear|inaudible)(?: (?:participant|speaker|voice|person|male|female|man|woman))?")
RUNS, RECORDS = "runs", "records"


def _plain(label: str) -> str:
    return " ".join(label.strip(" .:;-_[]()").casefold().split())


@lru_cache(maxsize=4096)
def helper_kind(label: str) -> str | None:
    """Return ``runs`` for a label naming someone who helps to run the session (``Assistant Moderator``,
    ``Co-facilitator``, ``Research assistant 2``), ``records`` for someone recording it (``Transcriber``,
    ``Note taker``, ``Observer``, ``Interpreter (Somali)``), else None (participants, interviewers, names)."""
    parts = [p for p in (" ".join(part.strip(" :;-_[]").split()) for part in role_parts(label)) if p]
    if not parts:
        return None
    for pattern, kind in ((RUNS_SESSION, RUNS), (RECORDS_SESSION, RECORDS)):
        if pattern.fullmatch(_plain(label)) or pattern.fullmatch(parts[0]):
            return kind
    return None


def names_no_participant(label: str) -> bool:
    """Return whether a speaker label names no participant of its own: a chorus (``All``), a voice not told
    apart (``Unknown speaker``, a bare ``Speaker``) or someone helping to run or record the session
    (``Assistant Moderator``, ``Transcriber``)."""
    return bool(CHORUS.fullmatch(_plain(label))) or helper_kind(label) is not None
TITLES = frozenset("dr mr mrs ms miss prof professor sir dame rev".split())


@lru_cache(maxsize=4096)
def key_of(label: str) -> str:
    """Return the form labels are compared in: case-folded, without full stops and extra spaces."""
    return " ".join(label.replace(".", " ").casefold().split()) if "." in label else " ".join(label.casefold().split())


def role_parts(label: str) -> list[str]:
    """Return the parts of a label that may name a role: ``Interviewer (Sarah)`` -> interviewer, sarah."""
    parts = re.split(r"[/()]|\s[-–—]\s", label.replace(".", ""))
    found = []
    for part in parts:
        part = re.sub(r"[\s#_-]*\d+[a-z]?$", "", " ".join(part.casefold().split()))
        if part:
            found.append(part)
    return found


def name_forms(name: str) -> set[str]:
    """Return the ways a person named in a cover block may be labelled: full, first, last, initials."""
    tokens = [t for t in re.split(r"[\s.]+", name.casefold()) if t and t not in TITLES]
    forms = {key_of(name).replace(" ", "")}
    if tokens:
        forms |= {" ".join(tokens), tokens[0], tokens[-1]}
        if len(tokens) >= 2:
            forms.add("".join(t[0] for t in tokens))
    return {f for f in forms if f}


def label_matches(label: str, forms: set[str]) -> bool:
    """Return whether a label (or one of its parts) is one of ``forms``."""
    key = key_of(label)
    return key in forms or key.replace(" ", "") in forms or any(p in forms for p in role_parts(label))


def known_role(label: str) -> bool:
    """Return whether a label names a role (a helper's too: ``Note taker``) or a participant id on its own."""
    return any(p in ROLE_INTERVIEWER or p in ROLE_PARTICIPANT or p == "speaker" for p in role_parts(label)) or bool(
        PARTICIPANT_ID.match(key_of(label).replace(" ", ""))) or helper_role(label)


def helper_role(label: str) -> bool:
    """Return whether a label names a helper's role (``helper_kind``), a bare ``Note:`` aside: a word that
    opens a line once inside speech (``Note: she laughed.``) stays speech."""
    return helper_kind(label) is not None and _plain(label) not in {"note", "notes"}


@lru_cache(maxsize=4096)
def shape_ok(label: str) -> bool:
    """Return whether a candidate reads as a label (a name, a role, an id), not the start of a sentence."""
    tokens = label.split()
    if not tokens or len(tokens) > 6 or label.replace(".", "").isdigit():
        return False
    if len(tokens) > 1 and (" ".join(tokens).casefold() in COVER_KEY_PHRASES or helper_role(label)):
        return True
    first = tokens[0].casefold().rstrip(".")
    if first in SPEECH_WORDS:
        return False
    depth = 0
    for token in tokens[1:]:
        if depth or token.startswith("("):
            depth += token.count("(") - token.count(")")
            continue
        low = token.casefold().rstrip(".")
        if not (token[0].isupper() or token[0].isdigit() or token[0] == "#" or low in PARTICLES or low in ROLE_WORDS
                or re.fullmatch(r"(?:\w\.)+", token)):
            return False
    return True


def style_of(label: str) -> str:
    """Return the letter-case style of a label: upper, lower or title."""
    letters = [c for c in label if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return "upper"
    if letters and all(c.islower() for c in letters):
        return "lower"
    return "title"


def typo_of(key: str, recurring: dict[str, int]) -> str | None:
    """Return the recurring label ``key`` is one or two letters away from (digits must agree), else None."""
    if len(key) < 4:
        return None
    for other, count in recurring.items():
        if count < 3 or other == key or re.sub(r"\D", "", other) != re.sub(r"\D", "", key):
            continue
        if abs(len(other) - len(key)) <= 2 and _distance(key, other) <= (1 if len(key) <= 5 else 2):
            return other
    return None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]

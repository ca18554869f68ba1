"""Speaker labels learned from the document: what recurs at line starts before a separator.

A transcript's labels are the words that open its lines before a colon, a tab, or a dash (``Name -``,
``Name (00:00:29) - ``), in any case and with the usual decorations (``**Name:**``, ``# Name:``,
``Name / Site:``, ``Role (Name):``, ``Int.:``, ``Dr A.B.:``, ``[00:01:23] Name:``). A candidate becomes a
label when it recurs, names a role (``Interviewer``, ``Respondent``, ``P07``), or is named in the cover
block; a one-off word inside speech (``So basically:``, ``Note:``) stays speech, and a label used once
among recurring ones is taken with a warning (mapped to the label it is a likely typo of, if any).
A cover block (``Date: ...``, ``Interviewer: Jane Smith`` lines before the first exchange) is kept as
attributes, not speech.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from qualkit.readers.brackets import bracket_marks, unnamed_labels
from qualkit.readers.labels import LABEL, OTTER, OTTER_TIME_FIRST, TIME, numbered
from qualkit.readers.vocab import (
    COVER_INTERVIEWER, COVER_KEYS, COVER_PARTICIPANT, FEW, PARTICLES, key_of, known_role, label_matches, name_forms,
    shape_ok, style_of, typo_of,
)

SEP_COLON, SEP_TAB, SEP_DASH, SEP_BRACKET, SEP_DOT, SEP_LINE = "colon", "tab", "dash", "bracket", "dot", "line"
SEP_TIGHT = "tight"
"""A colon with the speech right after it (``Participant:Fine``): a label only when it recurs or names a role."""
ONE_OFFS = 4
"""More labels than this, none naming a role and at most one used again (twice), opening under half of the
text's passages (paragraphs, and each labelled line: a turn wrapped over lines is one), are a document's headings (``Date:``, ``Rationale:``, ``Risk:`` among its paragraphs), not people
who each spoke once: a conversation has two labels that recur, or one (a chair's) used three times or more, and
a thread of comments labels every line."""
SEP_TIME = "time"
"""A bracketed time and a space, no colon (``**Name** [0:00] words``): a label only when it recurs or the file's
turns open so."""
_S = r"[^\S\n]"  # a space inside a line: a space, a tab, a no-break space (Word's after a colon), ...
HEAD = re.compile(
    rf"""^{_S}*(?:(?:\\?\[(?P<ts>{TIME})\\?\]|\((?P<ts0>{TIME})\)|(?P<ts1>{TIME})(?={_S})){_S}*)?
    (?:(?:[-*+•]|>+){_S}+)?(?:\*\*|__|\#{{1,6}}{_S}+)?
    (?:\[{_S}*(?P<bracket>[^\W_][^\[\]\n:：\t*?!,;"“”]{{0,39}}?){_S}*\]
      |(?P<label>[^\W_](?:[^\n:：\t*?!,;"“”\[(]|\([^()\n:：]{{0,30}}\)){{0,39}}?))
    {_S}*(?P<shut>\*\*|__)?{_S}*(?:[(\[](?P<ts2>{TIME})[)\]])?{_S}*(?(shut)|(?:\*\*|__)?)
    (?P<sep>[:：](?:\*\*|__)?(?:{_S}+|$)|[:：](?=[^\W\d_])|\t+(?=\S)|{_S}+[-–—](?![^\n:：]{{0,40}}:\t)(?:{_S}+|$)|(?(bracket)(?=[^\s\-–—])|(?!))|(?(bracket)$|(?!))
      |(?(ts2){_S}+(?=[^\s\-–—:：])|(?!)))
    (?:\\?[\[(](?P<ts3>{TIME})\\?[\])](?:{_S}+|$)|(?P<ts4>{TIME}){_S}*$)?""",
    re.VERBOSE | re.MULTILINE,
)
STAMPS = ("ts", "ts0", "ts1", "ts2", "ts3", "ts4")
"""HEAD's timestamp groups, in the order a head's time is taken from: before the label, after it, after the colon
(square brackets may come escaped, ``\\[06:08\\]``, as Markdown converters write them)."""
# A speaker's name alone on the line opening their paragraph (``Jane Smith`` then the words below).
NAME_LINE = re.compile(rf"(?:\A|(?<=\n\n))[ \t]*(?P<label>{LABEL})[ \t]*(?P<sep>\n)(?=[ \t]*\S)")
TIME_NEAR = re.compile(rf"[(\[]{TIME}[)\]]{_S}")
"""A bracketed time and a space near a line's start: the line may open ``Name [0:00] words``."""
PARAGRAPH_START = re.compile(r"(?:\A|\n[ \t]*\n)[ \t]*\S")
# ``Q. text`` / ``A) text``: a role letter or short role word, tried only where HEAD finds no label.
HEAD_DOT = re.compile(rf"^{_S}*(?:\*\*|__)?(?P<label>[^\W\d_]{{1,4}})(?P<sep>[.)]){_S}+(?=\S)", re.MULTILINE)
PROSE_INTERVIEWER = re.compile(
    r"(?i:\binterviewer (?:is|was)|\binterviewed by|\bconducted by|\bmoderator (?:is|was)|\bmoderated by)"
    r"[ \t]+(?P<name>(?:(?:Dr|Prof|Mr|Mrs|Ms|Miss)\.?[ \t]+)?[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){0,3})")
"""Prose naming the interviewer above the first turn, as some exports' headers write it."""


@dataclass(frozen=True)
class Head:
    """A line opening with a candidate label: where the label starts, where the speech starts."""

    head: int
    start: int
    line: int
    label: str
    key: str
    sep: str
    timestamp: str | None
    bracket: bool = False
    """Whether the label is written in square brackets (``[Interviewer]``): a label or a transcriber's mark."""


@dataclass
class Learned:
    """What was learned: the accepted heads (with their speaker), the cover block and what to warn."""

    heads: list[tuple[Head, str]] = field(default_factory=list)
    cover: dict[str, str] = field(default_factory=dict)
    cover_end: int = 0
    interviewer_names: list[str] = field(default_factory=list)
    participant_names: list[str] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    """(line, message) for labels used once: likely typos, or speakers who spoke once."""
    headings: bool = False
    """Whether the text's ``Label:`` openings were found to be a document's headings, not speakers."""


def candidates(text: str, first_line: int = 1) -> list[Head]:
    """Return every line opening with a candidate label, in order (Otter's ``Name  0:00`` lines too)."""
    found: list[tuple[int, re.Match[str]]] = []
    position = 0
    for number, line in enumerate(text.split("\n"), start=first_line):
        opening = line[:90]  # only a line with a separator near its start can open a turn
        if (":" in opening or "：" in opening or "\t" in opening or " -" in opening or " –" in opening
                or " —" in opening or ". " in opening[:8] or ") " in opening[:8]
                or opening.lstrip(" \t*#_").startswith("[") or TIME_NEAR.search(opening)):
            match = HEAD.match(text, position) or HEAD_DOT.match(text, position)
            if match is not None:
                found.append((number, match))
        position += len(line) + 1
    otter = list(OTTER.finditer(text))
    first = list(OTTER_TIME_FIRST.finditer(text))
    if len(first) >= 3 and Counter(key_of(m.group("label")) for m in first).most_common(1)[0][1] >= 2:
        otter = sorted(otter + first, key=lambda m: m.start())  # a chapter list's lines name no one twice
    if len(otter) >= 2:
        taken = {m.start() for _, m in found}
        extra = numbered(text, (m for m in otter if m.start() not in taken), first_line)
        found = sorted(found + extra, key=lambda item: item[1].start())
    if not _any_recurs(m.groupdict().get("bracket") or m.group("label") for _, m in found):
        found = sorted(found + _name_lines(text, first_line), key=lambda item: item[1].start())
    heads: list[Head] = []
    for line, match in found:
        groups = match.groupdict()
        label = (groups.get("bracket") or match.group("label")).strip()
        sep = groups.get("sep") or ""
        if not shape_ok(label) and not (sep[1:2] == "\t" and shape_ok(label.replace(" | ", " / "))):
            continue  # a meeting chat's ``Name | Affiliation:<TAB>`` is a name, whatever its bars
        whole = match.group(0)
        kind = (SEP_TAB if sep.startswith("\t") else SEP_DASH if sep.strip()[:1] in "-–—" and sep.strip()
                else SEP_TIGHT if sep in (":", "：") and match.end() < len(text) and not text[match.end()].isspace()
                else SEP_DOT if sep[:1] in (".", ")") else SEP_LINE if sep == "\n"
                else SEP_BRACKET if groups.get("bracket") and not sep.strip()
                else SEP_TIME if sep and not sep.strip()
                else SEP_COLON)
        stamp = next((groups[k] for k in STAMPS if groups.get(k)), None)
        heads.append(Head(match.start() + len(whole) - len(whole.lstrip()), match.end(), line, label,
                          key_of(label), kind, stamp, bool(groups.get("bracket"))))
    return heads


def _any_recurs(labels: Iterable[str]) -> bool:
    """Return whether any label comes twice (stopping at the first that does)."""
    seen: set[str] = set()
    for label in labels:
        key = key_of(label.strip())
        if key in seen:
            return True
        seen.add(key)
    return False


def _name_lines(text: str, first_line: int) -> list[tuple[int, re.Match[str]]]:
    """Return the lines holding only a speaker's name above their paragraph (``Jane Smith`` / words), when
    nearly every paragraph opens so and the names recur; else nothing."""
    names = list(NAME_LINE.finditer(text))
    paragraphs = len(PARAGRAPH_START.findall(text))
    uses = Counter(key_of(m.group("label")) for m in names)
    if len(names) < 3 or len(names) < 0.8 * paragraphs or len(uses) > max(2, len(names) // 2):
        return []
    return numbered(text, names, first_line)


def _role_letters(heads: list[Head]) -> list[Head]:
    """Keep ``Q.``/``A.``, ``I)``/``R)`` heads only when two or more of them recur and every one that recurs
    names a role (a list's ``a)``/``b)`` or a line opening ``Dr. Jones`` is no label)."""
    uses = Counter(h.key for h in heads if h.sep == SEP_DOT)
    recurring = [h for h in heads if h.sep == SEP_DOT and uses[h.key] >= 2]
    keep = len({h.key for h in recurring}) >= 2 and all(known_role(h.label) for h in recurring)
    return [h for h in heads if h.sep != SEP_DOT or (keep and uses[h.key] >= 2)]


def _passages(text: str, heads: Iterable[Head]) -> int:
    """Return how many passages the text has: its paragraphs (after a blank line), and each labelled line within
    one; a line that only goes on with the line above (a turn wrapped at a width) is no passage of its own."""
    return len(PARAGRAPH_START.findall(text)) + sum(not _paragraph_start(text, h.head) for h in heads)


def _paragraph_start(text: str, position: int) -> bool:
    before = text.rfind("\n", 0, position)
    if before <= 0:
        return True
    return not text[text.rfind("\n", 0, before) + 1:before].strip()


def _cover(text: str, heads: list[Head], counts: Counter[str]) -> tuple[int, dict[str, str], list[str], list[str]]:
    """Return (number of heads up to the cover block's end, its attributes, interviewer names, participant names).

    The block opens the file, or follows a long preamble (an archive's abstract and copyright statement) when it
    names who interviewed whom right before the first exchange: the one-off heads above it are the preamble's."""
    found = _cover_from(text, heads, counts, 0)
    late = None if found[0] else _late_cover(heads, counts)
    if late is None:
        return found
    size, attributes, interviewers, participants = _cover_from(text, heads, counts, late)
    return (late + size, attributes, interviewers, participants) if size else found


def _late_cover(heads: list[Head], counts: Counter[str]) -> int | None:
    """Return where a cover block after a preamble starts: two cover lines in a row, one naming a role
    (``Interviewee: Lydia K.`` / ``Interviewer: Selma S.``), before the exchange begins; else None."""
    roles = COVER_INTERVIEWER | COVER_PARTICIPANT
    spoken = 0
    for number, (head, after) in enumerate(zip(heads, heads[1:])):
        spoken += counts[head.key] > 1
        if spoken > 1:
            return None  # the exchange has begun (a title line may name the narrator once)
        keys = {head.key, after.key}
        if keys <= COVER_KEYS | roles and keys & roles and head.sep == after.sep == SEP_COLON:
            return number
    return None


def _cover_from(text: str, heads: list[Head], counts: Counter[str], first: int) -> tuple[int, dict[str, str], list[str], list[str]]:
    """Return the cover block opening at heads[first] (see _cover), its size counted from there."""
    taken: list[Head] = []
    previous_end = heads[first].head if first else 0
    for head in heads[first:]:
        gap = text[previous_end:head.head]
        if taken and any(line.strip() and not line.lstrip().startswith("#") for line in gap.split("\n")[1:]):
            break  # a line that is not ``Key: value`` ends the block
        if not taken and len(gap.split()) > 40:
            break
        value_end = text.find("\n", head.start)
        value = text[head.start:value_end if value_end >= 0 else len(text)].strip()
        if head.sep != SEP_COLON or not value or "?" in value or len(value.split()) > 15:
            break
        taken.append(head)
        previous_end = value_end if value_end >= 0 else len(text)
    keys = [h.key for h in taken]
    cover_like = [k in COVER_KEYS for k in keys]
    plain = [k in COVER_KEYS for k in keys if k not in COVER_INTERVIEWER | COVER_PARTICIPANT]
    names_used = set(counts)
    values = [_value(text, h) for h in taken]
    after = text[previous_end:previous_end + 2] if taken else ""
    names_only = len(taken) >= 2 and after.startswith("\n") and after[1:2] in ("\n", "") and all(
        _name_like(v) and not v.endswith((".", "!", ",", ";")) for v in values)
    size = 0
    interviewers: list[str] = []
    participants: list[str] = []
    attributes: dict[str, str] = {}
    for number, (head, value) in enumerate(zip(taken, values)):
        role = head.key in COVER_INTERVIEWER or head.key in COVER_PARTICIPANT
        if role:
            named = bool(name_forms(value) & names_used) or (any(plain) and _name_like(value)) or names_only
            if not named:
                break
            (interviewers if head.key in COVER_INTERVIEWER else participants).append(value)
        elif not (cover_like[number] or (any(plain) and counts[head.key] <= 1 and len(head.key.split()) <= 4)):
            break
        attributes["_".join(head.key.split())] = value
        size = number + 1
    if size and not (any(plain) or interviewers or participants):
        return 0, {}, [], []
    return size, attributes, interviewers, participants


def _interviewer_in_prose(preamble: str, keys: set[str]) -> tuple[str, str] | None:
    """Return (name, sentence) when a preamble's prose names the interviewer (``Interviewer is Jonas Rosland.``,
    ``interviewed by Sam Lee``) by a name the text's labels use; else None."""
    for match in PROSE_INTERVIEWER.finditer(preamble):
        name = match.group("name")
        if any(key in name_forms(name) or key == key_of(name) for key in keys):
            return name, match.group(0)
    return None


def _value(text: str, head: Head) -> str:
    end = text.find("\n", head.start)
    return text[head.start:end if end >= 0 else len(text)].strip().strip("*_").strip()


def _name_like(value: str) -> bool:
    tokens = value.replace(",", " ").split()
    return 0 < len(tokens) <= 5 and all(t[0].isupper() or t[0] == "(" or t.casefold() in PARTICLES for t in tokens)


def learn(text: str, first_line: int = 1, *, extra_known: frozenset[str] = frozenset()) -> Learned:
    """Return the accepted label heads of a text (with the speaker each names), its cover block and warnings."""
    heads = candidates(text, first_line)
    learned = Learned()
    if not heads:
        return learned
    counts: Counter[str] = Counter(h.key for h in heads)
    size, learned.cover, learned.interviewer_names, learned.participant_names = _cover(text, heads, counts)
    if size:
        last = heads[size - 1]
        end = text.find("\n", last.start)
        learned.cover_end = len(text) if end < 0 else end + 1
        heads = heads[size:]
    if not learned.interviewer_names and heads:
        said = _interviewer_in_prose(text[learned.cover_end:heads[0].head], {h.key for h in heads})
        if said:
            learned.interviewer_names = [said[0]]
            learned.warnings.append((heads[0].line, f"the text above the first turn names {said[0]!r} as the "
                                     f"interviewer ({said[1]!r}): read as the interviewer"))
    timed = [h for h in heads if h.timestamp]
    if len(timed) >= 3 and len(timed) >= 0.6 * len(heads):
        speakers = {h.key for h in timed}  # every real turn carries a time, or is a timed speaker's missing one:
        heads = [h for h in heads if h.timestamp or h.key in speakers]  # any other ``Word:`` is speech
    named = set().union(*(name_forms(n) for n in learned.interviewer_names + learned.participant_names))
    named |= extra_known

    def known(head: Head) -> bool:
        return known_role(head.label) or label_matches(head.label, named)

    marks = bracket_marks(text, heads, known, lambda h: _paragraph_start(text, h.head), style_of, key_of)
    if marks:
        written = {h.key: h.label for h in reversed(heads) if h.bracket}  # each mark as first written
        heads = [h for h in heads if not (h.bracket and h.key in marks)]
        marks = {written[key]: why for key, why in marks.items()}
    heads = _role_letters(heads)
    counts = Counter(h.key for h in heads)
    recurring = {k: c for k, c in counts.items() if c >= 2}
    talk = len(recurring) >= 2 or max(recurring.values(), default=0) >= 3
    if (not talk and len(counts) > ONE_OFFS and not any(map(known, heads))
            and len(heads) < 0.5 * _passages(text, heads)):
        learned.headings = True  # many labels, next to none used again, none naming a role: a document's headings
        named = ", ".join(repr(label) for label in list(dict.fromkeys(h.label for h in heads))[:3])
        learned.warnings.append((heads[0].line, f"{len(counts)} line openings like 'Label:' ({named}, ...) are "
                                 "each used once or twice and name no role: read as a document's headings, not speakers"))
        return learned
    styles = Counter(style_of(speaker_label) for speaker_label in {h.label for h in heads if h.key in recurring})
    by_form: dict[str, Counter[str]] = {}
    for h in heads:
        by_form.setdefault(h.key, Counter())[h.label] += 1
    speaker_of = {k: forms.most_common(1)[0][0] for k, forms in by_form.items()}
    opening = sum(_paragraph_start(text, h.head) for h in heads if h.key in recurring)
    paragraphs = opening >= 0.5 * max(1, sum(recurring.values()))
    time_led = sum(h.sep == SEP_TIME and h.key in recurring for h in heads) >= 3
    for head in heads:
        if head.sep == SEP_TIME and head.key not in recurring and not time_led:
            continue  # ``Then [00:12] the nurse came``: a time without a colon opens a turn only in files that do so
        if head.key in recurring or known(head) or head.timestamp:
            learned.heads.append((head, speaker_of[head.key]))
            continue
        if head.sep != SEP_COLON:
            continue  # ``Yes - definitely``: a dash or tab separates only a label that recurs with it
        typo = typo_of(head.key, recurring)
        if typo is not None:
            learned.heads.append((head, speaker_of[typo]))
            learned.warnings.append((head.line, f"label {head.label!r} is used once and is read as "
                                    f"{speaker_of[typo]!r} (a likely typo; map it in an alias file if not)"))
            continue
        if sum(recurring.values()) < FEW and (not styles or style_of(head.label) in styles) and (
                recurring or len(counts) >= 2 or any(map(known, heads))):
            learned.heads.append((head, speaker_of[head.key]))  # too few turns to learn from: take it
            continue
        if style_of(head.label) in styles and len(head.label.split()) <= 3 and (
                not paragraphs or _paragraph_start(text, head.head)):
            learned.heads.append((head, speaker_of[head.key]))
            others = ", ".join(repr(speaker_of[k]) for k in recurring)
            learned.warnings.append((head.line, f"label {head.label!r} is used only once (the others: "
                                    f"{others}); read as a speaker: a typo or speech? map it in an alias file"))
    alone = list(dict.fromkeys(speaker for h, speaker in learned.heads if h.sep == SEP_LINE))
    if alone:
        learned.warnings.append((learned.heads[0][0].line, "speaker names stand alone on the line opening each "
                                 f"paragraph ({', '.join(map(repr, alone[:5]))}): read as labels"))
    unnamed = unnamed_labels([h for h, _ in learned.heads], known)
    if unnamed:
        many = len(unnamed) > 1
        learned.warnings.append((learned.heads[0][0].line, f"bracketed label{'s' * many} "
                                 f"{', '.join(f'[{u}]' for u in unnamed)} read as {'speakers' if many else 'a speaker'} (recurring at "
                                 "line starts like the labels, though naming no role or id); if "
                                 f"{'one' if many else 'it'} is a transcriber's mark, map it to the speaker it "
                                 "interrupts in an alias file"))
    if marks and any(h.bracket for h, _ in learned.heads):
        learned.warnings.append((learned.heads[0][0].line, "bracketed line openings read as transcriber's marks "
                                 "inside turns, not speakers: " + "; ".join(
                                     f"[{k}] ({why})" for k, why in list(marks.items())[:5])
                                 + ("; ..." if len(marks) > 5 else "")))
    return learned

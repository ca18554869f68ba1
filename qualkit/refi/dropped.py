"""What a project holds that qualkit does not carry over, counted per kind, so an import can say so
(the standard asks an importing tool to tell the user what it could not take)."""

from __future__ import annotations

from lxml import etree

from qualkit.refi.schema import PROJECT_NS

NS = f"{{{PROJECT_NS}}}"
OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


def _count(root: etree._Element, path: str) -> int:
    return len(root.findall(path, {"q": PROJECT_NS}))


PLURALS = {"note (memo)": "notes (memos)", "coding of a whole source": "codings of whole sources",
           "code or selection given to a case": "codes or selections given to cases",
           "description of a source, case, variable or the project": "descriptions of sources, cases, variables or the project",
           "note attached to a case": "notes attached to cases",
           "uncoded selection (annotation)": "uncoded selections (annotations)",
           "rich-text (formatted) version of a text source": "rich-text (formatted) versions of text sources",
           "modification (date and user) of a source or selection": "modifications (dates and users) of sources or "
                                                                     "selections"}


def counted(n: int, kind: str) -> str:
    """Return ``1 set`` / ``16 sets``."""
    return f"{n} {kind if n == 1 else PLURALS.get(kind, kind + 's')}"


def not_carried_over(root: etree._Element, ours: bool) -> list[str]:
    """Return one line per kind of thing the project holds and an import drops, with its count.

    ``ours``: the project was written by qualkit (its own description is read back, not dropped, and the
    selections its focus groups' participant cases refer to are their turns, made again on export).
    """
    counts = [
        (_count(root, "q:Sets/q:Set"), "set", "qualkit has no sets"),
        (_count(root, "q:Links/q:Link"), "link", "qualkit has no links"),
        (_count(root, "q:Graphs/q:Graph"), "graph", "qualkit has no graphs"),
        (_count(root, "q:Cases/q:Case/q:NoteRef"), "note attached to a case", "notes are kept with the project, "
         "codes, sources and codings"),
        (_count(root, "q:Sources/q:TextSource/q:Coding"), "coding of a whole source", "qualkit codes passages"),
        (0 if ours else len(root.xpath("q:Sources/q:TextSource/q:PlainTextSelection[not(q:Coding)]", namespaces={"q": PROJECT_NS})),
         "uncoded selection (annotation)", "qualkit keeps coded passages"),
        (_count(root, "q:Cases/q:Case/q:CodeRef") + (0 if ours else _count(root, "q:Cases/q:Case/q:SelectionRef")),
         "code or selection given to a case", "cases carry attributes only"),  # qualkit's: its focus groups' turns
        (_count(root, "q:Sources/q:TextSource/q:Description") + _count(root, "q:Cases/q:Case/q:Description")
         + _count(root, "q:Variables/q:Variable/q:Description") + (0 if ours else _count(root, "q:Description")),
         "description of a source, case, variable or the project", "qualkit keeps code descriptions only"),
        (len(root.findall("q:Sources/q:TextSource[@richTextPath]", {"q": PROJECT_NS})), "rich-text (formatted) "
         "version of a text source", "their plain text is imported"),
        (len(root.findall("q:Sources/q:TextSource[@modifiedDateTime]", {"q": PROJECT_NS}))
         + len(root.findall("q:Sources/q:TextSource/q:PlainTextSelection[@modifiedDateTime]", {"q": PROJECT_NS})),
         "modification (date and user) of a source or selection", "qualkit keeps who coded and when"),
    ]
    lines = [f"not carried over: {counted(n, kind)} ({why})" for n, kind, why in counts if n]
    sources = root.find(NS + "Sources")
    for kind in OTHER_SOURCES if sources is not None else ():
        found = sources.findall(NS + kind)  # type: ignore[union-attr]
        if found:
            codings = sum(len(s.findall(f".//{NS}Coding")) for s in found)
            lines.append(f"not carried over: {counted(len(found), kind)}" + (f" with {counted(codings, 'coding')}" if codings else "")
                         + " (qualkit reads text sources only)")
    return lines

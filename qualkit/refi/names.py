"""Code names other tools can tell apart: QualCoder merges codes of the same name wherever they sit in
the tree (``Other`` under two themes becomes one code), so an export qualifies repeated names."""

from __future__ import annotations

from collections import Counter

from qualkit.codebook import Codebook


def unique_names(codebook: Codebook) -> dict[str, str]:
    """Return ``{theme or code id: exported name}`` for every node whose name another node also has.

    A repeated name gets its parent's name (``Other (Client needs)``), then its whole parent path,
    then a number, until every name of the tree differs (compared without case).
    """
    nodes = [(t.id, t.name, t.path) for t in codebook.themes] + [(c.id, c.name, c.path) for c in codebook.codes]
    counts = Counter(name.casefold() for _, name, _ in nodes)
    repeated = [(i, name, path) for i, name, path in nodes if counts[name.casefold()] > 1]
    if not repeated:
        return {}
    taken = {name.casefold() for _, name, _ in nodes if counts[name.casefold()] == 1}
    renamed: dict[str, str] = {}
    for node_id, name, path in repeated:
        parents = path[:-1]
        candidates = [f"{name} ({parents[-1]})", f"{name} ({' > '.join(parents)})"] if parents else []
        wanted = [c for c in candidates if c.casefold() not in taken]
        numbered = (f"{(candidates or [name])[-1]} ({k})" for k in range(2, 10_000))
        choice = wanted[0] if wanted else next(c for c in numbered if c.casefold() not in taken)
        taken.add(choice.casefold())
        renamed[node_id] = choice
    return renamed

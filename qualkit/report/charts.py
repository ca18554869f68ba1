"""Charts for reports, drawn with matplotlib (Agg backend) from the plain report context, as SVG or PNG."""

from __future__ import annotations

import io
import re
import textwrap
import warnings
from typing import Any, Callable, Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "qualkit", "font.size": 9, "font.family": "sans-serif"}


def _short(label: str, width: int = 38) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _middle(label: str, width: int) -> str:
    """Shorten an id in its middle, keeping how it starts and ends (ids often differ only at the end)."""
    if len(label) <= width:
        return label
    head = (width - 1) // 2
    return label[:head] + "…" + label[-(width - 1 - head):]


def _fit(fig: Figure) -> None:
    """Fit the axes and their labels into the figure; when they cannot all fit, keep matplotlib's layout
    rather than let its warning reach the user (the labels are shortened so that they fit). An x-axis title
    is centred under its axes, which long tick labels on the left push right: one wider than the room either
    side of that centre is wrapped to fit, not cut at the figure's edge."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        wrapped = False
        for ax in fig.axes:
            label = ax.xaxis.label
            text = label.get_text()
            box = label.get_window_extent(renderer)
            if not text or (box.x0 >= 0 and box.x1 <= fig.bbox.width):
                continue
            centre = (box.x0 + box.x1) / 2
            room = 2 * min(centre, fig.bbox.width - centre) * 0.95
            longest = max(len(line) for line in text.split("\n"))
            width = max(12, int(longest * room / box.width))
            label.set_text("\n".join(textwrap.fill(line, width) for line in text.split("\n")))
            wrapped = True
        if wrapped:
            fig.tight_layout()


def prevalence(context: Mapping[str, Any]) -> Figure | None:
    """Code prevalence by group: the share of each group's participants with the code, one bar per group."""
    rows = [r for r in context["comparison"]["rows"] if any(c["segments"] for c in r["cells"])]
    groups = [f"{g['name']} (n={g['size']})" for g in context["comparison"]["groups"]]
    if not rows or not groups:
        return None
    if len(groups) > BARS_UP_TO:
        return _prevalence_grid(rows, groups)
    height = 0.8 / len(groups)
    fig = plt.figure(figsize=(7.5, 1.2 + 0.22 * len(rows) * max(1, len(groups) * 0.6)))
    ax = fig.add_subplot()
    for g, group in enumerate(groups):
        ax.barh([i + g * height for i in range(len(rows))], [r["cells"][g]["share"] for r in rows], height,
                label=group, color=PALETTE[g % len(PALETTE)])
    ax.set_yticks([i + height * (len(groups) - 1) / 2 for i in range(len(rows))], [_short(r["name"]) for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("participants with the code (% of group)")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    _fit(fig)
    return fig


BARS_UP_TO = 4  # more groups than this: a grid of shares, so the chart keeps a readable height


def _prevalence_grid(rows: list[Mapping[str, Any]], groups: list[str]) -> Figure:
    """Code prevalence for many groups: codes x groups, each cell the share (%) of the group with the code."""
    shares = [[r["cells"][g]["share"] for g in range(len(groups))] for r in rows]
    fig = plt.figure(figsize=(7.5, 1.8 + 0.24 * len(rows)))
    ax = fig.add_subplot()
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=100, aspect="auto")
    for i, line in enumerate(shares):
        for j, value in enumerate(line):
            ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=6,
                    color="white" if value > 60 else "black")
    ax.set_xticks(range(len(groups)), groups, rotation=40, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), [_short(r["name"]) for r in rows], fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.6, label="participants with the code (% of group)")
    _fit(fig)
    return fig


def cooccurrence(context: Mapping[str, Any]) -> Figure | None:
    """Code co-occurrence heatmap: turns coded with both codes."""
    data = context["cooccurrence"]
    n = len(data["codes"])
    if n < 2:
        return None
    size = min(9.0, 2.5 + 0.32 * n)
    fig = plt.figure(figsize=(size + 1.5, size))
    ax = fig.add_subplot()
    image = ax.imshow(data["matrix"], cmap="Blues")
    labels = [_short(c["name"], 28) for c in data["codes"]]
    ax.set_xticks(range(n), labels, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(n), labels, fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.7, label="turns coded with both")
    _fit(fig)
    return fig


def theme_sizes(context: Mapping[str, Any]) -> Figure | None:
    """Theme sizes in one unit for both kinds: participants with a coded segment of each codebook theme,
    and participants with a sentence in each suggested theme (segments and sentences are not comparable)."""
    bars = [(t["name"], t["participants"], PALETTE[0]) for t in context["themes"]]
    bars += [(f"suggested {t['number']}: {t['label']}", t["participants"], PALETTE[1]) for t in context["suggested"]]
    if not bars:
        return None
    study = context.get("study") or {}
    total = int(study.get("participants") or study.get("transcripts") or 0)  # a focus group's speakers each count
    fig = plt.figure(figsize=(7.5, 1.0 + 0.3 * len(bars)))
    ax = fig.add_subplot()
    ax.barh(range(len(bars)), [b[1] for b in bars], color=[b[2] for b in bars])
    ax.set_yticks(range(len(bars)), [_short(b[0], 44) for b in bars])
    ax.invert_yaxis()
    if total:
        ax.set_xlim(0, total)
    ax.set_xlabel("participants" + (f" (of {total})" if total else "")  # two lines: one line overran the figure
                  + ":\nwith a coded segment (codebook themes) or a sentence (suggested themes)")
    ax.spines[["top", "right"]].set_visible(False)
    _fit(fig)
    return fig


def saturation(context: Mapping[str, Any]) -> Figure | None:
    """New codes per interview (focus group, response) in order (bars) and codes applied so far (line), with n."""
    data = context.get("saturation") or {}
    rows = data.get("rows") or []
    if not rows:
        return None
    fig = plt.figure(figsize=(7.5, 3.2))
    ax = fig.add_subplot()
    positions = [r["position"] for r in rows]
    ax.bar(positions, [r["new"] for r in rows], color=PALETTE[0], label=f"new codes in this {data.get('unit', 'interview')}")
    ax.plot(positions, [r["cumulative"] for r in rows], color=PALETTE[1], marker="o", markersize=3,
            label="codes applied so far")
    step = max(1, len(rows) // 30)  # at most about 30 labels: every interview's id when they fit
    shown = positions[::step]
    ax.set_xticks(shown, [_middle(rows[p - 1]["transcript"], 24) for p in shown], rotation=60, ha="right", fontsize=7)
    ax.set_xlabel(f"{data.get('units', 'interviews')} in order ({data.get('order', '')}), n={len(rows)}"[:110])
    ax.set_ylabel("codes")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # codes are counted: no tick at 2.5
    ax.legend(loc="center right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    _fit(fig)
    return fig


CHARTS: dict[str, tuple[str, Callable[[Mapping[str, Any]], Figure | None]]] = {
    "prevalence": ("Code prevalence by group", prevalence),
    "saturation": ("New codes in order", saturation),
    "cooccurrence": ("Code co-occurrence", cooccurrence),
    "themes": ("Theme sizes", theme_sizes),
}


def draw(context: Mapping[str, Any], formats: tuple[str, ...] = ("svg",)) -> dict[str, dict[str, bytes]]:
    """Return ``{format: {chart name: image}}`` for ``svg`` and/or ``png``; charts without data are left out."""
    images: dict[str, dict[str, bytes]] = {fmt: {} for fmt in formats}
    if not formats:
        return images
    with matplotlib.rc_context(STYLE):
        for name, (_, make) in CHARTS.items():
            fig = make(context)
            if fig is None:
                continue
            for fmt in formats:
                buffer = io.BytesIO()
                fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None, dpi=110)
                images[fmt][name] = buffer.getvalue()
            plt.close(fig)
    return images


def inline_svg(svg: bytes) -> str:
    """Return SVG ready to inline in HTML: without the XML prolog and DOCTYPE, scaled to the page width."""
    text = svg.decode("utf-8")
    text = re.sub(r"^.*?(<svg\b)", r"\1", text, count=1, flags=re.S)
    return re.sub(r'<svg\b([^>]*?)\swidth="[^"]*"\s+height="[^"]*"', r'<svg\1 class="chart" role="img"', text, count=1)

"""Rendering report kinds in each format, and writing a run's output folder all or nothing."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import jinja2
from markupsafe import Markup

from qualkit.errors import ReportError
from qualkit.report import charts as charts_module
from qualkit.report.context import KIND_TITLES, ReportOptions, report_context
from qualkit.report.data import RUN_FILE, pseudonymise, run_json, study_data
from qualkit.report.docx_writer import docx_report
from qualkit.report.evidence import counted
from qualkit.report.pseudonyms import check_outputs, load_pseudonyms
from qualkit.report.quotes import isolate
from qualkit.report.tables import cases_sav, report_tables, tables_csv, tables_xlsx
from qualkit.segments import SEGMENT_COLUMNS, SET_ASIDE_COLUMNS, CodedSegment, segment_row
from qualkit.study import StudyResult

SET_ASIDE_FILE = "set_aside_hits.csv"
KINDS = ("thematic", "appendix", "comparison", "report")
FORMATS = ("html", "md", "docx", "tables")
DESCRIPTIONS = {
    "thematic": "Thematic summary: per theme and code, its definition, counts by group and quotes; suggested themes",
    "appendix": "Appendix: the codebook, codes by group, framework matrices (participants x codes), methods",
    "comparison": "Group comparison: the codes and themes on which groups differ most, with quotes from each side",
    "report": "The complete report: thematic summary, group comparison and appendix in one document",
}


def segment_rows(segments: Iterable[Any]) -> list[dict[str, Any]]:
    """Return coded segments (records or run-data dicts) as flat rows, the columns of ``coded_segments.csv``."""
    rows = []
    for s in segments:
        if isinstance(s, CodedSegment):
            rows.append(segment_row(s))
            continue
        rows.append({
            **{k: s[k] for k in ("transcript", "speaker", "role", "turn", "unit", "code_id", "code_path", "start",
                                 "end", "text", "coder")},
            "matched": " | ".join(m["text"] for m in s["matches"]),
            "match_offsets": " | ".join(f"{s['start'] + m['start']}-{s['start'] + m['end']}" for m in s["matches"]),
            "patterns": " | ".join(dict.fromkeys(m["pattern"] for m in s["matches"])),
        })
    return rows


STUDY_COLUMNS = ["segment_id", "status"]


def segments_csv(segments: Iterable[Any]) -> str:
    """Return ``coded_segments.csv`` as text; segments from a study also carry their ``segment_id`` and
    review ``status``."""
    segments = list(segments)
    study = any(isinstance(s, Mapping) and s.get("segment_id") for s in segments)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SEGMENT_COLUMNS + (STUDY_COLUMNS if study else []), lineterminator="\n")
    writer.writeheader()
    rows = segment_rows(segments)
    if study:
        rows = [{**row, "segment_id": s.get("segment_id", ""), "status": s.get("status", "")}
                for row, s in zip(rows, segments)]
    writer.writerows(rows)
    return buffer.getvalue()


def set_aside_csv(hits: Iterable[Mapping[str, Any]]) -> str:
    """Return ``set_aside_hits.csv``: pattern hits that did not code their passage (negated, excluded by a
    veto pattern, or outside a restriction), each with its reason, so the researcher can review them."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SET_ASIDE_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(hits)
    return buffer.getvalue()


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<])")


def markdown_text(value: Any) -> str:
    """Return text safe to put in Markdown as it is: ``<inaudible>``, ``*laughs*`` and ``<script>`` show literally
    (backslash escapes), and line breaks become spaces so a quote or a table cell stays on its line."""
    text = "" if value is None else str(value)
    return MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\r\n", " ").replace("\n", " ")


def environment(template_dir: str | Path | None = None) -> jinja2.Environment:
    """Return the Jinja2 environment: the user's template folder first, then the built-in templates."""
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        if not Path(template_dir).is_dir():
            raise ReportError(f"{template_dir}: template folder not found")
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.PackageLoader("qualkit", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_text
    env.filters["counted"] = counted
    env.filters["bidi"] = isolate
    return env


def render(context: Mapping[str, Any], template: str, template_dir: str | Path | None = None,
           env: jinja2.Environment | None = None) -> str:
    """Render one template with the report context."""
    try:
        return (env or environment(template_dir)).get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        name, line = getattr(exc, "name", None) or template, getattr(exc, "lineno", None)
        traceback = exc.__traceback__ if line is None else None
        while traceback is not None:  # runtime errors: the innermost template frame Jinja put in the traceback
            filename = traceback.tb_frame.f_code.co_filename
            if filename.endswith(".j2"):
                name, line = Path(filename).name, traceback.tb_lineno
            traceback = traceback.tb_next
        where = f", line {line}" if line else ""
        raise ReportError(f"template {name}{where}: {exc.message}") from None


def _docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = " ".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    return re.sub(r"<[^>]+>", "", xml)


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return " ".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))


def render_outputs(data: Mapping[str, Any], options: ReportOptions = ReportOptions(),
                   kinds: Sequence[str] = KINDS, formats: Sequence[str] = FORMATS) -> dict[str, str | bytes]:
    """Return ``{file name: content}`` for the chosen report kinds and formats, from (pseudonymised) run data."""
    for kind in kinds:
        if kind not in KINDS:
            raise ReportError(f"unknown report kind {kind!r} (choose from {', '.join(KINDS)})")
    for fmt in formats:
        if fmt not in FORMATS:
            raise ReportError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    context = report_context(data, options)
    env = environment(options.template_dir)
    outputs: dict[str, str | bytes] = {}
    wanted = (("svg",) if {"html", "md"} & set(formats) else ()) + (("png",) if "docx" in formats else ())
    images = charts_module.draw(context, wanted if options.charts else ())
    svgs, pngs = images.get("svg", {}), images.get("png", {})
    titles = {name: title for name, (title, _) in charts_module.CHARTS.items()}
    if "md" in formats:
        for name, svg in svgs.items():
            outputs[f"charts/{name}.svg"] = svg
    for kind in kinds:
        ctx = {**context, "kind": kind, "kind_title": KIND_TITLES[kind]}
        if "html" in formats:
            charts = {n: {"title": titles[n], "svg": Markup(charts_module.inline_svg(s))} for n, s in svgs.items()}
            outputs[f"{kind}.html"] = render({**ctx, "charts": charts}, f"{kind}.html.j2", env=env)
        if "md" in formats:
            charts = {n: {"title": titles[n], "file": f"charts/{n}.svg"} for n in svgs}
            outputs[f"{kind}.md"] = render({**ctx, "charts": charts}, f"{kind}.md.j2", env=env)
        if "docx" in formats:
            outputs[f"{kind}.docx"] = docx_report(ctx, kind, pngs)
    if "tables" in formats:
        tables = report_tables(context)
        outputs.update(tables_csv(tables))
        outputs["tables.xlsx"] = tables_xlsx(tables)
        outputs["tables/cases_by_code.sav"] = cases_sav(context["cases_by_code"])
    return outputs


def check_pseudonyms(options: ReportOptions, outputs: Mapping[str, str | bytes]) -> list[str]:
    """Warn for every output in which a mapped real name still appears; return the warnings."""
    if not options.pseudonyms:
        return []
    texts = {}
    for name, content in outputs.items():
        if name.endswith(".docx"):
            texts[name] = _docx_text(content)  # type: ignore[arg-type]
        elif name.endswith(".xlsx"):
            texts[name] = _xlsx_text(content)  # type: ignore[arg-type]
        elif isinstance(content, bytes):
            texts[name] = content.decode("utf-8", errors="replace")
        else:
            texts[name] = content
    return check_outputs(load_pseudonyms(options.pseudonyms), texts)


def prepare(source: StudyResult | Mapping[str, Any], options: ReportOptions) -> dict[str, Any]:
    """Return run data for a result (or run data already loaded), pseudonymised when the options ask."""
    data = study_data(source) if isinstance(source, StudyResult) else dict(source)
    if options.pseudonyms:
        data = pseudonymise(data, load_pseudonyms(options.pseudonyms))
    return data


def index_html(outputs: Iterable[str], data: Mapping[str, Any], options: ReportOptions) -> str:
    """Return ``index.html``: links to every report file written."""
    names = sorted(outputs)
    files = [{"kind": kind, "title": KIND_TITLES[kind], "description": DESCRIPTIONS[kind],
              "formats": [f for f in ("html", "md", "docx") if f"{kind}.{f}" in names]} for kind in KINDS]
    context = {"title": data["codebook"]["name"], "files": [f for f in files if f["formats"]],
               "tables": [n for n in names if n.startswith("tables/")], "has_xlsx": "tables.xlsx" in names,
               "others": [n for n in ("coded_segments.csv", SET_ASIDE_FILE, RUN_FILE) if n in names],
               "created": data["methods"].get("created", ""), "pseudonymised": bool(data.get("pseudonymised"))}
    return render(context, "index.html.j2", options.template_dir)


def write_report(result: StudyResult | Mapping[str, Any], out_dir: str | Path,
                 options: ReportOptions | str | Path | None = None) -> list[Path]:
    """Write every report kind in every format, the tables, ``coded_segments.csv``, ``run.json`` and
    ``index.html`` into ``out_dir``; return their paths.

    ``options`` may also be a template folder (as in earlier versions). Everything is rendered first
    and written through a temporary folder beside ``out_dir``, so a failure never leaves a half-written report.
    """
    if options is None or isinstance(options, (str, Path)):
        options = ReportOptions(template_dir=str(options) if options is not None else None)
    data = prepare(result, options)
    outputs = render_outputs(data, options)
    outputs["coded_segments.csv"] = segments_csv(data["segments"])
    outputs[SET_ASIDE_FILE] = set_aside_csv(data.get("set_aside", []))
    outputs[RUN_FILE] = run_json(data)
    outputs["index.html"] = index_html(outputs, data, options)
    check_pseudonyms(options, outputs)
    return write_files(Path(out_dir), outputs)


def rerender(folder: str | Path, kinds: Sequence[str], formats: Sequence[str], options: ReportOptions = ReportOptions(),
             out_dir: str | Path | None = None) -> list[Path]:
    """Re-render chosen kinds and formats from a finished run's ``run.json``, without coding again."""
    from qualkit.report.data import load_run

    data = prepare(load_run(folder), options)
    try:
        outputs = render_outputs(data, options, kinds, formats)
    except (KeyError, TypeError, IndexError) as exc:  # a run file edited or cut short below its top level
        raise ReportError(f"{Path(folder) / RUN_FILE}: run file is not whole ({type(exc).__name__}: {exc}); "
                          "run 'qualkit run' again to rewrite it") from None
    check_pseudonyms(options, outputs)
    return write_files(Path(out_dir or folder), outputs)


def write_files(out: Path, outputs: Mapping[str, str | bytes]) -> list[Path]:
    """Write named files into ``out`` all or nothing, via a temporary folder that is always removed."""
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".qualkit-", dir=parent))
    except OSError as exc:
        raise ReportError(f"{out}: cannot write the report here: {exc.strerror}") from None
    try:
        for name, content in outputs.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8", newline="")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in outputs:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, out / name)
            written.append(out / name)
        return written
    except OSError as exc:
        raise ReportError(f"{out}: cannot write the report: {exc.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)

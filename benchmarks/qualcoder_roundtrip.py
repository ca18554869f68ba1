"""qualkit -> QualCoder -> qualkit: QualCoder's own REFI-QDA import and export, driven without its window.

Optional, not run in CI. QualCoder (GPL) is not part of qualkit: give a checkout of it by path. Its code runs
in a Python that has PyQt6 and the few packages its REFI module needs (``pip install PyQt6 pymupdf qtawesome
python-vlc Pillow`` in a separate virtual environment), given with ``--python``:

    python benchmarks/qualcoder_roundtrip.py --qualcoder ~/src/QualCoder --python /tmp/qcvenv/bin/python

The script exports the team fixture (tests/fixtures/refi/team: three coders, two of them on the same
passages, emoji, two codes named "Other", typed attributes) with qualkit, imports it with QualCoder's
``RefiImport`` into a fresh QualCoder project, counts the codings, coders and attribute values QualCoder
holds, exports the project again with QualCoder's ``RefiExport``, reads that back with qualkit, and prints
the counts at each step. Dialogs are answered by patching Qt (no window opens: QT_QPA_PLATFORM=offscreen);
QualCoder's AI module is stubbed, as the REFI code does not use it.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEAM = ROOT / "tests" / "fixtures" / "refi" / "team"


def export_team(out: Path) -> dict:
    """Export the team fixture with three coders; return what it holds."""
    import dataclasses

    from qualkit.coding import code_transcripts
    from qualkit.refi import export_project
    from qualkit.study import StudySettings, load_study

    settings = StudySettings(transcripts=(str(TEAM / "transcripts"),), attributes=str(TEAM / "participants.csv"),
                             codebook=str(TEAM / "codebook.yaml"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transcripts, codebook, _ = load_study(settings)
        auto = list(code_transcripts(transcripts, codebook))
        human = [dataclasses.replace(s, coder=coder, matches=(), unit="selection")
                 for s in auto for coder in ("Ana", "Lei")]  # two people on every passage qualkit coded
        segments = auto + human
        export_project(out, transcripts, codebook, segments)
    values = sum(1 for t in transcripts for v in t.attributes.values() if v != "")
    return {"codings": len(segments), "coders": dict(Counter(s.coder for s in segments)), "attribute_values": values}


def read_back(path: Path) -> dict:
    """Read a .qdpx with qualkit; return its codings per coder and attribute values."""
    from qualkit.refi import read_project

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        project = read_project(path, lenient=True)
    values = sum(1 for row in project.attributes.values() for k, v in row.items() if v != "" and k != "case")
    return {"codings": len(project.segments), "coders": dict(Counter(s.coder for s in project.segments)),
            "attribute_values": values, "codes": len(project.codebook.codes) if project.codebook else 0,
            "notes": list(project.notes)}


def schema_statements(main_py: Path) -> list[str]:
    """Return the CREATE TABLE statements of QualCoder's own new-project code (read from its source)."""
    tree = ast.parse(main_py.read_text(encoding="utf-8"))
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "new_project")
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "execute" and node.args:
            try:
                sql = ast.literal_eval(node.args[0])
            except ValueError:
                continue
            if isinstance(sql, str) and sql.lstrip().upper().startswith("CREATE"):
                found.append((node.lineno, sql))
    return [sql for _, sql in sorted(found)]


def child(checkout: Path, qdpx: Path, work: Path) -> dict:
    """Run inside QualCoder's Python: import ``qdpx`` into a new project, count, export again."""
    import builtins
    import types

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    (work / "home" / ".qualcoder").mkdir(parents=True, exist_ok=True)
    os.environ["HOME"] = str(work / "home")
    sys.path.insert(0, str(checkout / "src"))
    builtins._ = lambda text: text  # type: ignore[attr-defined]  # QualCoder installs gettext's _
    stub = types.ModuleType("qualcoder.ai_llm")
    stub.get_default_ai_models = lambda *a, **k: []  # type: ignore[attr-defined]
    stub.update_ai_models = lambda *a, **k: None  # type: ignore[attr-defined]
    sys.modules["qualcoder.ai_llm"] = stub
    from PyQt6 import QtWidgets

    qapp = QtWidgets.QApplication([])  # noqa: F841 (must live while QualCoder runs)
    out = work / "out"
    out.mkdir()
    QtWidgets.QDialog.exec = lambda self: 0  # type: ignore[method-assign]
    QtWidgets.QMessageBox.exec = lambda self: 0  # type: ignore[method-assign]
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(qdpx), "(*.qdpx)"))  # type: ignore[method-assign]
    QtWidgets.QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(out))  # type: ignore[method-assign]
    from qualcoder.app import App
    from qualcoder.refi import RefiExport, RefiImport

    app = App()
    app.settings["codername"] = "qualcoder-driver"
    app.settings["directory"] = str(work)
    project = work / "roundtrip.qda"
    for folder in ("images", "audio", "video", "documents"):
        (project / folder).mkdir(parents=True)
    app.project_path, app.project_name = str(project), project.name
    app.create_connection(app.project_path)
    cursor = app.conn.cursor()
    for sql in schema_statements(checkout / "src" / "qualcoder" / "__main__.py"):
        cursor.execute(sql)
    app.update_coder_names()
    columns = len(cursor.execute("SELECT * FROM project").description)
    cursor.execute(f"INSERT INTO project VALUES({','.join('?' * columns)})",
                   ["v17", "2026-01-01 00:00:00", "", app.version, 0, 0, "qualcoder-driver", ""] + [None] * (columns - 8))
    app.conn.commit()
    log = QtWidgets.QTextEdit()
    RefiImport(app, log, "qdpx")
    codings = cursor.execute("SELECT owner, count(*) FROM code_text GROUP BY owner").fetchall()
    values = dict(cursor.execute("SELECT attr_type, count(*) FROM attribute WHERE value IS NOT NULL AND value != '' "
                                 "GROUP BY attr_type").fetchall())
    codes = [r[0] for r in cursor.execute("SELECT name FROM code_name ORDER BY name")]
    RefiExport(app, log, "project")
    exported = sorted(out.glob("*.qdpx"))
    return {"codings": sum(n for _, n in codings), "coders": dict(codings), "attribute_values": values.get("file", 0),
            "case_attribute_values": values.get("case", 0),
            "codes": len(codes), "code_names": codes, "exported": str(exported[0]) if exported else "",
            "log": log.toPlainText()[-2000:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qualcoder", type=Path, required=True, help="a QualCoder checkout (holding src/qualcoder)")
    parser.add_argument("--python", default=sys.executable, help="a Python with PyQt6 to run QualCoder's code")
    parser.add_argument("--child", nargs=2, metavar=("QDPX", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.qualcoder.resolve(), Path(args.child[0]), Path(args.child[1]))))
        return
    if not (args.qualcoder / "src" / "qualcoder" / "refi.py").is_file():
        sys.exit(f"{args.qualcoder}: not a QualCoder checkout (no src/qualcoder/refi.py)")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        qdpx = work / "team.qdpx"
        sent = export_team(qdpx)
        print(f"qualkit export:  {sent['codings']} codings, coders {sent['coders']}, {sent['attribute_values']} attribute values")
        done = subprocess.run([args.python, __file__, "--qualcoder", str(args.qualcoder), "--child", str(qdpx),
                               str(work / "qualcoder")], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            sys.exit(f"QualCoder's import/export failed:\n{done.stderr[-3000:]}")
        held = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"QualCoder holds: {held['codings']} codings, coders {held['coders']}, {held['attribute_values']} "
              f"attribute values of files ({held['case_attribute_values']} of cases), {held['codes']} codes "
              f"{held['code_names']}")
        if held["exported"]:
            back = read_back(Path(held["exported"]))
            print(f"QualCoder export read by qualkit: {back['codings']} codings, coders {back['coders']}, "
                  f"{back['attribute_values']} attribute values, {back['codes']} codes")
        print(json.dumps({"qualkit": sent, "qualcoder": held, "back": back if held["exported"] else None},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()

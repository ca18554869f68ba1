"""The report's tables as pandas DataFrames, written as CSV files and one XLSX workbook."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def report_tables(context: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Return the appendix tables by name: codebook, codes by group, framework matrix, differences, co-occurrence."""
    group_by = context["study"]["group_by"]
    codebook = pd.DataFrame([{
        "code_id": c["id"], "code": c["path"], "definition": c["definition"], "include": c["include"],
        "exclude": c["exclude"], "patterns": "; ".join(c["patterns"]),
        "example_quote": c["example_quote"]["text"] if c["example_quote"] else (c["examples"][0] if c["examples"] else ""),
        "example_attribution": c["example_quote"]["attribution"] if c["example_quote"] else "",
        "segments": c["segments"], "participants": c["participants"],
    } for c in context["codes"]])
    by_group = pd.DataFrame([{"code_id": row["id"], "code": row["code"], group_by: cell["group"],
                              **{k: v for k, v in cell.items() if k != "group"}}
                             for row in context["comparison"]["rows"] for cell in row["cells"]])
    framework = pd.DataFrame([{
        "theme": matrix["theme"], "participant": row["participant"], group_by: row["group"],
        **{a["name"]: a["value"] for a in row.get("attributes", ())},
        "code_id": code["id"], "code": code["path"], "segments": cell["segments"], "summary": cell.get("summary", ""),
        "quote": cell["quote"]["text"] if cell["quote"] else "",
        "reference": cell["quote"]["reference"] if cell["quote"] else "",
    } for matrix in context["framework"] for row in matrix["rows"] for code, cell in zip(matrix["codes"], row["cells"])])
    differences = pd.DataFrame([{
        "code_id": d["id"], "code": d["path"], "spread_points": d["spread"], "highest": d["highest"], "lowest": d["lowest"],
        **{f"{cell['group']} share %": cell["share"] for cell in d["cells"]},
    } for d in context["differences"]["codes"]])
    co = context["cooccurrence"]
    cooccurrence = pd.DataFrame(co["matrix"], index=[c["path"] for c in co["codes"]],
                                columns=[c["path"] for c in co["codes"]]).rename_axis("code").reset_index()
    tables = {"codebook": codebook, "codes_by_group": by_group, "framework_matrix": framework,
              "group_differences": differences, "cooccurrence": cooccurrence}
    cases = context.get("cases_by_code")
    if cases:
        tables["cases_by_code"] = pd.DataFrame(cases["rows"], columns=cases["columns"])
        tables["cases_by_code_labels"] = pd.DataFrame(cases["labels"], columns=LABEL_COLUMNS)
    for extra in context["tables"]:
        tables[extra["name"]] = pd.DataFrame(extra["rows"], columns=extra["columns"])
    return tables


LABEL_COLUMNS = ["variable", "label", "kind", "code_id", "code_path", "definition"]


def cases_sav(cases: Mapping[str, Any]) -> bytes:
    """Return ``cases_by_code.sav`` for SPSS (written by pyreadstat): the case-by-code table with each
    variable's label (code path, or the attribute's name) and 0/1 presence labelled absent/present."""
    import pyreadstat

    frame = pd.DataFrame(cases["rows"], columns=cases["columns"])
    labels = {row["variable"]: row["label"][:256] for row in cases["labels"]}
    values = {row["variable"]: {0: "absent", 1: "present"} for row in cases["labels"] if row["kind"] == "presence"}
    with tempfile.TemporaryDirectory(prefix="qualkit-sav-") as folder:
        target = Path(folder) / "cases_by_code.sav"
        pyreadstat.write_sav(frame, str(target), column_labels=[labels.get(c, c) for c in frame.columns],
                             variable_value_labels=values)
        return target.read_bytes()


def tables_csv(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Return ``{"tables/<name>.csv": text}`` for each table."""
    return {f"tables/{name}.csv": frame.to_csv(index=False, lineterminator="\n") for name, frame in tables.items()}


def tables_xlsx(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """Return one XLSX workbook with a sheet per table (bold header row, columns sized to their text)."""
    workbook = Workbook(write_only=True)
    for name, frame in tables.items():
        sheet = workbook.create_sheet(name[:31])
        columns = [str(c) for c in frame.columns]
        rows = frame.astype(object).where(frame.notna(), None).values.tolist()
        for index, column in enumerate(columns, start=1):
            width = max([len(column)] + [len(str(r[index - 1])) for r in rows[:50] if r[index - 1] is not None])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([v if v is None or isinstance(v, (str, int, float, bool)) else json.dumps(v, ensure_ascii=False)
                          for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

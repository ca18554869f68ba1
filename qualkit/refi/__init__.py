"""REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette: ``.qdpx`` projects and
``.qdc`` codebooks, read and written with lxml and validated against the schemas shipped in
``qualkit/schemas/``."""

from qualkit.refi.codebook import codebook_to_yaml, read_qdc, write_qdc, write_text
from qualkit.refi.export import build_project, export_project
from qualkit.refi.folder import import_study, study_files, write_study
from qualkit.refi.guids import IDS_FILE, ForeignIds, coding_key
from qualkit.refi.project import ImportedProject, read_project
from qualkit.refi.study import export_reviewed, export_study

__all__ = [
    "IDS_FILE", "ForeignIds", "ImportedProject", "build_project", "codebook_to_yaml", "coding_key", "export_project",
    "export_reviewed", "export_study", "import_study", "read_project", "read_qdc", "study_files", "write_qdc", "write_study", "write_text",
]

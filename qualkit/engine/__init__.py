"""The distributed engine: coding a corpus part by part on a Dask cluster (or in this process), exactly once.

``make_plan`` splits the inputs into named parts deterministically (for transcript files,
``part_speakers`` on every part and ``tell_interviewers`` then find the study's own interviewer across
files, before any part is coded); ``code_part`` codes one part from
plain data (a part, a ``Job`` holding the codebook's text, the output folder) and writes its rows under
temporary names renamed when whole, so Dask, Spark's ``mapPartitions`` or a loop can call it;
``code_distributed`` runs a plan, records each part with its checksums in ``_manifest.json``, assembles
the outputs in plan order and writes ``_SUCCESS`` (``--resume`` codes only the missing parts; a finished
folder is verified, never appended to); ``assemble_results`` does the recording and assembly for parts
coded elsewhere (Spark). Dask is imported only by ``run``, only when the Dask engine runs.
"""

from qualkit.engine.manifest import MANIFEST_FILE, SUCCESS_FILE
from qualkit.engine.parts import code_part, part_speakers
from qualkit.engine.plan import FORMATS, PART_BYTES, PART_ROWS, Job, Part, Plan, make_plan, tell_interviewers
from qualkit.engine.run import ENGINES, EngineSummary, assemble_results, code_distributed, folder_is_finished

__all__ = [
    "ENGINES", "FORMATS", "MANIFEST_FILE", "PART_BYTES", "PART_ROWS", "SUCCESS_FILE", "EngineSummary", "Job", "Part",
    "Plan", "assemble_results", "code_distributed", "code_part", "folder_is_finished", "make_plan", "part_speakers",
    "tell_interviewers",
]

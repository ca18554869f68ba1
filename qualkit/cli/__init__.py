"""The ``qualkit`` command line: thin click commands over the library; click is imported only here.

Each command lives in its own module and registers itself on ``main``.
"""

from qualkit.cli import run  # noqa: F401  (registers the command)
from qualkit.cli import report  # noqa: F401
from qualkit.cli import code  # noqa: F401
from qualkit.cli import codebook  # noqa: F401
from qualkit.cli import exchange  # noqa: F401
from qualkit.cli import themes  # noqa: F401
from qualkit.cli import agree  # noqa: F401
from qualkit.cli import ingest  # noqa: F401
from qualkit.cli import review  # noqa: F401
from qualkit.cli import study  # noqa: F401
from qualkit.cli.common import main

__all__ = ["main"]

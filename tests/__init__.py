"""The test suite (``tests/conftest.py`` has the fixtures and how ``make test`` splits it in passes).

A pytest-xdist worker leaves without Python's final clean-up. By then it has sent every result
to the controlling process, which waits for it to end before it reports: tearing down the modules
and freeing the heap of some 800 tests object by object took about 3.5 s at the end of the
parallel pass. The handler is registered here, when pytest first imports the test package and
before the engine or any test module is imported, so every exit handler registered after it (the
sandbox script pools, the PDF library) still runs first: handlers run last-registered first."""

from __future__ import annotations

import atexit
import os
import sys


def _leave_without_finalizing() -> None:
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


if os.environ.get("PYTEST_XDIST_WORKER"):
    atexit.register(_leave_without_finalizing)

"""The model: state arrays, the numba kernels, the calendar and the metrics.

numba's on-disk cache (`cache=True`) checks only the source file of the function it compiled, so
a code or constant the kernels import from another module can change while the cache keeps
running the old machine code (numba issue 1833). Importing this package therefore points
numba's cache at a directory keyed by a hash of every source the kernels can depend on: any
edit to them starts a fresh cache. It must run before `sim.kernels` decorates its functions,
which is when numba picks the cache directory; a user's NUMBA_CACHE_DIR becomes the parent.
"""

import os
import tempfile
from pathlib import Path

from numba.core import config as _numba_config

from sim.sources import KERNEL_SOURCES, source_hash


def _cache_dir() -> str:
    """NUMBA_CACHE_DIR (else this package's __pycache__, else the temp dir)/groupsim-<hash>.

    The directory must be writable: otherwise numba would fall back to its unkeyed locations.
    """
    name = f"groupsim-{source_hash(KERNEL_SOURCES)}"
    parents = [os.environ.get("NUMBA_CACHE_DIR"), str(Path(__file__).resolve().parent / "__pycache__"),
               tempfile.gettempdir()]
    for parent in filter(None, parents):
        path = os.path.join(parent, name)
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            continue
        if os.access(path, os.W_OK):
            return path
    raise OSError(f"no writable directory for numba's cache among {parents}")


_numba_config.CACHE_DIR = _cache_dir()

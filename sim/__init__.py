"""The model: state arrays, the numba kernels by phase, the pool, the calendar and the metrics.

numba's on-disk cache (`cache=True`) checks only the source file of the function it compiled, so
a code or constant a kernel imports from another module can change while the cache keeps
running the old machine code (numba issue 1833). Importing this package therefore gives numba
a cache locator (`_ImportKeyedLocator`) for the functions of this repository: a module's cached
kernels are keyed by a hash of that module and of every in-repo module it imports, directly
or through others (read from the `import` statements, those under `if TYPE_CHECKING:` aside).
An edit recompiles only the kernel modules that import the edited file; an edit elsewhere
(say `sim/metrics.py`, or a plan) recompiles nothing.

The cache lives in NUMBA_CACHE_DIR/groupsim if set, else in `sim/__pycache__/groupsim`, else in
the temporary directory (the first writable one), with one folder per module and stamp, so a
reverted edit or another branch finds its machine code still there (`make clean` empties it).
"""

import ast
import functools
import hashlib
import os
import tempfile
from pathlib import Path

from numba.core import caching as _caching

_ROOT = Path(__file__).resolve().parent.parent
_PACKAGES = ("sim", "agents", "scenarios")  # the in-repo packages a kernel can import


def _module_file(name: str) -> Path | None:
    """The source file of an in-repo module (`sim.codes` -> sim/codes.py), or None."""
    if name.split(".")[0] not in _PACKAGES:
        return None
    base = _ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(path: Path) -> set[Path]:
    return _imported_at(path, os.stat(path).st_mtime_ns)


@functools.cache
def _imported_at(path: Path, mtime_ns: int) -> frozenset[Path]:
    """In-repo files `path` imports directly: each imported module, its parent packages'
    `__init__.py`, and for `from package import name` the submodule `name` if there is one."""
    names = []
    pending = list(ast.parse(path.read_bytes()).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.FunctionDef, ast.ClassDef)):
            pending += [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
    files = set()
    for name in names:
        parts = name.split(".")
        for k in range(1, len(parts) + 1):
            found = _module_file(".".join(parts[:k]))
            if found is not None:
                files.add(found)
    return frozenset(files)


def source_closure(path: Path) -> list[Path]:
    """`path` and every in-repo file it imports, directly or not, sorted."""
    seen = {path}
    pending = [path]
    while pending:
        for found in _imported(pending.pop()):
            if found not in seen:
                seen.add(found)
                pending.append(found)
    return sorted(seen)


@functools.cache
def _stamp(path: Path, mtimes: tuple) -> str:
    digest = hashlib.sha256()
    for source in source_closure(path):
        digest.update(str(source.relative_to(_ROOT)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _cache_root() -> str:
    parents = [os.environ.get("NUMBA_CACHE_DIR"),
               str(Path(__file__).resolve().parent / "__pycache__"), tempfile.gettempdir()]
    for parent in filter(None, parents):
        path = os.path.join(parent, "groupsim")
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            continue
        if os.access(path, os.W_OK):
            return path
    raise OSError(f"no writable directory for numba's cache among {parents}")


class _ImportKeyedLocator(_caching._CacheLocator):
    """numba cache locator for this repository's functions: the source stamp is a hash of the
    function's module and its in-repo imports (see the package docstring)."""

    def __init__(self, py_func, py_file):
        self._py_file = str(Path(py_file).resolve())  # numba's warnings take a str
        self._lineno = py_func.__code__.co_firstlineno
        # one folder per stamp, so going back to an earlier version of the sources (a reverted
        # edit, another branch) finds its machine code still there
        self._cache_path = os.path.join(_cache_root(), self.get_suitable_cache_subpath(py_file),
                                        self.get_source_stamp()[:16])

    def get_cache_path(self):
        return self._cache_path

    def get_source_stamp(self):
        path = Path(self._py_file)
        mtimes = tuple(os.stat(p).st_mtime_ns for p in source_closure(path))
        return _stamp(path, mtimes)

    def get_disambiguator(self):
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        if not Path(py_file).resolve().is_relative_to(_ROOT):
            return None
        self = cls(py_func, py_file)
        try:
            self.ensure_cache_path()
        except OSError:
            return None
        return self


_LOCATORS = getattr(_caching, "CacheImpl", None) or _caching._CacheImpl  # renamed in numba 0.61
if _ImportKeyedLocator not in _LOCATORS._locator_classes:
    _LOCATORS._locator_classes.insert(0, _ImportKeyedLocator)

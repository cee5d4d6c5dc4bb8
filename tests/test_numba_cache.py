"""numba's on-disk cache is keyed per module by what it imports (sim/__init__.py): an edit
recompiles the kernels that import the edited file, and only those."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sim import source_closure

ROOT = Path(__file__).resolve().parent.parent
PROBE = '''
import numba
from sim.probe_codes import CODE


@numba.njit(cache=True)
def code():
    return CODE
'''
# prints where the probe came from, what it returns, and whether it came from the cache
RUN = "import sim.probe as p; print(p.__file__); print(p.code()); print(sum(p.code.stats.cache_hits.values()))"


def copy_package(dest: Path) -> None:
    """The model's packages, plus a cached kernel that returns a code imported from elsewhere."""
    for folder in ("sim", "agents", "scenarios"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "sim" / "probe.py").write_text(PROBE)
    (dest / "sim" / "probe_codes.py").write_text("CODE = 1\n")


def kernel_says(where: Path) -> tuple[int, bool]:
    """What the probe kernel returns, and whether it was loaded from the cache."""
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "NUMBA_DISABLE_JIT")}
    out = subprocess.run([sys.executable, "-c", RUN], cwd=where, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert Path(out[0]).is_relative_to(where), "the copy, not the installed package, must run"
    return int(out[1]), int(out[2]) > 0


def change_code(where: Path, value: int) -> None:
    (where / "sim" / "probe_codes.py").write_text(f"CODE = {value}\n")


def test_changing_a_code_the_kernel_imports_runs_the_new_code(tmp_path):
    copy_package(tmp_path)
    assert kernel_says(tmp_path) == (1, False)
    cached = list((tmp_path / "sim" / "__pycache__").glob("groupsim/**/*.nbi"))
    assert cached, "the kernel was cached in the keyed directory"
    assert kernel_says(tmp_path) == (1, True)
    change_code(tmp_path, 2)
    assert kernel_says(tmp_path) == (2, False)


def test_an_edit_the_kernel_does_not_import_keeps_its_cache(tmp_path):
    copy_package(tmp_path)
    assert kernel_says(tmp_path) == (1, False)
    with open(tmp_path / "sim" / "metrics.py", "a") as f:
        f.write("# an edit\n")
    assert kernel_says(tmp_path) == (1, True)


def test_without_the_keyed_locator_numba_would_run_stale_code(tmp_path):
    """The control: the trap the keyed cache avoids is real (numba issue 1833)."""
    copy_package(tmp_path)
    (tmp_path / "sim" / "__init__.py").write_text("")
    assert kernel_says(tmp_path)[0] == 1
    change_code(tmp_path, 2)
    assert kernel_says(tmp_path)[0] == 1


def test_a_kernel_module_is_keyed_by_its_imports_and_nothing_else():
    names = {p.relative_to(ROOT).as_posix() for p in source_closure(ROOT / "sim" / "day.py")}
    assert {"sim/day.py", "sim/codes.py", "sim/core.py", "sim/joins.py", "sim/ties.py"} <= names
    assert not names & {"sim/metrics.py", "sim/model.py", "sim/events.py", "sim/hour.py",
                        "scenarios/schema.py"}

"""numba's on-disk cache never runs machine code older than the source (sim/__init__.py)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = '''
import numba
from sim.probe_codes import CODE


@numba.njit(cache=True)
def code():
    return CODE
'''
RUN = "import sim.probe as p; print(p.__file__); print(p.code())"


def copy_package(dest: Path) -> None:
    """The model's packages, plus a cached kernel that returns a code imported from elsewhere."""
    for folder in ("sim", "agents", "scenarios"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "sim" / "probe.py").write_text(PROBE)
    (dest / "sim" / "probe_codes.py").write_text("CODE = 1\n")


def kernel_says(where: Path) -> int:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    out = subprocess.run([sys.executable, "-c", RUN], cwd=where, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert Path(out[0]).is_relative_to(where), "the copy, not the installed package, must run"
    return int(out[1])


def change_code(where: Path, value: int) -> None:
    (where / "sim" / "probe_codes.py").write_text(f"CODE = {value}\n")


def test_changing_a_code_the_kernel_imports_runs_the_new_code(tmp_path):
    copy_package(tmp_path)
    assert kernel_says(tmp_path) == 1
    cached = list((tmp_path / "sim" / "__pycache__").glob("groupsim-*/**/*.nbi"))
    assert cached, "the kernel was cached in the keyed directory"
    change_code(tmp_path, 2)
    assert kernel_says(tmp_path) == 2


def test_without_the_keyed_directory_numba_would_run_stale_code(tmp_path):
    """The control: the trap the keyed directory avoids is real (numba issue 1833)."""
    copy_package(tmp_path)
    (tmp_path / "sim" / "__init__.py").write_text("")
    assert kernel_says(tmp_path) == 1
    change_code(tmp_path, 2)
    assert kernel_says(tmp_path) == 1

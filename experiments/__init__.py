"""Experiments: replicates, comparisons and sweeps of plans, their storage, charts, report and
CLI."""

from experiments.points import run_points
from experiments.report import write_report
from experiments.runner import RunError, RunInterrupted, run_plan, run_plans
from experiments.storage import OutDirError, Results, read_results
from experiments.sweep import Sweep, run_sweep

__all__ = [
    "OutDirError",
    "Results",
    "RunError",
    "RunInterrupted",
    "Sweep",
    "read_results",
    "run_plan",
    "run_plans",
    "run_points",
    "run_sweep",
    "write_report",
]

"""Experiments: replicates and comparisons of plans, their storage, charts, report and CLI."""

from experiments.report import write_report
from experiments.runner import RunError, RunInterrupted, run_plan, run_plans
from experiments.storage import Results, read_results

__all__ = [
    "Results",
    "RunError",
    "RunInterrupted",
    "read_results",
    "run_plan",
    "run_plans",
    "write_report",
]

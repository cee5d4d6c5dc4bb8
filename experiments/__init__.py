"""Experiments: replicates, comparisons and sweeps of plans, their storage, charts, report and
CLI.

Import the module you need (`experiments.runner`, `experiments.storage`, ...): this package
imports nothing, so worker processes that unpickle a chunk load only what runs it.
"""

"""Experiments, by layer: `running` (replicates, backends, storage), `analyses` (sweeps,
sensitivity, optimisation), `outputs` (terminal, report, charts, deck, page) and `cli` on top.
A layer imports only the layers below it (tests/test_layers.py checks this).

Import the module you need (`experiments.running.runner`, ...): this package and its
subpackages import nothing, so worker processes that unpickle a chunk load only what runs it.
"""

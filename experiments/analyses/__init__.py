"""Analyses over runs: sweeps, sensitivity, optimisation, objectives, lever paths and the
plausibility table. Built on `experiments.running`; never imports `experiments.outputs` or
`experiments.cli`.
"""

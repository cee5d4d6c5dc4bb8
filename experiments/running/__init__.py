"""Running plans: replicates on local processes or Dask, plan variants (points), storage of run
directories, per-seed paired differences, plan checks, and portfolios of groups.

Imports nothing, and nothing here imports `experiments.analyses`, `experiments.outputs` or
`experiments.cli`: a worker that unpickles a chunk loads only `experiments.running.runner`.
"""

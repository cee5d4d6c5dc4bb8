"""Chunks of runs on Dask distributed: a local cluster of processes, or a running scheduler.

Every chunk is a pure task, so when a worker is lost the scheduler runs its chunks again
elsewhere and the tables are the same. Workers need groupsim installed (the same version).
"""

import logging
from collections.abc import Callable

from distributed import Client, LocalCluster, as_completed

from experiments.runner import Chunk, RunError, Tables, run_chunk


def run_on_dask(
    address: str,
    workers: int,
    todo: list[Chunk],
    tables: tuple[str, ...],
    hourly: bool,
    keep: Callable[[Chunk, Tables], None],
) -> None:
    """Run `todo` on a LocalCluster of `workers` processes (`address` "local") or on the
    scheduler at `address`, handing each finished chunk to `keep` here."""
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    try:
        client = Client(cluster or address, timeout="10s")
    except OSError as err:
        if cluster is not None:
            cluster.close()
        raise RunError(
            f"cannot reach the Dask scheduler at {address} ({err}); start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`, or use --dask local"
        ) from None
    futures = []
    try:
        futures = [
            client.submit(run_chunk, chunk.runs, tables, hourly, key=f"groupsim-{chunk.name}",
                          retries=3, pure=False)
            for chunk in todo
        ]
        chunk_of = {future.key: chunk for future, chunk in zip(futures, todo)}
        for future in as_completed(futures):
            keep(chunk_of[future.key], future.result())
    finally:
        client.cancel(futures, force=True)
        client.close(timeout=2)
        if cluster is not None:
            cluster.close(timeout=2)

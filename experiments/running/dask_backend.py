"""Chunks of runs on Dask distributed: a local cluster of processes, or a running scheduler.

Every chunk is a pure task, so when a worker is lost the scheduler runs its chunks again
elsewhere and the tables are the same. Workers need groupsim installed (the same version).
"""

import logging
import os
import signal
from contextlib import suppress

import dask
from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, as_completed

from experiments.running.runner import Backend, Chunk, Keep, RunError, run_chunk

LOCAL_QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "5s",
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.tick.limit": "60s",
    "distributed.scheduler.work-stealing": False,
}
"""A local cluster shares the machine's cores with its runs: no statistical profiler (it samples
every worker's stack every 10 ms), monitors that wake every 5 s rather than every 20-500 ms, and
no work stealing (the chunks are alike)."""


class DaskBackend(Backend):
    """A LocalCluster of `workers` processes (`address` "local") or the scheduler at `address`,
    connected at the first chunks and kept until `close`."""

    def __init__(self, address: str, workers: int):
        self.address = address
        self.workers = workers
        self.side_by_side = workers if address == "local" else None
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None

    def _connect(self) -> Client:
        if self._client is not None:
            return self._client
        if self.address == "local":
            # Workers are killed when done (see `close`), and their connections' INFO
            # tracebacks arrive after the cluster has restored the log levels it silenced.
            logging.getLogger("distributed").setLevel(logging.CRITICAL)
            with dask.config.set(LOCAL_QUIET):
                self._cluster = LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.CRITICAL,
                )
        try:
            self._client = Client(self._cluster or self.address, timeout="10s")
        except OSError as err:
            self.close()
            raise RunError(
                f"cannot reach the Dask scheduler at {self.address} ({err}); start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS`, or use --dask local"
            ) from None
        if self._cluster is not None:
            self._client.register_plugin(_IgnoreCtrlC())
        return self._client

    def run(self, todo: list[Chunk], tables: tuple[str, ...], hourly: bool, keep: Keep) -> None:
        client = self._connect()
        futures = [
            client.submit(run_chunk, chunk.runs, tables, hourly, key=f"groupsim-{chunk.name}",
                          retries=3, pure=False)
            for chunk in todo
        ]
        chunk_of = {future.key: chunk for future, chunk in zip(futures, todo)}
        try:
            for future in as_completed(futures):
                keep(chunk_of[future.key], future.result())
        except KilledWorker as err:
            raise RunError(
                f"Dask workers kept dying on one chunk ({err}); the runs that finished are "
                "saved: rerun the same command to resume"
            ) from None
        except KeyboardInterrupt:
            self._kill_local_workers()  # stop now rather than wait for the chunks under way
            raise
        finally:
            with suppress(Exception):
                client.cancel(futures, force=True)

    def _kill_local_workers(self) -> None:
        """SIGKILL the local workers, telling their nannies first not to start new ones."""
        if self._cluster is not None:
            for nanny in self._cluster.workers.values():
                nanny.close_gracefully()
                with suppress(ProcessLookupError, TypeError):
                    os.kill(nanny.pid, signal.SIGKILL)

    def close(self) -> None:
        """Local workers are killed first: they hold nothing (every finished chunk has been
        kept), and a graceful exit takes them about a second."""
        self._kill_local_workers()
        if self._client is not None:
            with suppress(Exception):
                self._client.close(timeout=2)
        if self._cluster is not None:
            with suppress(Exception):
                self._cluster.close(timeout=2)
        self._client = self._cluster = None


class _IgnoreCtrlC(WorkerPlugin):
    """Local workers share the terminal's process group: Ctrl-C is for the main process, which
    stops them."""

    def setup(self, worker) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

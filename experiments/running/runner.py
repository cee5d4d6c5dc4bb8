"""Runs in volume: batches of simulations on this process, local worker processes or Dask.

A run is a pure function of (plan, seed), so tables do not depend on where runs happen. Runs are
cut into chunks of consecutive runs; a chunk is one task. With an output directory, each
finished chunk is saved to `out/chunks/` under a temporary name and renamed, named by a hash
of what it holds, so a rerun of the same runs only runs the chunks that are missing and a crash
never leaves a half-written file. When all chunks are done their tables are stacked in run order
into `out/<table>.parquet` and the chunks are dropped; `out/runs.json` records which runs those
tables hold, so a finished directory is read back rather than run again.

Replicate r of every plan uses seed `seed + r` (common random numbers), so plans in a
comparison meet the same luck.
"""

import functools
import hashlib
import json
import logging
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.running import memory, storage
from experiments.running.paired import check_baseline, paired_differences
from experiments.running.storage import Results
from scenarios.schema import Plan
from sim.profile import Profile
from sim.run import simulate

Progress = Callable[[int, int], None]
"""Called with (finished, total) runs: once before the first chunk and after each chunk."""

Tables = dict[str, pd.DataFrame]
CHUNK_FORMAT = 1
"""Part of every chunk's hash: raise it when the tables' layout changes."""


class RunError(ValueError):
    """A run cannot start with these arguments."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the runs; `results` holds what finished (None if nothing did).

    `results` is what the interrupted function would have returned, built from the finished runs.
    """

    def __init__(self, results: Any, finished: int, total: int):
        self.results = results
        self.finished = finished
        self.total = total
        super().__init__(f"interrupted after {finished} of {total} runs")


@dataclass(frozen=True)
class Run:
    """One simulation: its plan, replicate and seed; `key` columns lead every table's rows and
    `values` columns follow `seed` in the summary."""

    plan: Plan
    key: dict[str, Any]
    replicate: int
    seed: int
    values: dict[str, Any] = field(default_factory=dict)
    profile: Profile | None = None

    def simulate(self, hourly: bool) -> Any:
        """The run's tables as attributes named as the tables: a DataFrame, or a dict for a
        table of one row (a plan's `summary`)."""
        return simulate(self.plan, self.seed, hourly=hourly, profile=self.profile)

    @property
    def plans(self) -> list[Plan]:
        """The plans this run holds in memory at once, for the memory check."""
        return [self.plan]


@dataclass(frozen=True)
class Chunk:
    """Consecutive runs done as one task; `name` is the hash of everything that makes its rows."""

    index: int
    runs: list[Run]
    name: str


def run_plan(
    plan: Plan,
    replicates: int = 20,
    seed: int = 0,
    workers: int = 1,
    hourly: bool = False,
    progress: Progress | None = None,
    out: Path | None = None,
    *,
    dask: str | None = None,
    force: bool = False,
    profile: Profile | None = None,
) -> Results:
    """Run `replicates` replicates of one plan; see `run_plans`."""
    return run_plans([plan], replicates, seed, workers, hourly, progress, out, dask=dask,
                     force=force, profile=profile)


def run_plans(
    plans: Sequence[Plan],
    replicates: int = 20,
    seed: int = 0,
    workers: int = 1,
    hourly: bool = False,
    progress: Progress | None = None,
    out: Path | None = None,
    *,
    dask: str | None = None,
    force: bool = False,
    profile: Profile | None = None,
    baseline: str | None = None,
) -> Results:
    """Run `replicates` replicates of each plan in `workers` processes (or on Dask).

    `paired` holds each plan's differences from `baseline` (default: the first plan); a
    baseline that is not one of the plans raises `RunError` before anything runs.

    With `out`: an empty or new directory is claimed for this run (`storage.claim`: the same
    command and plans resume, others need `force`), the plans are written there and the tables
    at the end. `profile` plays every plan with an audience's behaviour (sim/profile.py); the
    directory records it (`groupsim.json` and `profile.yaml`). Ctrl-C raises `RunInterrupted`
    once what finished is combined (and written).
    """
    _check(plans, replicates, workers)
    try:
        baseline = check_baseline(baseline, [plan.name for plan in plans])
    except ValueError as error:
        raise RunError(str(error)) from None
    if out is not None:
        spec = {"replicates": replicates, "seed": seed, "hourly": hourly,
                "plans": [plan.model_dump(mode="json") for plan in plans]}
        storage.claim(out, "run" if len(plans) == 1 else "compare", spec, force, profile)
        storage.write_plans(out, plans)
    runs = [Run(plan, {"plan": plan.name}, r, seed + r, profile=profile)
            for plan in plans for r in range(replicates)]
    names = ("daily", "summary", "members", "hourly") if hourly else ("daily", "summary", "members")

    def results(tables: Tables) -> Results:
        ran = list(dict.fromkeys(tables["summary"]["plan"]))
        paired = paired_differences(tables["summary"],
                                    baseline if baseline in ran else None)
        if out is not None:
            storage.write_tables(out, {"paired": paired})
        return Results(plans=[plan for plan in plans if plan.name in ran], paired=paired,
                       profile=profile, **tables)

    try:
        tables = execute(runs, names, hourly=hourly, workers=workers, dask=dask, out=out,
                         progress=progress)
    except RunInterrupted as stop:
        raise RunInterrupted(stop.results and results(stop.results), stop.finished,
                             stop.total) from None
    return results(tables)


def _check(plans: Sequence[Plan], replicates: int, workers: int) -> None:
    if not plans:
        raise RunError("no plans to run")
    if replicates < 1:
        raise RunError(f"replicates must be at least 1, not {replicates}")
    check_workers(workers)
    names = [plan.name for plan in plans]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RunError(f"plans in one run need distinct names; given twice: {', '.join(twice)}")


def check_workers(workers: int) -> None:
    """Raise `RunError` unless `workers` (local processes) is at least 1."""
    if workers < 1:
        raise RunError(f"workers must be at least 1, not {workers}")


def execute(
    runs: Sequence[Run],
    tables: Sequence[str],
    *,
    hourly: bool = False,
    workers: int = 1,
    dask: str | None = None,
    out: Path | None = None,
    progress: Progress | None = None,
    backend: "Backend | None" = None,
) -> Tables:
    """Run every run; each of `tables` stacked in run order.

    On `backend` when given (the caller opened it and closes it), else on one opened for this
    call from `workers` and `dask` (see `open_backend`). With `out`, see the module
    docstring. Ctrl-C (KeyboardInterrupt) stops the workers and raises `RunInterrupted` with the
    tables of the finished chunks (also written to `out`); so does an error an interrupt caused
    (`cut_short_by_interrupt`).
    """
    check_workers(workers)
    if not runs:
        raise RunError("no runs to do")
    tables = tuple(tables)
    chunks = _chunks(runs, tables, hourly)
    done_key = hashlib.sha1(" ".join(c.name for c in chunks).encode()).hexdigest()
    if out is not None and storage.finished_tables(out, tables) == done_key:
        if progress is not None:
            progress(len(runs), len(runs))
        return storage.read_tables(out, tables)
    store = _ChunkStore(out, tables)
    store.recover(chunks)
    finished = {c.index: store.load(c) for c in chunks if store.has(c)}
    n_done = sum(len(chunks[i].runs) for i in finished)

    def keep(chunk: Chunk, frames: Tables) -> None:
        nonlocal n_done
        finished[chunk.index] = store.save(chunk, frames)
        n_done += len(chunk.runs)
        if progress is not None:
            progress(n_done, len(runs))

    if progress is not None:
        progress(n_done, len(runs))
    todo = [c for c in chunks if c.index not in finished]
    plans = [run.plans for chunk in todo for run in chunk.runs]
    side_by_side = 1
    try:
        if todo:
            with nullcontext(backend) if backend else open_backend(workers, dask) as where:
                if where.side_by_side is not None:  # None: a scheduler's workers run elsewhere
                    side_by_side = min(where.side_by_side, len(todo))
                    check_memory(plans, side_by_side)
                where.run(todo, tables, hourly, keep)
    except MemoryError:
        raise RunError(memory.out_of_memory(plans, side_by_side)) from None
    except BaseException as error:
        if not cut_short_by_interrupt(error):  # an interrupt can surface as another error
            raise
        partial = _stack(finished, tables) if finished else None
        if out is not None and partial is not None:
            storage.write_tables(out, partial)
        raise RunInterrupted(partial, n_done, len(runs)) from None
    result = _stack(finished, tables)
    if out is not None:
        storage.write_tables(out, result)
        storage.mark_finished(out, tables, done_key, [
            (c.name, {t: len(finished[c.index][t]) for t in tables}) for c in chunks])
        store.drop()
    return result


def check_memory(plans: Sequence[Sequence[Plan]], workers: int) -> None:
    """`RunError` when one run (the plans it holds at once, `Run.plans`) cannot fit in memory;
    a warning on stderr (once per text) when `workers` of them side by side may not (see
    `experiments.running.memory.assess`)."""
    verdict = memory.assess(plans, workers)
    if verdict.refusal:
        raise RunError(verdict.refusal)
    if verdict.warning:
        _warn_once(verdict.warning)


@functools.cache
def _warn_once(text: str) -> None:
    # with no logging set up, Python prints a warning's bare text on stderr
    logging.getLogger(__name__).warning("Warning: %s", text)


def _chunks(runs: Sequence[Run], tables: tuple[str, ...], hourly: bool) -> list[Chunk]:
    """Cut runs into chunks of a size that depends only on how many runs there are."""
    size = min(50, max(1, len(runs) // 100))
    dumped: dict[int, str] = {}
    chunks = []
    for index, start in enumerate(range(0, len(runs), size)):
        part = list(runs[start:start + size])
        digest = hashlib.sha1(json.dumps([CHUNK_FORMAT, tables, hourly]).encode())
        for run in part:
            if id(run.plan) not in dumped:
                dumped[id(run.plan)] = run.plan.model_dump_json()
            digest.update(dumped[id(run.plan)].encode())
            digest.update(json.dumps([run.key, run.values, run.replicate, run.seed],
                                     default=str).encode())
            if run.profile is not None:
                digest.update(run.profile.digest.encode())
        chunks.append(Chunk(index, part, digest.hexdigest()[:20]))
    return chunks


def _stack(finished: dict[int, Tables], tables: tuple[str, ...]) -> Tables:
    order = sorted(finished)
    return {name: pd.concat([finished[i][name] for i in order], ignore_index=True)
            for name in tables}


def run_chunk(runs: list[Run], tables: tuple[str, ...], hourly: bool) -> Tables:
    """Simulate a chunk's runs; each table stacked, led by the key columns and `replicate` (a
    table a run gives as a dict is one row, with the run's `values` after `seed`).

    Tables are built once per chunk, not per run: per-run frame edits cost a tenth of a run."""
    results = [run.simulate(hourly) for run in runs]
    out = {}
    for name in tables:
        frames = [getattr(result, name) for result in results]
        if isinstance(frames[0], dict):  # one row per run
            out[name] = pd.DataFrame([_summary_row(run, row) for run, row in zip(runs, frames)])
            continue
        lengths = [len(frame) for frame in frames]
        lead = {column: np.repeat(np.array([run.key[column] for run in runs]), lengths)
                for column in runs[0].key}
        lead["replicate"] = np.repeat(np.array([run.replicate for run in runs]), lengths)
        out[name] = pd.concat([pd.DataFrame(lead), pd.concat(frames, ignore_index=True)],
                              axis=1)
    return out


def _summary_row(run: Run, summary: dict[str, Any]) -> dict[str, Any]:
    """The key columns, `replicate`, then the summary with the run's `values` after `seed`."""
    row = {**run.key, "replicate": run.replicate}
    for column, value in summary.items():
        row[column] = value
        if column == "seed":
            row.update(run.values)
    return row


class _ChunkStore:
    """Finished chunks in `out/chunks/`, one parquet file per chunk and table; none without
    `out`. A chunk counts as saved when all its files exist; files are renamed into place."""

    def __init__(self, out: Path | None, tables: tuple[str, ...]):
        self.dir = None if out is None else out / "chunks"
        self.tables = tables

    def _path(self, chunk: Chunk, table: str) -> Path:
        return self.dir / f"{chunk.name}.{table}.parquet"

    def has(self, chunk: Chunk) -> bool:
        return self.dir is not None and all(
            self._path(chunk, table).is_file() for table in self.tables
        )

    def load(self, chunk: Chunk) -> Tables:
        return {table: pd.read_parquet(self._path(chunk, table)) for table in self.tables}

    def save(self, chunk: Chunk, frames: Tables) -> Tables:
        """Write the chunk (if there is a directory) and return its tables as read back, so
        tables do not depend on which chunks were run in this call."""
        if self.dir is None:
            return frames
        self.dir.mkdir(parents=True, exist_ok=True)
        for table in self.tables:
            storage.write_parquet_atomic(frames[table], self._path(chunk, table))
        return self.load(chunk)

    def recover(self, chunks: list[Chunk]) -> None:
        """Save those of `chunks` that the finished tables in `out` hold (`runs.json`: a run
        now asked for with more replicates, say) as chunks again, cut from the tables; then
        forget `runs.json`, whose tables this call replaces."""
        if self.dir is None:
            return
        held = storage.finished_chunks(self.dir.parent, self.tables)
        wanted = [c for c in chunks if c.name in held and not self.has(c)]
        if wanted:
            whole = storage.read_tables(self.dir.parent, self.tables)
            for c in wanted:
                self.save(c, {t: whole[t].iloc[slice(*held[c.name][t])].reset_index(drop=True)
                              for t in self.tables})
        (self.dir.parent / storage.RUNS).unlink(missing_ok=True)

    def drop(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


Keep = Callable[[Chunk, Tables], None]


class Backend:
    """Where chunks run: here, in this process. Subclasses run them in local processes or on
    Dask; their workers start with the first chunks and stay up until `close` (the end of a
    `with` block), so a study that runs many small batches starts them once."""

    side_by_side: int | None = 1
    """Runs held in this machine's memory at once (None: the runs happen on other machines)."""

    def run(self, todo: list[Chunk], tables: tuple[str, ...], hourly: bool, keep: Keep) -> None:
        """Run every chunk of `todo`, handing each finished one to `keep` in this process."""
        for chunk in todo:
            keep(chunk, run_chunk(chunk.runs, tables, hourly))

    def close(self) -> None:
        pass

    def __enter__(self) -> "Backend":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_backend(workers: int = 1, dask: str | None = None) -> Backend:
    """Here (`workers` 1), `workers` local processes, or Dask (`dask` "local" for a local
    cluster of `workers` processes, or a scheduler address)."""
    check_workers(workers)
    if dask is not None:
        from experiments.running.dask_backend import DaskBackend

        return DaskBackend(dask, workers)
    return Backend() if workers == 1 else LocalProcesses(workers)


class LocalProcesses(Backend):
    """A pool of worker processes; a pool that loses a worker (killed, out of memory) is replaced
    and the unfinished chunks run again, up to `POOL_RESTARTS` times in one `run`."""

    def __init__(self, workers: int):
        self.workers = self.side_by_side = workers
        self._pool: ProcessPoolExecutor | None = None

    def run(self, todo: list[Chunk], tables: tuple[str, ...], hourly: bool, keep: Keep) -> None:
        if self._pool is None and len(todo) == 1:  # not worth starting processes for
            return super().run(todo, tables, hourly, keep)
        done: set[int] = set()

        def kept(chunk: Chunk, frames: Tables) -> None:
            done.add(chunk.index)
            keep(chunk, frames)

        for _ in range(POOL_RESTARTS + 1):
            try:
                return self._round([c for c in todo if c.index not in done], tables, hourly,
                                   kept)
            except BrokenProcessPool:
                continue
        raise RunError(
            f"worker processes died {POOL_RESTARTS + 1} times (killed, or out of memory?); the "
            "runs that finished are saved: rerun the same command to resume, with fewer --workers"
        )

    def _round(self, todo: list[Chunk], tables: tuple[str, ...], hourly: bool,
               keep: Keep) -> None:
        if self._pool is None:
            # spawn, not fork: a forked child would inherit this process's threads (pyarrow,
            # numba) in a broken state. Processes start as chunks need them (up to `workers`).
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=get_context("spawn"), initializer=worker_setup,
                initargs=(os.getpid(),),
            )
        try:
            with spawning_ignores_ctrl_c():  # the pool starts its processes within submit
                pending = {self._pool.submit(run_chunk, chunk.runs, tables, hourly): chunk
                           for chunk in todo}
            while pending:
                ready, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in ready:
                    keep(pending.pop(future), future.result())
        except BaseException:
            self.close()  # on an interrupt or error, kill the workers now, not after their chunks
            raise

    def close(self) -> None:
        """Kill the workers: they hold nothing but chunks under way, which are not kept."""
        if self._pool is None:
            return
        processes = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=5)


POOL_RESTARTS = 3


@contextmanager
def spawning_ignores_ctrl_c() -> Iterator[None]:
    """Within the block, Ctrl-C is ignored, so that processes started in it ignore it from their
    first instruction (an ignored signal stays ignored across exec, and Python then installs no
    KeyboardInterrupt handler). `worker_setup` alone comes too late: a worker interrupted while
    still importing would print a traceback. A Ctrl-C within the block (milliseconds) is lost.
    Off the main thread (the page), where handlers cannot be set, the block does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def worker_setup(parent: int) -> None:
    """In a worker process: ignore Ctrl-C, and exit soon after `parent` dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def cut_short_by_interrupt(error: BaseException) -> bool:
    """Whether `error` is an interrupt (Ctrl-C or SIGTERM as `KeyboardInterrupt`, of which
    `RunInterrupted` is one), was raised while one was being handled or was caused by one: a
    signal lands anywhere, and a library's clean-up it cuts short can fail in its turn (Optuna's
    journal lock, released twice, raised FileNotFoundError), or C code that called Python can
    turn it into its own error (numba's dispatcher raised SystemError from a KeyboardInterrupt
    that landed as it unpickled)."""
    seen: set[int] = set()
    chain = [error]
    while chain:
        error = chain.pop()
        if error is None or id(error) in seen:
            continue
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        chain += [error.__cause__, error.__context__]
    return False


@contextmanager
def interrupt_once() -> Iterator[None]:
    """Within the block (command-line use), SIGTERM interrupts like Ctrl-C; once one has,
    further Ctrl-C and SIGTERM are ignored for the rest of the process, so that stopping the
    workers, saving what finished and saying so is not cut short. An interrupt whose
    `KeyboardInterrupt` Python swallowed (a signal landing in a finaliser, such as pyarrow's
    `ParquetWriter.__del__`, is reported as "Exception ignored" and lost) is raised again as the
    block ends, so the command still ends as interrupted."""

    def ignore(signum: int, frame: Any) -> None:
        pass

    caught: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, ignore)
        signal.signal(signal.SIGTERM, ignore)
        caught.append(signum)
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, before in previous.items():
            if signal.getsignal(sig) is handler:  # not interrupted: as before
                signal.signal(sig, before)
    if caught:  # the block ended without the interrupt: it was swallowed on the way
        raise KeyboardInterrupt

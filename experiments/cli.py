"""The `groupsim` command line: run, compare, scenarios, validate.

Commands parse arguments and call library functions; only this module turns exceptions into
messages and exit codes: 0 done, 2 bad input, 130 interrupted (what finished is saved).
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from experiments.report import format_value, readings, summary_stats, write_report
from experiments.runner import RunError, RunInterrupted, run_plans, sigterm_as_interrupt
from experiments.storage import OutDirError, Results
from scenarios.loader import PlanError, library, load_plan

app = typer.Typer(
    help="Simulate chat-group plans, compare them, and write tables and an offline report.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)

Replicates = Annotated[int, typer.Option(help="Replicates per plan; replicate r uses seed + r.")]
Seed = Annotated[int, typer.Option(help="Seed of replicate 0.")]
Weeks = Annotated[
    int | None, typer.Option(help="Horizon in weeks (the same as --set group.weeks=N).")
]
Sets = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a plan field, e.g. --set host.ip_strength=0.8. Repeatable."
    ),
]
Workers = Annotated[int, typer.Option(help="Worker processes (here, or of --dask local).")]
Dask = Annotated[
    str | None,
    typer.Option(
        metavar="local|ADDRESS",
        help="Run on Dask: 'local' starts a local cluster of --workers processes; "
        "tcp://HOST:8786 uses a running scheduler.",
    ),
]
Force = Annotated[
    bool, typer.Option("--force", help="Replace --out if it holds another command's results.")
]
Hourly = Annotated[bool, typer.Option("--hourly", help="Also write hourly.parquet.")]
Out = Annotated[
    Path | None, typer.Option(help="Run directory. [default: runs/<plan>-<YYYYmmdd-HHMMSS>]")
]


@app.command()
def run(
    plan: Annotated[str, typer.Argument(help="Library plan name or YAML file.")],
    replicates: Replicates = 20,
    seed: Seed = 0,
    weeks: Weeks = None,
    set_: Sets = None,
    workers: Workers = 1,
    dask: Dask = None,
    hourly: Hourly = False,
    out: Out = None,
    force: Force = False,
) -> None:
    """Simulate one plan; write its tables, plan and report to a run directory.

    Rerunning the same command on the same --out runs only what is missing."""
    _simulate([plan], replicates, seed, weeks, set_ or [], workers, dask, hourly, out, force)


@app.command()
def compare(
    plans: Annotated[
        list[str] | None, typer.Argument(help="Two or more library plan names or YAML files.")
    ] = None,
    all_plans: Annotated[
        bool, typer.Option("--library", help="Compare every library plan.")
    ] = False,
    replicates: Replicates = 20,
    seed: Seed = 0,
    weeks: Weeks = None,
    set_: Sets = None,
    workers: Workers = 1,
    dask: Dask = None,
    hourly: Hourly = False,
    out: Out = None,
    force: Force = False,
) -> None:
    """Simulate several plans with the same seeds; write one report with all of them.

    Rerunning the same command on the same --out runs only what is missing."""
    if all_plans == bool(plans):
        raise typer.BadParameter("give two or more plans, or --library (not both)")
    sources = list(library()) if all_plans else plans
    if len(sources) < 2:
        raise typer.BadParameter("compare needs at least two plans; use `groupsim run` for one")
    _simulate(sources, replicates, seed, weeks, set_ or [], workers, dask, hourly, out, force)


@app.command()
def scenarios() -> None:
    """List the library plans."""
    table = Table("plan", "description", title="Library plans")
    for name, description in library().items():
        table.add_row(escape(name), escape(description))
    console.print(table)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A plan YAML file.")],
) -> None:
    """Check a plan file: print ok, or each bad field with its allowed range."""
    with _bad_input():
        load_plan(str(file))
    console.print("ok")


@contextmanager
def _bad_input() -> Iterator[None]:
    """Report an error in what the user gave on stderr and exit with code 2."""
    try:
        yield
    except (PlanError, RunError, OutDirError) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None


def _simulate(
    sources: Sequence[str],
    replicates: int,
    seed: int,
    weeks: int | None,
    sets: list[str],
    workers: int,
    dask: str | None,
    hourly: bool,
    out: Path | None,
    force: bool,
) -> None:
    overrides = sets if weeks is None else [*sets, f"group.weeks={weeks}"]
    with _bad_input():
        plans = [load_plan(source, overrides) for source in sources]
    if out is None:
        name = plans[0].name if len(plans) == 1 else "compare"
        out = Path("runs") / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        with _bad_input(), progress_bar("simulating") as progress:
            results = run_plans(plans, replicates, seed, workers, hourly, progress, out,
                                dask=dask, force=force)
    except RunInterrupted as stop:
        _interrupted(stop, out)
    write_report(results, out / "report.html")
    _print_summary(results)
    console.print(f"Wrote {escape(str(out))}: {', '.join(_files(out))}")


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """One rich progress bar with an ETA on stderr, fed by (finished, total) calls; SIGTERM
    interrupts like Ctrl-C while it is open."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with sigterm_as_interrupt(), Progress(*columns, console=stderr) as bar:

        def progress(done: int, total: int) -> None:
            if not bar.tasks:  # the bar shows once the runs have started
                bar.add_task(description, total=total)
            bar.update(bar.task_ids[0], completed=done)

        yield progress


def _interrupted(stop: RunInterrupted, out: Path) -> NoReturn:
    if stop.results is None:
        typer.echo(
            f"Interrupted before any run finished; no tables written. Rerun the same command "
            f"to start again in {out}.", err=True)
    else:
        write_report(stop.results, out / "report.html")
        typer.echo(
            f"Interrupted: {stop.finished} of {stop.total} runs finished and are saved in "
            f"{out}: {', '.join(_files(out))}. Rerun the same command to finish the rest.",
            err=True,
        )
    raise typer.Exit(130)


def _files(out: Path) -> list[str]:
    return sorted(path.name + ("/" if path.is_dir() else "") for path in out.iterdir())


def _print_summary(results: Results) -> None:
    stats = summary_stats(results.summary)
    names = [plan.name for plan in results.plans]
    table = Table(
        "metric", *(escape(name) for name in names), title="Median over replicates [10–90%]"
    )
    for metric, rows in stats.groupby("metric", sort=False):
        cells = [
            f"{format_value(metric, row.median)} [dim]\\[{format_value(metric, row.p10)}–"
            f"{format_value(metric, row.p90)}][/dim]"
            for row in rows.set_index("plan").loc[names].itertuples()
        ]
        table.add_row(rows["label"].iloc[0], *cells)
    console.print(table)
    for paragraph in readings(results):
        console.print(escape(paragraph))

"""The `groupsim` command line: run, compare, scenarios, validate.

Commands parse arguments and call library functions; only this module turns exceptions into
messages and exit codes: 0 done, 2 bad input, 130 interrupted (what finished is saved).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from experiments.checks import plan_warnings
from experiments.report import format_value, readings, summary_stats, write_report
from experiments.runner import RunError, RunInterrupted, run_plans
from experiments.storage import Results
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
Workers = Annotated[int, typer.Option(help="Worker processes.")]
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
    hourly: Hourly = False,
    out: Out = None,
) -> None:
    """Simulate one plan; write its tables, plan and report to a run directory."""
    _simulate([plan], replicates, seed, weeks, set_ or [], workers, hourly, out)


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
    hourly: Hourly = False,
    out: Out = None,
) -> None:
    """Simulate several plans with the same seeds; write one report with all of them."""
    if all_plans == bool(plans):
        raise typer.BadParameter("give two or more plans, or --library (not both)")
    sources = list(library()) if all_plans else plans
    if len(sources) < 2:
        raise typer.BadParameter("compare needs at least two plans; use `groupsim run` for one")
    _simulate(sources, replicates, seed, weeks, set_ or [], workers, hourly, out)


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
    """Check a plan file: print ok (with a warning for each item that can never fire or lever
    that cannot work), or each bad field with its allowed range."""
    with _bad_input():
        checked = load_plan(str(file))
    for warning in plan_warnings(checked):
        console.print(f"warning: {escape(warning)}", soft_wrap=True)
    console.print("ok")


@contextmanager
def _bad_input() -> Iterator[None]:
    """Report an error in what the user gave on stderr and exit with code 2."""
    try:
        yield
    except (PlanError, RunError, FileExistsError) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None


def _simulate(
    sources: Sequence[str],
    replicates: int,
    seed: int,
    weeks: int | None,
    sets: list[str],
    workers: int,
    hourly: bool,
    out: Path | None,
) -> None:
    overrides = sets if weeks is None else [*sets, f"group.weeks={weeks}"]
    with _bad_input():
        plans = [load_plan(source, overrides) for source in sources]
    if out is None:
        name = plans[0].name if len(plans) == 1 else "compare"
        out = Path("runs") / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    try:
        with _bad_input(), Progress(*columns, console=stderr) as bar:

            def progress(done: int, total: int) -> None:
                if not bar.tasks:  # the bar shows once the run has started
                    bar.add_task("simulating", total=total)
                bar.update(bar.task_ids[0], completed=done)

            results = run_plans(plans, replicates, seed, workers, hourly, progress, out)
    except RunInterrupted as stop:
        _interrupted(stop, out)
    write_report(results, out / "report.html")
    _print_summary(results)
    console.print(f"Wrote {escape(str(out))}: {', '.join(_files(out))}")


def _interrupted(stop: RunInterrupted, out: Path) -> NoReturn:
    if stop.results is None:
        typer.echo("Interrupted before any replicate finished; no tables written.", err=True)
    else:
        write_report(stop.results, out / "report.html")
        typer.echo(
            f"Interrupted: {stop.finished} of {stop.total} replicates finished and are saved in "
            f"{out}: {', '.join(_files(out))}",
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

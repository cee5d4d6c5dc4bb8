"""The `groupsim` command line: run, compare, deck, scenarios, validate, app.

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

from experiments.deck import DeckError, Format, write_deck
from experiments.i18n import Lang
from experiments.images import ImageError
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
LangOption = Annotated[
    Lang, typer.Option("--lang", help="Language of titles, labels, units and the reading.")
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
    lang: LangOption = "en",
) -> None:
    """Simulate one plan; write its tables, plan and report to a run directory."""
    _simulate([plan], replicates, seed, weeks, set_ or [], workers, hourly, out, lang)


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
    lang: LangOption = "en",
) -> None:
    """Simulate several plans with the same seeds; write one report with all of them."""
    if all_plans == bool(plans):
        raise typer.BadParameter("give two or more plans, or --library (not both)")
    sources = list(library()) if all_plans else plans
    if len(sources) < 2:
        raise typer.BadParameter("compare needs at least two plans; use `groupsim run` for one")
    _simulate(sources, replicates, seed, weeks, set_ or [], workers, hourly, out, lang)


@app.command()
def deck(
    run_dir: Annotated[
        Path, typer.Argument(help="Directory of groupsim run, compare or sweep.", file_okay=False)
    ],
    lang: LangOption = "en",
    format_: Annotated[
        Format, typer.Option("--format", help="pptx: the deck, with a PNG and SVG of each chart; "
                             "png, svg, pdf: only the charts, in that format.")
    ] = "pptx",
    out: Annotated[
        Path | None, typer.Option(help="The .pptx file, or the folder for chart images; by "
                                  "default RUN_DIR/deck/deck-LANG.pptx or RUN_DIR/deck/LANG/.")
    ] = None,
) -> None:
    """Write a 16:9 slide deck and 1920×1080 chart images of a run, comparison or sweep."""
    try:
        written = write_deck(run_dir, lang, format_, out)
    except (DeckError, ImageError) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    console.print(f"Wrote {escape(str(written[0]))} and {len(written) - 1} more file(s)"
                  if len(written) > 1 and format_ == "pptx"
                  else f"Wrote {len(written)} chart(s) to {escape(str(written[0].parent))}")


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


@app.command("app")
def app_(
    host: Annotated[str, typer.Option(help="Address to listen on; other machines can reach the "
                                           "page only if you give one of this machine's.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the page.")] = 8765,
    replicates: Replicates = 20,
) -> None:
    """Serve the what-if page: change a plan's levers and see replicates against the plan's."""
    from experiments.app import AppError, serve  # Solara loads only for this command

    try:
        serve(host, port, replicates)
    except AppError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None


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
    lang: Lang,
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
        _interrupted(stop, out, lang)
    write_report(results, out / "report.html", lang)
    _print_summary(results)
    console.print(f"Wrote {escape(str(out))}: {', '.join(_files(out))}")


def _interrupted(stop: RunInterrupted, out: Path, lang: Lang) -> NoReturn:
    if stop.results is None:
        typer.echo("Interrupted before any replicate finished; no tables written.", err=True)
    else:
        write_report(stop.results, out / "report.html", lang)
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

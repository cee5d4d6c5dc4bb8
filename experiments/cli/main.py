"""The `groupsim` command line: run, compare, deck, scenarios, validate, app, sensitivity,
optimize, sweep, and a group's own history: import, calibrate, export-chat.

Commands parse arguments and call library functions; only this module turns exceptions into
messages and exit codes: 0 done, 2 bad input, 130 interrupted (what finished is saved).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import pandas as pd
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

# Only what the commands' signatures and help read is imported here; each command imports the
# rest when it runs, so `--help`, `validate` and a mistyped option answer without loading the
# engine, the analyses and the outputs (about 4× faster).
from experiments.outputs.images import Format
from experiments.running.history.formats.registry import EXPORT_FORMATS, FORMATS
from experiments.running.metrics import Lang, in_view
from sim.profile import DEFAULT_FIT

if TYPE_CHECKING:
    from experiments.analyses.optimize import Search
    from experiments.analyses.sensitivity import Sensitivity
    from experiments.analyses.sweep import Sweep
    from experiments.running.runner import RunInterrupted
    from experiments.running.storage import Results
    from scenarios.schema import Plan
    from sim.profile import Profile

app = typer.Typer(
    help="Simulate chat-group plans, compare them, and write tables and an offline report.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # help is plain text: `a:b:n` and `[default: 10]` are not markup
)
console = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)

Replicates = Annotated[int, typer.Option(help="Replicates per plan; replicate r uses seed + r.")]
Seed = Annotated[int, typer.Option(help="Seed of replicate 0.")]
Weeks = Annotated[
    int | None, typer.Option(help="Horizon in weeks (the same as --set group.weeks=N; a "
                                  "portfolio's: every group's).")
]
Sets = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a plan field, e.g. --set host.ip_strength=0.8; a portfolio's: "
                      "pool.size=5000, groups[tz].copies=30, "
                      "groups[*].set.growth.qr_influx_per_day=20. Repeatable."
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
LangOption = Annotated[
    Lang, typer.Option("--lang", help="Language of titles, labels, units and the reading.")
]
ProfileOption = Annotated[
    Path | None,
    typer.Option("--profile", dir_okay=False,
                 help="profile.yaml: an audience's behaviour (from groupsim calibrate, or written "
                 "by hand); every plan plays with it, and the run directory and report name it."),
]
Baseline = Annotated[
    str | None,
    typer.Option(help="The plan the others are measured against (paired differences, the "
                 "answer). [default: the first plan named; with --library the first library "
                 "plan in name order]"),
]
PlanOrPortfolio = Annotated[str, typer.Argument(
    help="Library plan name or YAML file; or a portfolio file (a `portfolio:` or `groups:` key), "
         "or the name of one in scenarios/library/portfolios/.")]
Threads = Annotated[
    int, typer.Option(help="For portfolios: threads advancing a replicate's groups side by side "
                           "(results do not depend on it).", min=1)
]


@app.command()
def run(
    plan: PlanOrPortfolio,
    replicates: Replicates = 20,
    seed: Seed = 0,
    weeks: Weeks = None,
    set_: Sets = None,
    workers: Workers = 1,
    dask: Dask = None,
    hourly: Hourly = False,
    out: Out = None,
    lang: LangOption = "en",
    force: Force = False,
    profile: ProfileOption = None,
    threads: Threads = 1,
) -> None:
    """Simulate one plan; write its tables, plan and report to a run directory. A portfolio
    (several groups sharing one pool) writes its tables and portfolio summary.

    Rerunning the same command on the same --out runs only what is missing; with more
    --replicates, only the new replicates."""
    from scenarios.portfolio import is_portfolio
    with _bad_input():  # a file that is not YAML is named here
        portfolio = is_portfolio(plan)
    if portfolio:
        _portfolio_only({"--hourly": hourly, "--profile": profile})
        _simulate_portfolios([plan], _portfolio_sets(weeks, set_), replicates, seed, threads,
                             workers, dask, out, force, lang)
        return
    _plans_only(threads)
    _simulate([plan], replicates, seed, weeks, set_ or [], workers, dask, hourly, out, force, lang,
              profile=profile)


@app.command()
def compare(
    plans: Annotated[
        list[str] | None, typer.Argument(help="Two or more library plan names or YAML files; or "
                                         "two or more portfolios (files or library names).")
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
    lang: LangOption = "en",
    force: Force = False,
    baseline: Baseline = None,
    profile: ProfileOption = None,
    threads: Threads = 1,
) -> None:
    """Simulate several plans with the same seeds; write one report with all of them.

    Portfolio files are compared the same way: each portfolio's replicates on the same seeds.

    Rerunning the same command on the same --out runs only what is missing; with more
    --replicates, only the new replicates."""
    from scenarios.loader import library
    from scenarios.portfolio import is_portfolio
    if all_plans == bool(plans):
        raise typer.BadParameter("give two or more plans, or --library (not both)")
    sources = list(library()) if all_plans else plans
    if len(sources) < 2:
        raise typer.BadParameter("compare needs at least two plans; use `groupsim run` for one")
    with _bad_input():  # a file that is not YAML is named here
        kinds = [is_portfolio(source) for source in sources]
    if any(kinds):
        if not all(kinds):
            raise typer.BadParameter(
                "compare takes plans or portfolios, not both: "
                + ", ".join(f"{s} ({'portfolio' if k else 'plan'})" for s, k in zip(sources, kinds)))
        _portfolio_only({"--hourly": hourly, "--profile": profile})
        _simulate_portfolios(sources, _portfolio_sets(weeks, set_), replicates, seed, threads,
                             workers, dask, out, force, lang, baseline)
        return
    _plans_only(threads)
    _simulate(sources, replicates, seed, weeks, set_ or [], workers, dask, hourly, out, force, lang,
              baseline, profile)


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
    baseline: Baseline = None,
) -> None:
    """Write a 16:9 slide deck and 1920-pixel-wide chart images of a run, comparison or sweep."""
    from experiments.outputs.deck import DeckError, write_deck
    from experiments.outputs.images import ImageError
    try:
        written = write_deck(run_dir, lang, format_, out, baseline)
    except (DeckError, ImageError) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    console.print(f"Wrote {escape(str(written[0]))} and {len(written) - 1} more file(s)"
                  if len(written) > 1 and format_ == "pptx"
                  else f"Wrote {len(written)} chart(s) to {escape(str(written[0].parent))}")


@app.command()
def scenarios(lang: LangOption = "en") -> None:
    """List the library plans and portfolios."""
    from experiments.outputs.i18n import text
    from scenarios.loader import library, portfolio_library
    table = Table(*(text(key, lang) for key in ("plan", "description")),
                  title=text("library_title", lang))
    for name, description in library(lang).items():
        table.add_row(escape(name), escape(description))
    console.print(table)
    portfolios = Table(*(text(key, lang) for key in ("portfolio", "description")),
                       title=text("portfolio_library_title", lang))
    for name, description in portfolio_library(lang).items():
        portfolios.add_row(escape(name), escape(description))
    console.print(portfolios)


@app.command()
def validate(
    plan: PlanOrPortfolio,
    workers: Workers = 1,
) -> None:
    """Check a plan (a library name or a file): print ok (with a note on how an older way of
    stating a lever is read, and a warning for each item that can never fire, lever that cannot
    work, price that sells below cost, or when runs on --workers may not fit in memory), or each
    bad field with its allowed range (exit 2, as when one run cannot fit in memory). A portfolio: ok with its
    number of groups (and a warning for a live code with no scans or a host with no group), or
    each bad field. An unknown name exits 2 naming the library's plans and portfolios."""
    from experiments.running.checks import plan_notes, plan_warnings, portfolio_warnings
    from experiments.running.memory import assess
    from experiments.running.runner import RunError, check_workers
    from scenarios.loader import load_plan
    from scenarios.portfolio import is_portfolio, load_portfolio
    with _bad_input():
        if is_portfolio(plan):
            portfolio = load_portfolio(plan)
            check_workers(workers)
            verdict = assess([[copy.plan for copy in portfolio.copies]], workers)
            if verdict.refusal:
                raise RunError(verdict.refusal)
            for warning in portfolio_warnings(portfolio) + [verdict.warning] * bool(verdict.warning):
                console.print(f"warning: {escape(warning)}", soft_wrap=True)
            console.print(f"ok ({len(portfolio.copies)} groups)")
            return
        checked = load_plan(plan)
        check_workers(workers)
        verdict = assess([[checked]], workers)
        if verdict.refusal:
            raise RunError(verdict.refusal)
    for note in plan_notes(checked):
        console.print(f"note: {escape(note)}", soft_wrap=True)
    for warning in plan_warnings(checked) + [verdict.warning] * bool(verdict.warning):
        console.print(f"warning: {escape(warning)}", soft_wrap=True)
    console.print("ok")


@app.command("app")
def app_(
    plan: Annotated[str, typer.Argument(help="Library plan name or YAML file the page opens "
                                             "on.")] = "tuanzhang",
    host: Annotated[str, typer.Option(help="Address to listen on; other machines can reach the "
                                           "page only if you give one of this machine's.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the page.")] = 8765,
    replicates: Replicates = 20,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the page.")] = "en",
    profile: ProfileOption = None,
) -> None:
    """Serve the what-if page: change a plan's levers and see replicates against the plan's."""
    from scenarios.loader import load_plan
    with _bad_input():
        opened = load_plan(plan)
        audience = _profile(profile)
    from experiments.outputs.app import AppError, serve  # Solara loads only for this command

    try:
        serve(opened, lang, host, port, replicates, audience)
    except AppError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("Stopped the what-if page.", err=True)
        raise typer.Exit(130) from None


def _profile(path: Path | None) -> Profile | None:
    """The --profile file read (`ProfileError` naming a bad field), or None."""
    from sim.profile import load as load_profile
    return None if path is None else load_profile(path)


@contextmanager
def _bad_input() -> Iterator[None]:
    """Report an error in what the user gave on stderr and exit with code 2."""
    from experiments.running.runner import RunError
    from experiments.running.storage import OutDirError
    from scenarios.loader import PlanError
    from sim.profile import ProfileError
    try:
        yield
    except (PlanError, RunError, OutDirError, ProfileError) as error:
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
    lang: Lang,
    baseline: str | None = None,
    profile: Path | None = None,
) -> None:
    from experiments.outputs.report import write_report
    from experiments.running.runner import RunInterrupted, run_plans
    from scenarios.loader import load_plan
    from scenarios.names import file_stem
    overrides = _overrides(sets, weeks)
    with _bad_input():
        plans = [load_plan(source, overrides) for source in sources]
        audience = _profile(profile)
    if out is None:
        name = plans[0].name if len(plans) == 1 else "compare"
        out = Path("runs") / f"{file_stem(name)}-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        with _bad_input(), progress_bar("simulating") as progress:
            results = run_plans(plans, replicates, seed, workers, hourly, progress, out,
                                dask=dask, force=force, baseline=baseline, profile=audience)
    except RunInterrupted as stop:
        _interrupted(stop, out, lang)
    with _writing(out):
        write_report(results, out / "report.html", lang)
        _print_summary(results, lang)
    if audience is not None:
        from experiments.outputs.i18n import profile_line
        console.print(escape(profile_line(audience, lang)))
    console.print(f"Wrote {escape(str(out))}: {', '.join(_files(out))}")


def _portfolio_only(options: dict[str, object]) -> None:
    """Refuse the options of `options` ({name: value}) that are given: a portfolio takes none."""
    given = [name for name, value in options.items() if value]
    if given:
        verb = "does" if len(given) == 1 else "do"
        raise typer.BadParameter(f"{', '.join(given)} {verb} not apply to a portfolio")


def _portfolio_sets(weeks: int | None, set_: list[str] | None) -> list[str]:
    """A portfolio's --set items, --weeks as every group's `group.weeks` first."""
    return [f"groups[*].set.group.weeks={weeks}"] * (weeks is not None) + list(set_ or [])


def _plans_only(threads: int) -> None:
    if threads != 1:
        raise typer.BadParameter(f"--threads {threads} is for portfolios (a plan's replicates run "
                                 "side by side with --workers)")


def _simulate_portfolios(sources: list[str], sets: list[str], replicates: int, seed: int,
                         threads: int, workers: int, dask: str | None, out: Path | None,
                         force: bool, lang: Lang, baseline: str | None = None) -> None:
    """Run one portfolio (its run directory) or several on the same seeds (a comparison
    directory: one run directory each and `portfolios.json`); write the report, print the
    answer and the table."""
    from experiments.outputs.i18n import text
    from experiments.outputs.portfolio_report import (
        answer as portfolio_answer, outcome_table, read_portfolios, with_baseline,
        write_index, write_report as write_portfolio_report,
    )
    from experiments.running.portfolio import run_portfolio
    from experiments.running.runner import RunInterrupted
    from experiments.running.storage import finished_tables
    from scenarios.names import file_stem
    from scenarios.portfolio import load_portfolio
    with _bad_input():
        portfolios = [load_portfolio(source, sets) for source in sources]
    names = [p.name for p in portfolios]
    if len(set(names)) < len(names):
        raise typer.BadParameter(f"two portfolios are named alike ({', '.join(names)}); give "
                                 "each its own `portfolio:` name")
    if baseline is not None and baseline not in names:
        raise typer.BadParameter(f"--baseline {baseline!r} is not one of the portfolios: "
                                 f"{', '.join(names)}")
    stem = file_stem(names[0]) if len(names) == 1 else "compare-portfolios"
    out = out or Path("runs") / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}"
    dirs = [out] if len(names) == 1 else [out / file_stem(name) for name in names]
    held = [finished_tables(d, ()) for d in dirs]  # which runs each directory's tables hold
    for k, (portfolio, where) in enumerate(zip(portfolios, dirs)):
        try:
            label = "simulating" + (f" {portfolio.name} ({k + 1}/{len(names)})"
                                    if len(names) > 1 else "")
            with _bad_input(), progress_bar(label) as progress:
                run_portfolio(portfolio, replicates, seed, threads, workers, progress, where,
                              dask=dask, force=force)
        except RunInterrupted as stop:
            typer.echo(f"Interrupted: {stop.finished} of {stop.total} replicates of "
                       f"{portfolio.name} finished and are saved in {where}. Rerun the same "
                       "command to finish the rest.", err=True)
            raise typer.Exit(130) from None
    if len(names) > 1:
        write_index(out, [d.name for d in dirs])
        if held != [finished_tables(d, ()) for d in dirs]:  # a deck of the runs held before
            shutil.rmtree(out / "deck", ignore_errors=True)
    results = with_baseline(read_portfolios(out), baseline)
    with _writing(out):
        write_portfolio_report(results, out / "report.html", lang)
    for question, sentence in portfolio_answer(results, lang):
        console.print(f"[bold]{escape(question)}[/bold] {escape(sentence)}")
    console.print(_table(outcome_table(results, lang), text("metric", lang)))
    console.print(f"Wrote {escape(str(out))}: {', '.join(_files(out))}")


def _table(frame: pd.DataFrame, corner: str) -> Table:
    """A rich table of a frame of text cells: its index as the first column."""
    table = Table(escape(corner), *(escape(str(c)) for c in frame.columns))
    for row, cells in zip(frame.index, frame.to_numpy()):
        table.add_row(escape(str(row)), *(escape(str(c)) for c in cells))
    return table


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """One rich progress bar with an ETA on stderr, fed by (finished, total) calls; SIGTERM
    interrupts like Ctrl-C while it is open, and only the first interrupt counts."""
    from experiments.running.runner import interrupt_once
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with interrupt_once(), Progress(*columns, console=stderr) as bar:

        def progress(done: int, total: int) -> None:
            if not bar.tasks:  # the bar shows once the runs have started
                bar.add_task(description, total=total)
            bar.update(bar.task_ids[0], completed=done)

        yield progress


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Writing what every run gave: an interrupt here (Ctrl-C, SIGTERM) says that the runs are
    saved and how to finish, rather than stopping without a word."""
    from experiments.running.runner import cut_short_by_interrupt, interrupt_once
    try:
        with interrupt_once():
            yield
    except BaseException as error:
        if not cut_short_by_interrupt(error):  # an interrupt can surface as another error
            raise
        typer.echo(
            f"Interrupted while writing the results; every run is saved in {out}. Rerun the "
            "same command to write them.", err=True)
        raise typer.Exit(130) from None


def _interrupted(stop: RunInterrupted, out: Path, lang: Lang) -> NoReturn:
    from experiments.outputs.report import write_report
    if stop.results is None:
        typer.echo(
            f"Interrupted before any run finished; no tables written. Rerun the same command "
            f"to start again in {out}.", err=True)
    else:
        write_report(stop.results, out / "report.html", lang)
        typer.echo(
            f"Interrupted: {stop.finished} of {stop.total} runs finished and are saved in "
            f"{out}: {', '.join(_files(out))}. Rerun the same command to finish the rest.",
            err=True,
        )
    raise typer.Exit(130)


def _files(out: Path) -> list[str]:
    return sorted(path.name + ("/" if path.is_dir() else "") for path in out.iterdir())


def _print_summary(results: Results, lang: Lang) -> None:
    """The tables, then the answer (for a comparison) and the reading per plan."""
    from experiments.outputs.answers import answers, choose_baseline
    from experiments.outputs.i18n import text
    from experiments.outputs.report import readings
    from experiments.outputs.terminal import paired_tables, summary_tables
    names = [plan.name for plan in results.plans]
    tables = summary_tables(results.summary, names, console.width, lang)
    if results.paired is not None:
        tables += paired_tables(results.paired, console.width, lang)
    for table in tables:
        console.print(table)
    if len(names) > 1:
        results, why = choose_baseline(results)
        console.print(f"[bold]{escape(text('answer_title', lang))}[/bold]")
        for question, sentence in answers(results, lang):
            console.print(f"[bold]{escape(question)}[/bold] {escape(sentence)}")
        console.print(escape(text("baseline_line", lang, base=results.baseline,
                                  why=text(why, lang))))
    for paragraph in readings(results, lang):
        console.print(escape(paragraph))


# --- sensitivity and optimize: which levers matter, and the best plan within limits ---

Ranges = Annotated[
    list[str],
    typer.Option(
        "--vary",
        help="A lever and its range PATH=a:b, e.g. --vary host.ip_strength=0.2:0.9 or "
        "--vary 'calendar[red_packet].amount=10:80'. Repeatable.",
    ),
]


@app.command()
def sensitivity(
    plan: Annotated[str, typer.Argument(help="Library plan name or YAML file.")],
    vary: Ranges,
    method: Annotated[
        str, typer.Option(help="morris (screening by elementary effects) or sobol (shares of "
                          "variance).")
    ] = "morris",
    samples: Annotated[
        int | None,
        typer.Option(help="Morris trajectories [default: 10], or Sobol base samples, a power "
                     "of 2 [default: 64]."),
    ] = None,
    metrics: Annotated[
        list[str] | None,
        typer.Option("--metrics", help="Metrics to analyse, comma-separated or repeated. "
                     f"[default: {','.join(in_view('sensitivity'))}]"),
    ] = None,
    replicates: Replicates = 20,
    seed: Seed = 0,
    weeks: Weeks = None,
    set_: Sets = None,
    workers: Workers = 1,
    dask: Dask = None,
    out: Out = None,
    force: Force = False,
    profile: ProfileOption = None,
) -> None:
    """Rank levers by how much they move each metric (SALib, seeded).

    Each sample is run --replicates times on the same seeds; its output is the median over
    replicates (a share for alive_weekN and alive_at_end). Rerunning on the same --out runs only
    what is missing, and may change --metrics, or --replicates (those already run are kept)."""
    from experiments.analyses.sensitivity import DEFAULT_METRICS, sensitivity as run_sensitivity
    from experiments.analyses.vary import axis, parse_lever
    from experiments.outputs.i18n import text
    from experiments.outputs.study_report import write_sensitivity_report
    from experiments.running.runner import RunInterrupted
    from scenarios.loader import load_plan
    from scenarios.names import file_stem
    names = [name.strip() for item in metrics or [] for name in item.split(",") if name.strip()]
    with _bad_input():
        base = load_plan(plan, _overrides(set_ or [], weeks))
        levers = [axis(base, parse_lever(text)) for text in vary]
        audience = _profile(profile)
    out = out or Path("runs") / f"{file_stem(base.name)}-sensitivity-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        with _bad_input(), progress_bar("sampling") as progress:
            result = run_sensitivity(
                base, levers, method=method, samples=samples,
                metrics=names or DEFAULT_METRICS, replicates=replicates, seed=seed,
                workers=workers, dask=dask, out=out, force=force, progress=progress,
                profile=audience,
            )
    except RunInterrupted as stop:
        typer.echo(
            f"Interrupted: {stop.finished} of {stop.total} runs finished and are kept in {out}. "
            "Rerun the same command to finish the rest and analyse.", err=True)
        raise typer.Exit(130) from None
    with _writing(out):
        write_sensitivity_report(result, plan, out / "report.html", audience)
        _print_ranking(result)
    console.print(f"Wrote {escape(str(out))}: {', '.join(_files(out))}")


@app.command()
def optimize(
    plan: Annotated[str, typer.Argument(help="Library plan name or YAML file.")],
    vary: Ranges,
    objective: Annotated[
        list[str] | None,
        typer.Option(help="METRIC[:max|:min] (max unless it says min); give two for a Pareto "
                     "front. Median over replicates; alive_weekN is the share alive at week N."),
    ] = None,
    constraint: Annotated[
        list[str] | None,
        typer.Option(help="METRIC>=NUMBER or METRIC<=NUMBER, e.g. 'alive_week12>=0.8' or "
                     "'total_cost<=2000'. Repeatable."),
    ] = None,
    trials: Annotated[int, typer.Option(help="Trials the study should hold.")] = 200,
    replicates: Annotated[
        int, typer.Option(help="Replicates per trial; replicate r uses seed + r in every trial.")
    ] = 20,
    seed: Seed = 0,
    weeks: Weeks = None,
    set_: Sets = None,
    workers: Workers = 1,
    dask: Dask = None,
    out: Out = None,
    force: Force = False,
    profile: ProfileOption = None,
) -> None:
    """Search the levers' ranges for the best plan (Optuna: seeded TPE, NSGA-II for two
    objectives).

    Writes trials.parquet, best.yaml (a plan extending PLAN that `groupsim run` accepts) and
    report.html. The study lives in --out: rerunning the same command continues it up to
    --trials."""
    from experiments.analyses.objectives import parse_constraint, parse_objective
    from experiments.analyses.optimize import SearchInterrupted, optimize as run_optimize
    from experiments.analyses.vary import axis, parse_lever
    from experiments.outputs.i18n import text
    from scenarios.loader import load_plan
    from scenarios.names import file_stem
    with _bad_input():
        base = load_plan(plan, _overrides(set_ or [], weeks))
        levers = [axis(base, parse_lever(text)) for text in vary]
        objectives = [parse_objective(text) for text in objective or []]
        constraints = [parse_constraint(text) for text in constraint or []]
        audience = _profile(profile)
    out = out or Path("runs") / f"{file_stem(base.name)}-optimize-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        with _bad_input(), progress_bar("optimizing") as progress:
            search = run_optimize(
                base, levers, objectives, constraints=constraints, trials=trials,
                replicates=replicates, seed=seed, workers=workers, dask=dask, out=out,
                force=force, progress=progress, profile=audience,
            )
    except SearchInterrupted as stop:
        _write_search(stop.search, base, plan, replicates, out, audience)
        finished = int((stop.search.trials["state"] != "RUNNING").sum())
        typer.echo(
            f"Interrupted: {finished} finished trials are kept in {out}. Rerun the same "
            "command to continue the study.", err=True)
        raise typer.Exit(130) from None
    with _writing(out):
        _write_search(search, base, plan, replicates, out, audience)
        _print_search(search)
    console.print(f"Wrote {escape(str(out))}: {', '.join(_files(out))}")


def _overrides(sets: list[str], weeks: int | None) -> list[str]:
    """The --set overrides, with --weeks N as group.weeks=N."""
    return sets if weeks is None else [*sets, f"group.weeks={weeks}"]


def _write_search(search: Search, base: Plan, source: str, replicates: int, out: Path,
                  profile: Profile | None) -> None:
    from experiments.analyses.optimize import write_best
    from experiments.outputs.study_report import write_search_report
    if write_best(search, base, source, out, profile) is None:
        typer.echo("No trial met the constraints, so there is no best.yaml.", err=True)
    write_search_report(search, source, replicates, out / "report.html", profile)


def _print_ranking(result: Sensitivity) -> None:
    """Per metric, the levers ranked by the method's main index, at most 80 columns wide."""
    from experiments.analyses.objectives import describe
    from experiments.analyses.sensitivity import RANK_BY
    from experiments.outputs.formatting import readable
    shown = {"morris": ("mu_star", "mu_star_conf", "sigma"), "sobol": ("ST", "ST_conf", "S1")}
    heads = {"mu_star": "μ*", "mu_star_conf": "±95%", "sigma": "σ", "ST": "ST",
             "ST_conf": "±95%", "S1": "S1"}
    for metric in result.metrics:
        rows = result.indices[result.indices["metric"] == metric].sort_values("rank")
        table = Table("#", "lever", *(heads[n] for n in shown[result.method]),
                      title=f"{describe(metric)}: levers by {heads[RANK_BY[result.method]]}")
        for row in rows.itertuples():
            table.add_row(
                "–" if pd.isna(row.rank) else str(row.rank), escape(row.lever),
                *(readable(getattr(row, n)) for n in shown[result.method]),
            )
        console.print(table)
        if rows["rank"].isna().all():
            console.print(
                f"  {metric} is undefined at some samples, so it has no indices."
                if rows[RANK_BY[result.method]].isna().all()
                else f"  {metric} was the same at every sample: no lever moved it."
            )


def _print_search(search: Search) -> None:
    """The best trial (one objective) or the Pareto front (two), trials as rows."""
    from experiments.outputs.formatting import format_value, readable
    metrics = [o.metric for o in search.objectives]
    extra = [c.metric for c in search.constraints if c.metric not in metrics]
    front = search.trials[search.trials["pareto"]]
    table = Table("trial", *(escape(m) for m in [*metrics, *extra]),
                  title="Best trial" if len(metrics) == 1 else "Pareto front")
    for row in front.sort_values(metrics[0]).itertuples(index=False):
        values = row._asdict()
        table.add_row(str(values["trial"]), *(format_value(m, values[m]) for m in [*metrics, *extra]))
    console.print(table)
    if search.best is not None:
        console.print(f"Best trial {search.best['trial']}: " + ", ".join(
            f"{escape(lever.path)}={readable(search.best[lever.path])}" for lever in search.levers
        ))



@app.command()
def sweep(
    plan: Annotated[str, typer.Argument(
        help="Library plan name or YAML file: the base plan; or a portfolio (a file with a "
             "`portfolio:` or `groups:` key, or the name of one in "
             "scenarios/library/portfolios/), swept over its own fields.")],
    vary: Annotated[
        list[str],
        typer.Option(
            help="PATH=SPEC: a plan path as --set takes it (a portfolio's: groups[tz].copies, "
            "hosts[amei].capacity, groups[*].set.growth.qr_influx_per_day), and a:b:n (n evenly "
            "spaced values), a,b,c (listed values) or a:b (a range, for lhs/sobol). Repeatable."
        ),
    ],
    design: Annotated[
        str, typer.Option(help="grid: every combination; lhs or sobol: --samples points.")
    ] = "grid",
    samples: Annotated[int | None, typer.Option(help="Points drawn by lhs or sobol.")] = None,
    replicates: Annotated[
        int, typer.Option(help="Replicates per point; replicate r uses seed + r.")
    ] = 20,
    seed: Seed = 0,
    weeks: Weeks = None,
    set_: Sets = None,
    workers: Workers = 1,
    dask: Dask = None,
    daily: Annotated[bool, typer.Option("--daily", help="Also write daily.parquet (plans "
                                                        "only).")] = False,
    out: Out = None,
    force: Force = False,
    profile: ProfileOption = None,
    threads: Threads = 1,
) -> None:
    """Run a plan or a portfolio at many settings of its levers; write per-point and per-run
    tables and a report. A portfolio's runs are its per-replicate rows (复制成功率, copies alive,
    GMV, costs, gross profit).

    Rerunning the same command on the same --out runs only what is missing; with more
    --replicates, only the new replicates."""
    from experiments.analyses.sweep import run_sweep
    from experiments.running.runner import RunInterrupted
    from scenarios.loader import load_plan
    from scenarios.names import file_stem
    from scenarios.portfolio import RawPortfolio, is_portfolio
    with _bad_input():  # a file that is not YAML is named here
        portfolio = is_portfolio(plan)
    if portfolio:
        _portfolio_only({"--daily": daily, "--profile": profile})
        with _bad_input():
            base = RawPortfolio.read(plan, _portfolio_sets(weeks, set_))
            name = base.resolve().name  # a bad base is named before any point
        audience = None
    else:
        _plans_only(threads)
        with _bad_input():
            base = load_plan(plan, _overrides(set_ or [], weeks))
            name = base.name
            audience = _profile(profile)
    out = out or Path("runs") / f"{file_stem(name)}-sweep-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        with _bad_input(), progress_bar("sweeping") as progress:
            result = run_sweep(
                base, vary, design=design, samples=samples, replicates=replicates, seed=seed,
                workers=workers, dask=dask, out=out, daily=daily, force=force,
                progress=progress, profile=audience, threads=threads,
            )
    except RunInterrupted as stop:
        if stop.results is not None:
            _sweep_report(stop.results, name, out, audience, partial=True)
        typer.echo(
            f"Interrupted: {stop.finished} of {stop.total} runs finished and are saved in {out}. "
            "Rerun the same command to finish the rest.",
            err=True,
        )
        raise typer.Exit(130) from None
    with _writing(out):
        _sweep_report(result, name, out, audience, partial=False)
    console.print(f"Wrote {escape(str(out))}: {', '.join(_files(out))}")


def _sweep_report(result: Sweep, name: str, out: Path, profile: Profile | None,
                  partial: bool) -> None:
    """The report of the sweep of `name` (a plan or portfolio); unless `partial`, the best
    points on the terminal."""
    from experiments.outputs.i18n import profile_line
    from experiments.outputs.sweep_charts import best_points, headline, write_sweep_report
    from experiments.outputs.terminal import best_point_tables
    levers = [lever.path for lever in result.levers]
    n = result.summary["replicate"].nunique()
    audience = profile_line(profile, "en")
    note = (f"{len(result.points)} points of {name}, {n} replicates each (replicate r of "
            "every point uses the same seed)." + (f" {audience}." if audience else "")
            + (" Interrupted: finished points only." if partial else ""))
    write_sweep_report(result.points, levers, f"Sweep of {name}", out / "report.html", note)
    if partial:
        return
    best = best_points(result.points, levers, n=5)
    for table in best_point_tables(best, result.points, levers, headline(result.points),
                                   console.width):
        console.print(table)


# --- a group's own history: import an export, fit the audience, render a run as an export ---

@app.command("import")
def import_(
    exports: Annotated[list[Path], typer.Argument(
        help="Export files of one group: " + "; ".join(FORMATS.values()) + ".", dir_okay=False)],
    out: Annotated[Path, typer.Option("--out", help="HISTORY_DIR: where events.parquet, "
                                      "observed.parquet and history-plan.yaml are written.",
                                      file_okay=False)],
    tz: Annotated[str, typer.Option(help="IANA time zone of the local days (and of exports "
                                    "that write wall-clock times).")] = "Asia/Shanghai",
    host: Annotated[str | None, typer.Option(help="The host's display name or ID; by default "
                                             "inferred (creator, most red packets, most "
                                             "messages).")] = None,
    keep_text: Annotated[bool, typer.Option("--keep-text", help="Keep message text in "
                                            "events.parquet (dropped by default).")] = False,
    salt: Annotated[str | None, typer.Option(help="Salt of the name hashes, to link imports "
                                             "of one group; by default random and not "
                                             "stored.")] = None,
) -> None:
    """Import chat exports of a group: per-event and per-day tables and a plan skeleton."""
    from experiments.running.history.formats.registry import UnknownFormat
    from experiments.running.history.importer import HistoryError, import_exports
    from experiments.running.history.tables import HostNotFound
    try:
        result = import_exports(exports, out, tz=tz, host=host, keep_text=keep_text, salt=salt)
    except (UnknownFormat, HistoryError, HostNotFound) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    for line in result.lines():
        typer.echo(line)
    typer.echo("Wrote " + ", ".join(str(p) for p in result.paths))


@app.command()
def calibrate(
    history_dir: Annotated[Path, typer.Argument(help="HISTORY_DIR written by `groupsim import`.",
                                                file_okay=False, exists=True)],
    plan: Annotated[Path | None, typer.Option(help="The plan the history played "
                                              "(default: HISTORY_DIR/history-plan.yaml).",
                                              dir_okay=False)] = None,
    trials: Annotated[int, typer.Option(help="Optuna trials (TPE).")] = 200,
    replicates: Annotated[int, typer.Option(help="Simulations per trial.")] = 8,
    workers: Workers = 1,
    dask: Dask = None,
    seed: Annotated[int, typer.Option(help="Seed of the sampler and the replicates.")] = 0,
    holdout_days: Annotated[int, typer.Option(help="Fit all but the last K days and "
                                              "forecast them.")] = 0,
    tz: Annotated[str | None, typer.Option(
        help="IANA time zone of the local days: the import's (the default), or refused.")]
    = None,
    fit: Annotated[list[str] | None, typer.Option("--fit", help="A name to fit (repeat); "
                                                  "default: " + ", ".join(DEFAULT_FIT) + ".")]
    = None,
    out: Annotated[Path | None, typer.Option(help="Where profile.yaml, fit.parquet, fit.html "
                                             "and the resumable journal go (default: "
                                             "HISTORY_DIR/fit).", file_okay=False)] = None,
) -> None:
    """Fit the audience's behaviour to a group's history: profile.yaml, fit.parquet, fit.html."""
    from experiments.analyses.calibrate import CalibrationError, calibrate as run_calibrate
    from experiments.outputs.fit_report import write_fit_html
    from experiments.running.runner import cut_short_by_interrupt
    try:
        with progress_bar("Calibrating (trials)") as progress:
            result = run_calibrate(history_dir, plan, trials=trials, replicates=replicates,
                                   workers=workers, dask=dask, seed=seed,
                                   holdout_days=holdout_days, out=out, tz=tz,
                                   names=tuple(fit) if fit else DEFAULT_FIT, progress=progress)
    except CalibrationError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    except BaseException as error:
        # an interrupt, or a library's clean-up it cut short (Optuna's journal lock)
        if not cut_short_by_interrupt(error):
            raise
        typer.echo("Interrupted: the finished trials are kept in the journal "
                   f"({out or history_dir / 'fit'}/calibrate.journal). Rerun the same command "
                   "to continue.", err=True)
        raise typer.Exit(130) from None
    page = write_fit_html(result.paths[0].parent / "fit.html", result)
    for line in result.lines():
        typer.echo(line)
    typer.echo("Wrote " + ", ".join(str(p) for p in [*result.paths, page]))


@app.command("export-chat")
def export_chat(
    run_dir: Annotated[Path, typer.Argument(help="RUN_DIR of a `groupsim run --hourly`.",
                                            file_okay=False, exists=True)],
    out: Annotated[Path, typer.Option("--out", help="The export file to write.",
                                      dir_okay=False)],
    format: Annotated[str, typer.Option("--format", help="One of: "
                                        + ", ".join(EXPORT_FORMATS) + ".")],
    replicate: Annotated[int, typer.Option(help="Which replicate.")] = 0,
    tz: Annotated[str, typer.Option(help="IANA time zone of the export's times.")]
    = "Asia/Shanghai",
    plan: Annotated[str | None, typer.Option(help="Which plan, in a `groupsim compare` "
                                                  "directory (it holds several).")] = None,
) -> None:
    """Render a simulated replicate as a chat export (made-up names), for tests and demos."""
    from experiments.running.history.export_chat import ExportChatError, export_chat as write_chat
    try:
        path = write_chat(run_dir, replicate, format, out, tz=tz, plan_name=plan)
    except ExportChatError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Wrote {path}")

"""`groupsim import`, `calibrate` and `export-chat`: command lines of `experiments.running.history` and
`experiments.analyses.calibrate`."""

from pathlib import Path
from typing import Annotated

import typer

from experiments.running.history.formats.registry import FORMATS, UnknownFormat
from experiments.running.history.importer import HistoryError, import_exports
from experiments.running.history.tables import HostNotFound
from experiments.analyses.calibrate import DEFAULT_FIT, CalibrationError, calibrate
from experiments.outputs.fit_report import write_fit_html
from experiments.running.history.export_chat import EXPORT_FORMATS, ExportChatError, export_chat


def import_command(
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
    try:
        result = import_exports(exports, out, tz=tz, host=host, keep_text=keep_text, salt=salt)
    except (UnknownFormat, HistoryError, HostNotFound) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    for line in result.lines():
        typer.echo(line)
    typer.echo("Wrote " + ", ".join(str(p) for p in result.paths))


def calibrate_command(
    history_dir: Annotated[Path, typer.Argument(help="HISTORY_DIR written by `groupsim import`.",
                                                file_okay=False, exists=True)],
    plan: Annotated[Path | None, typer.Option(help="The plan the history played "
                                              "(default: HISTORY_DIR/history-plan.yaml).",
                                              dir_okay=False)] = None,
    trials: Annotated[int, typer.Option(min=1, help="Optuna trials (TPE).")] = 200,
    replicates: Annotated[int, typer.Option(min=2, help="Simulations per trial.")] = 8,
    workers: Annotated[int, typer.Option(min=1, help="Local processes.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the sampler and the replicates.")] = 0,
    holdout_days: Annotated[int, typer.Option(min=0, help="Fit all but the last K days and "
                                              "forecast them.")] = 0,
    tz: Annotated[str, typer.Option(help="IANA time zone of the import.")] = "Asia/Shanghai",
    fit: Annotated[list[str] | None, typer.Option("--fit", help="A name to fit (repeat); "
                                                  "default: " + ", ".join(DEFAULT_FIT) + ".")]
    = None,
    out: Annotated[Path | None, typer.Option(help="Where profile.yaml, fit.parquet, fit.html "
                                             "and the resumable journal go (default: "
                                             "HISTORY_DIR/fit).", file_okay=False)] = None,
) -> None:
    """Fit the audience's behaviour to a group's history: profile.yaml, fit.parquet, fit.html."""
    try:
        result = calibrate(history_dir, plan, trials=trials, replicates=replicates,
                           workers=workers, seed=seed, holdout_days=holdout_days, out=out, tz=tz,
                           names=tuple(fit) if fit else DEFAULT_FIT)
    except CalibrationError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    page = write_fit_html(result.paths[0].parent / "fit.html", result)
    for line in result.lines():
        typer.echo(line)
    typer.echo("Wrote " + ", ".join(str(p) for p in [*result.paths, page]))


def export_chat_command(
    run_dir: Annotated[Path, typer.Argument(help="RUN_DIR of a `groupsim run --hourly`.",
                                            file_okay=False, exists=True)],
    out: Annotated[Path, typer.Option("--out", help="The export file to write.",
                                      dir_okay=False)],
    format: Annotated[str, typer.Option("--format", help="One of: "
                                        + ", ".join(EXPORT_FORMATS) + ".")],
    replicate: Annotated[int, typer.Option(min=0, help="Which replicate.")] = 0,
    tz: Annotated[str, typer.Option(help="IANA time zone of the export's times.")]
    = "Asia/Shanghai",
) -> None:
    """Render a simulated replicate as a chat export (made-up names), for tests and demos."""
    try:
        path = export_chat(run_dir, replicate, format, out, tz=tz)
    except ExportChatError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Wrote {path}")

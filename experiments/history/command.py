"""`groupsim import`: the command line of `experiments.history.import_exports`."""

from pathlib import Path
from typing import Annotated

import typer

from experiments.history import FORMATS, HistoryError, HostNotFound, UnknownFormat, import_exports


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

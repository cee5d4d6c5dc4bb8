"""What a parser is, and helpers the formats share."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from experiments.running.history.events import Sink


HEAD_BYTES = 64 * 1024
"""How much of a file format detection and encoding detection read."""


APPS = {"wechat": "WeChat", "qq": "QQ", "telegram": "Telegram", "whatsapp": "WhatsApp"}
"""The first word of a format's name -> the app whose export it is."""


def app(format_name: str) -> str:
    """The app a format is of (`wechat-chatlog-csv` -> `WeChat`)."""
    return APPS[format_name.split("-", 1)[0]]


class ExportError(ValueError):
    """An export of a known format that cannot be read; the message names the file and why."""


class Parser:
    name: ClassVar[str]
    description: ClassVar[str]
    platform: ClassVar[str]
    records_leaves: ClassVar[bool] = False
    records_red_packets: ClassVar[bool] = True
    """Whether the format can show red packets; when not, red packets and prompted thanks are
    unknown (empty), not zero."""
    caveat: ClassVar[str] = ""
    """What the format loses beyond leaves, said in the import's result."""

    def sniff(self, head: str) -> bool:
        raise NotImplementedError

    def parse(self, path: Path, sink: Sink) -> None:
        raise NotImplementedError

    def times(self, sink: Sink, tz: str) -> pd.DatetimeIndex:
        """UTC times of `sink.time` (raw values in this format); may add to `sink.notes`."""
        raise NotImplementedError


def encoding(path: Path) -> str:
    """UTF-16 when the file starts with its byte-order mark (Windows tools write it); GB18030
    when its first 64 KiB are not UTF-8 but are GB18030 (a CSV saved again by Excel on a Chinese
    Windows); else UTF-8 (a byte-order mark skipped)."""
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 4:  # not a character cut by the end of the head
            try:
                head[: len(head) - 4].decode("gb18030")
                return "gb18030"
            except UnicodeDecodeError:
                pass
    return "utf-8-sig"



def open_text(path: Path):
    """A text file opened for streaming line by line."""
    return open(path, encoding=encoding(path), errors="replace", newline="")


def load_json(path: Path) -> Any:
    """JSON has no line structure to stream by, so a JSON export is read whole."""
    try:
        with open(path, encoding=encoding(path)) as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ExportError(f"{path} is not valid JSON: {err}") from None


def split_names(text: str, separators: Sequence[str]) -> list[str]:
    """Names from a list such as '"A"、"B"' or 'A, B and C'."""
    names = [text]
    for sep in separators:
        names = [part for name in names for part in name.split(sep)]
    names = [n.strip().strip('"“”「」') for n in names]
    return [n for n in names if n]

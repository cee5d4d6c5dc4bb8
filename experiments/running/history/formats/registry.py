"""One parser per export format, and detection of the format of a file.

Each parser has `name`, `platform` (the plan's platform the skeleton names), `records_leaves`
(whether the format shows voluntary leaves; when it does not, leaves and members are unknown),
`records_red_packets` (when it does not, red packets and prompted thanks are unknown),
`sniff(head)`, `parse(path, sink)` and `times(raw, tz)`.
"""

from pathlib import Path

from experiments.running.history.formats import qq, telegram, wechat, whatsapp
from experiments.running.history.formats.base import HEAD_BYTES, Parser, encoding

PARSERS: tuple[Parser, ...] = (
    telegram.TelegramJson(), qq.QceJson(), wechat.ChatlogJson(),
    wechat.ChatlogCsv(), wechat.PyWxDumpCsv(), qq.QqTxt(), whatsapp.WhatsAppTxt(),
)
FORMATS: dict[str, str] = {p.name: p.description for p in PARSERS}
"""Format name -> what it is, in the order detection tries them."""
EXPORT_FORMATS = ("wechat-chatlog-csv", "qq-txt", "telegram-json", "whatsapp-txt")
"""The formats `groupsim export-chat` writes (experiments.running.history.export_chat)."""


class UnknownFormat(ValueError):
    """A file that is none of the formats groupsim reads; the message lists them."""


def detect(path: Path) -> Parser:
    """The parser for `path`, read from its first 64 KiB; `UnknownFormat` if none fits or the
    file is empty."""
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES).decode(encoding(path), errors="replace")
    if not head.strip():
        raise UnknownFormat(f"{path} is empty{' (only blank lines)' if head else ''}: "
                            "no export to read; export the chat again.")
    for parser in PARSERS:
        if parser.sniff(head):
            return parser
    listed = "; ".join(f"{name} ({what})" for name, what in FORMATS.items())
    raise UnknownFormat(f"{path} is not an export groupsim reads. Formats: {listed}.")

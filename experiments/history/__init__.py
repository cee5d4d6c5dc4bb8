"""A group's own chat history: import exports into events, observed days and a plan skeleton.

`import_exports` is the library entry point; `command.import_command` is its command line.
Formats: `FORMATS` (WeChat chatlog CSV/JSON and PyWxDump CSV, QQ TXT and QCE JSON, Telegram
Desktop JSON, WhatsApp TXT).
"""

from experiments.history.formats import FORMATS, UnknownFormat
from experiments.history.importer import HistoryError, ImportResult, import_exports
from experiments.history.tables import HostNotFound

__all__ = ["FORMATS", "HistoryError", "HostNotFound", "ImportResult", "UnknownFormat",
           "import_exports"]

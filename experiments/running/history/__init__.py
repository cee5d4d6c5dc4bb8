"""A group's own chat history: import exports into events, observed days and a plan skeleton
(`importer.import_exports`), and render a simulated run as an export (`export_chat`). One parser
per format under `formats/` (`formats.registry.FORMATS`: WeChat chatlog CSV/JSON and PyWxDump
CSV, QQ TXT and QCE JSON, Telegram Desktop JSON, WhatsApp TXT). The calibration is
`experiments.analyses.calibrate`, its page `experiments.outputs.fit_report`, the commands
`experiments.cli.history`."""

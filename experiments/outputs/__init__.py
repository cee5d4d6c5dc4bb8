"""Outputs for people: terminal tables, HTML reports, charts, slide decks, static images, labels
and number formats, and the what-if page. Built on `experiments.running` and
`experiments.analyses`; never imports `experiments.cli`.
"""

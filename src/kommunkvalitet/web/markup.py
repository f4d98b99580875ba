"""Users' text on the web pages: the one renderer lives in :mod:`kommunkvalitet.reports.markup`, shared
with the PDF exports (the CLI may use reports but not web)."""

from kommunkvalitet.reports.markup import for_json, render

__all__ = ["for_json", "render"]

"""Serve plotly.js from the installed plotly package as static/vendor/plotly.min.js."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
STATIC_PATH = "vendor/plotly.min.js"


class PlotlyFinder(BaseFinder):
    """A staticfiles finder that exposes the plotly package's own bundle."""

    storage = FileSystemStorage(location=str(PLOTLY_JS.parent))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == STATIC_PATH:
            return [str(PLOTLY_JS)] if find_all else str(PLOTLY_JS)
        return []

    def list(self, ignore_patterns):
        yield PLOTLY_JS.name, _PrefixedStorage(PLOTLY_JS.parent)


class _PrefixedStorage(FileSystemStorage):
    """Storage whose files are collected under vendor/."""

    prefix = "vendor"

    def __init__(self, location):
        super().__init__(location=str(location))

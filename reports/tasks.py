"""Celery tasks of the reports app (found by the worker's autodiscovery)."""

from .summary.tasks import run_summary_export  # noqa: F401

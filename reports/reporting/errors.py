"""The workflow's refusals: typed, each with a Chinese `message` shown to the user as is."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied


class ReportError(Exception):
    """A refused workflow call; `message` is shown to the user as is."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TransitionError(ReportError):
    """The report's state does not allow this action."""


class PermissionDenied(ReportError, DjangoPermissionDenied):
    """The user may not do this to this department's report (views answer 403)."""


class InvalidMonth(ReportError):
    """A month in the future, or not a first-of-month date."""


class InvalidValues(ReportError):
    """Figures that fail validation: `errors` {code: [message]}, `violations` cross-field rules."""

    def __init__(self, message, *, errors=None, violations=None):
        super().__init__(message)
        self.errors = errors or {}
        self.violations = violations or []


class BlanksNotConfirmed(ReportError):
    """A submission with empty boxes that the user has not confirmed as unavailable; `blanks` are the indicators."""

    def __init__(self, message, *, blanks):
        super().__init__(message)
        self.blanks = blanks


class StaleReport(ReportError):
    """Someone changed the report since `seen_version`; `changes` and `events` say what."""

    def __init__(self, message, *, report, seen_version, changes, events):
        super().__init__(message)
        self.report = report
        self.seen_version = seen_version
        self.changes = changes
        self.events = events

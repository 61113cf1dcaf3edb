"""The error a whole file is refused with."""


class ImportFileError(Exception):
    """The file cannot be imported at all; `message` says why, in Chinese, and nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

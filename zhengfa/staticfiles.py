"""Static files: hashed and compressed names once collected, cached by browsers for a year.

`collectstatic` (run by `rundemo`, and by a deployment) writes every file under a name
carrying a hash of its content, with gzip and brotli copies beside it, and a manifest.
Such a name never changes meaning, so WhiteNoise lets browsers keep it for a year.
"""

from whitenoise.compress import brotli_installed
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

ONE_YEAR = 365 * 24 * 60 * 60


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage; the plain names before anything was collected.

    Without a manifest (a checkout, the tests) a page still works: `{% static %}` gives the plain
    name, which WhiteNoise serves from the finders (WHITENOISE_USE_FINDERS) with a short max-age.
    """

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)

    def compress_files(self, paths):
        """Compress what is new: a hashed name's content never changes, so its copies from an earlier run stand.

        Keeps `rundemo`'s start short: brotli at its best level takes most of a minute for every file.
        """
        suffixes = [".gz", ".br"] if brotli_installed else [".gz"]
        fresh = [path for path in paths if not all(self.exists(path + suffix) for suffix in suffixes)]
        yield from super().compress_files(fresh)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, keeping hashed files for a year (its own default is ten)."""

    FOREVER = ONE_YEAR

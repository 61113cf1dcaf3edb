"""What every browser test shares: Debian's Chromium, its flags, the skip rule and the screenshot folder."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium tries to reach Google's hosts at every start.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

# Browser tests may skip on a machine without Chromium, never under CI=true.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true", reason="Debian's chromium is not installed"
    ),
]


def launch_chromium(playwright):
    """Start headless Chromium from Debian's package with the flags above."""
    return playwright.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=ARGS)

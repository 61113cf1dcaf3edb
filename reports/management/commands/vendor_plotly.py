"""Copy plotly.js's basic bundle into static/vendor with no address outside the server left in it.

    npm pack plotly.js-basic-dist-min@4.1.1 && tar -xzf plotly.js-basic-dist-min-4.1.1.tgz
    .venv/bin/python manage.py vendor_plotly package/plotly-basic.min.js

The bundle names a few outside addresses: defaults that would fetch (the map topology CDN, Chart
Studio's upload page), the logo's link, documentation links in messages and licence comments. The
dashboard uses none of them (no maps, no mode bar, no logo), but pages served on an intranet must
not even name one: each is emptied. XML namespace names (http://www.w3.org/2000/svg, …) stay: they
are identifiers that createElementNS needs, never fetched.
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Identifiers of XML namespaces: names, not addresses anything loads.
NAMESPACES = (
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
)
_ADDRESS = re.compile(r"https?://[^\s\"'`)\\]*")
# A protocol-relative address in a string ("//cdn.example.com/x.js") loads from outside just the same.
_RELATIVE = re.compile(r"[\"'`]//[a-z0-9-]+(\.[a-z0-9-]+)+/", re.IGNORECASE)
TARGET = Path("vendor") / "plotly-basic.min.js"


def outside_addresses(text):
    """The addresses in text that point outside the server (XML namespace names excepted)."""
    found = [m.group() for m in _ADDRESS.finditer(text) if not m.group().startswith(NAMESPACES)]
    return found + [m.group() for m in _RELATIVE.finditer(text)]


def localise(text):
    """text with every outside http(s) address emptied; XML namespace names kept."""
    return _ADDRESS.sub(lambda m: m.group() if m.group().startswith(NAMESPACES) else "", text)


class Command(BaseCommand):
    help = "把 plotly.js 基础包复制到 static/vendor，并去掉其中所有外部网址（内网部署不得引用外部地址）。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="plotly-basic.min.js from npm pack plotly.js-basic-dist-min")

    def handle(self, *args, source, **options):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"无法读取 {source}：{error}") from error
        local = localise(text)
        if left := outside_addresses(local):
            raise CommandError(f"仍有无法自动去掉的外部地址，未写入：{', '.join(sorted(set(left)))}")
        target = Path(settings.BASE_DIR) / "static" / TARGET
        target.write_text(local, encoding="utf-8")
        removed = len(outside_addresses(text))
        self.stdout.write(f"已写入 {target}（去掉 {removed} 个外部地址）。")

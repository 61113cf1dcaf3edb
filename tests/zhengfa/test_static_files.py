"""Static files: hashed, compressed and kept a year once collected; plain names before; plotly's small bundle."""

import io

import brotli
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.templatetags.static import static
from django.test import Client, override_settings

from reports.dashboard import charts

ONE_YEAR = 365 * 24 * 60 * 60
BUNDLE = "vendor/plotly-basic.min.js"
# The trace types plotly.js's "basic" partial bundle holds (its README: scatter, bar, pie).
BASIC_TRACES = {"scatter", "bar", "pie"}


@pytest.fixture
def collected(tmp_path):
    """collectstatic of our own static folder into a fresh STATIC_ROOT (the admin's files left out for speed)."""
    with override_settings(
        STATIC_ROOT=tmp_path, STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"]
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield tmp_path


def _body(response):
    return b"".join(response.streaming_content)


def test_collected_files_are_hashed_compressed_and_kept_a_year(collected):
    """The page names the hashed bundle; it comes brotli- or gzip-compressed with a year's max-age."""
    url = static(BUNDLE)
    assert url.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL)
    assert url.endswith(".js") and url != "/static/" + BUNDLE  # a hash in the name
    original = (settings.BASE_DIR / "static" / BUNDLE).read_bytes()
    client = Client()  # a new handler: its WhiteNoise scans the fresh STATIC_ROOT

    response = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert f"max-age={ONE_YEAR}" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    compressed = _body(response)
    assert len(compressed) < len(original) / 3
    assert brotli.decompress(compressed) == original

    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    # A browser that asks for neither gets the file itself.
    assert _body(client.get(url)) == original


def test_a_second_collectstatic_keeps_the_compressed_copies(collected):
    """Only new hashed names are compressed again (rundemo collects at every start)."""
    copy = next(collected.glob("vendor/plotly-basic.min.*.js.br"))
    copy.write_bytes(b"left alone")
    call_command("collectstatic", interactive=False, verbosity=0)
    assert copy.read_bytes() == b"left alone"


def test_without_collected_files_pages_use_the_plain_names(client):
    """A checkout where nothing was collected (the tests, a first runserver) still serves every file."""
    with override_settings(STATIC_ROOT=settings.BASE_DIR / "no-such-folder"):
        assert static(BUNDLE) == "/static/" + BUNDLE
        response = Client().get("/static/" + BUNDLE)
        assert response.status_code == 200
        assert b"plotly.js (basic - minified)" in _body(response)[:200]
        assert "immutable" not in response["Cache-Control"]


def test_the_dashboards_charts_use_only_trace_types_of_the_basic_bundle():
    """The partial bundle draws every chart the dashboard builds: bars and lines."""
    figures = [
        charts.trend_figure(title="t", unit="件", year=2023, this_year={1: 1}, last_year={}, bars=bars)
        for bars in (True, False)
    ]
    figures.append(
        charts.breakdown_figure(title="b", unit="件", rows=[("a", 1, 2)], current_label="c", previous_label="p")
    )
    assert {trace["type"] for figure in figures for trace in figure["data"]} <= BASIC_TRACES


def test_rundemo_collects_the_static_files_before_serving(monkeypatch):
    """The demo serves hashed, compressed files: collectstatic runs after loading, before runserver."""
    from reports.management.commands import rundemo

    called = []
    monkeypatch.setattr(rundemo, "call_command", lambda name, *args, **kwargs: called.append(name))
    rundemo.Command().handle(addrport="127.0.0.1:8000")
    assert called.index("load_demo") < called.index("collectstatic") < called.index("runserver")


def _served_texts():
    """Every file a page can load or render: static files and templates, as text."""
    for folder in ("static", "templates"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.is_file() and path.suffix in {".js", ".css", ".html", ".svg", ".txt", ".json"}:
                yield path, path.read_text(encoding="utf-8")


def test_no_served_file_names_an_address_outside_the_server():
    """An intranet page loads nothing from outside, and names nothing outside to load (XML namespace names
    are identifiers, not addresses)."""
    from reports.management.commands.vendor_plotly import outside_addresses

    found = {str(path.relative_to(settings.BASE_DIR)): outside_addresses(text) for path, text in _served_texts()}
    assert {path: addresses for path, addresses in found.items() if addresses} == {}
    assert any(path.endswith("plotly-basic.min.js") for path in found)  # the bundle was read


def test_vendoring_plotly_empties_outside_addresses_and_keeps_namespaces(tmp_path, settings):
    from reports.management.commands.vendor_plotly import localise, outside_addresses

    sample = (
        'a={dflt:"https://cdn.plot.ly/un/"};r.href="https://plotly.com/";'
        'document.createElementNS("http://www.w3.org/2000/svg","g");/* MIT License: http://getify.mit-license.org */'
    )
    assert outside_addresses(sample) == [
        "https://cdn.plot.ly/un/",
        "https://plotly.com/",
        "http://getify.mit-license.org",
    ]
    local = localise(sample)
    assert outside_addresses(local) == [] and "http://www.w3.org/2000/svg" in local
    assert 'dflt:""' in local and 'r.href=""' in local

    settings.BASE_DIR = tmp_path
    (tmp_path / "static" / "vendor").mkdir(parents=True)
    source = tmp_path / "plotly.js"
    source.write_text(sample)
    call_command("vendor_plotly", str(source), stdout=io.StringIO())
    assert (tmp_path / "static" / BUNDLE).read_text() == local
    # An address it cannot empty safely (protocol-relative) is refused, and nothing is written.
    source.write_text('s.src="//cdn.example.com/x.js"')
    with pytest.raises(CommandError, match="外部地址"):
        call_command("vendor_plotly", str(source), stdout=io.StringIO())
    assert (tmp_path / "static" / BUNDLE).read_text() == local

"""The deployment files (deploy/) agree with the settings, and pass nginx -t and systemd-analyze verify."""

import configparser
import os
import re
import shutil
import subprocess

import pytest
from django.conf import settings

DEPLOY = settings.BASE_DIR / "deploy"
SERVICES = ["zhengfa-web", "zhengfa-worker", "zhengfa-beat", "zhengfa-backup"]


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / f"{name}.service")
    return parser


def site():
    return (DEPLOY / "nginx" / "zhengfa.conf").read_text()


def environment_example():
    lines = (DEPLOY / "zhengfa.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_body_limit_of_nginx_is_the_settings_request_limit():
    [size] = re.findall(r"client_max_body_size (\d+)m;", site())
    assert int(size) * 1024 * 1024 == settings.MAX_REQUEST_SIZE


def test_nginx_serves_collectstatic_output_long_and_sets_the_forwarded_proto():
    env = environment_example()
    assert f"alias {env['STATIC_ROOT']}/;" in site()
    assert "expires 1y;" in site() and "immutable" in site()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site()
    assert env["PROXY_SSL_HEADER"] == "true" and env["HTTPS"] == "true" and env["TRUSTED_PROXY_COUNT"] == "1"
    assert f"server {env['GUNICORN_BIND']};" in site()
    assert "ssl_certificate " in site() and "listen 443 ssl" in site()


def test_every_service_runs_unprivileged_from_one_environment_file_and_restarts():
    for name in SERVICES:
        service = unit(name)["Service"]
        assert service["User"] == "zhengfa" and service["Group"] == "zhengfa", name
        assert service["EnvironmentFile"] == "/etc/zhengfa/zhengfa.env", name
        assert service["NoNewPrivileges"] == "true", name
        if name != "zhengfa-backup":  # a oneshot run by its timer
            assert service["Restart"] == "on-failure", name


def test_the_environment_example_names_only_variables_the_settings_read():
    read = (settings.BASE_DIR / "zhengfa" / "settings.py").read_text() + (
        settings.BASE_DIR / "gunicorn.conf.py"
    ).read_text()
    for name in environment_example():
        assert f'"{name}"' in read, name


def test_nginx_t_and_systemd_analyze_verify_accept_the_files():
    if not (shutil.which("nginx") and shutil.which("systemd-analyze") and shutil.which("openssl")):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs nginx, openssl and systemd-analyze (see .ci/run)")
        pytest.skip("nginx, openssl or systemd-analyze missing")
    result = subprocess.run(["bash", str(DEPLOY / "check")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

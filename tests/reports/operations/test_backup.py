"""Backups that restore: the demo backed up, restored into a new database by `manage.py restore` in
another process, and compared table by table and figure by figure (2023H1); the refusals."""

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from metrics.aggregation import summarize
from metrics.periods import parse_period
from reports.operations.backup import MANIFEST, BackupError, backup, read_manifest, restore

pytestmark = pytest.mark.django_db


def snapshot():
    """Every table's row count and every 2023H1 figure (value, last year, target, sources) of this database."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    figures = {
        f.indicator.code: [str(f.value), str(f.previous), str(f.target), f.sources]
        for f in summarize(parse_period("2023H1")).figures
    }
    return {"tables": counts, "figures": figures}


def run_manage(*args, database_url, media_root):
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root), "LOG_REQUESTS": "false"}
    env.pop("DATABASE_TEST_NAME", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )


def snapshot_of(database_url, media_root):
    code = "import json, django; django.setup(); from tests.reports.operations.test_backup import snapshot; "
    result = run_manage(
        "shell", "-c", code + "print(json.dumps(snapshot()))", database_url=database_url, media_root=media_root
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "summary_exports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "summary_exports" / "2023H1.docx").write_bytes(b"docx bytes")
    return settings.MEDIA_ROOT


@pytest.fixture
def new_postgresql_database():
    """The URL of a new, empty PostgreSQL database beside the test database; dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL round trip runs in the PostgreSQL pass of .ci/run")
    import psycopg2

    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    params = {k: v for k, v in connection.get_connection_params().items() if k not in ("database", "dbname")}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    user = f"{db['USER']}:{db['PASSWORD'] or ''}@" if db.get("USER") else ""
    yield f"postgres://{user}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_the_demo_backed_up_on_postgresql_restores_table_by_table_and_figure_by_figure(
    demo, media, tmp_path, new_postgresql_database
):
    before = snapshot()
    manifest = backup(tmp_path / "backup")
    assert manifest["engine"] == "postgresql" and manifest["version"]
    assert manifest["tables"]["metrics_datavalue"] == before["tables"]["metrics_datavalue"] > 1000
    assert manifest["figures"]["values"] == before["tables"]["metrics_datavalue"]
    assert sorted(os.listdir(tmp_path / "backup")) == ["database.dump", MANIFEST, "media.tar.gz"]

    restored_media = tmp_path / "restored-media"
    result = run_manage(
        "restore", str(tmp_path / "backup"), database_url=new_postgresql_database, media_root=restored_media
    )
    assert result.returncode == 0, result.stderr
    assert "恢复完成" in result.stdout

    after = snapshot_of(new_postgresql_database, restored_media)
    assert after["tables"] == before["tables"]  # every table, the derived rollups and history included
    assert len(after["figures"]) == len(before["figures"]) > 100
    for code, figure in before["figures"].items():
        assert after["figures"][code] == figure, code
    assert Decimal(before["figures"]["anti_fraud.cases"][0]) == 127  # the report's own figure (demo tests)
    assert (restored_media / "summary_exports" / "2023H1.docx").read_bytes() == b"docx bytes"

    # A second restore into the now filled database is refused and changes nothing.
    again = run_manage(
        "restore", str(tmp_path / "backup"), database_url=new_postgresql_database, media_root=restored_media
    )
    assert again.returncode != 0 and "目标数据库不是空的" in again.stderr
    assert snapshot_of(new_postgresql_database, restored_media)["tables"] == before["tables"]


def test_a_backup_from_a_newer_schema_is_refused(demo, media, tmp_path):
    backup(tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    manifest["migrations"].append("reports.9999_from_the_future")
    manifest["version"] = "9.0.0"
    (tmp_path / "backup" / MANIFEST).write_text(json.dumps(manifest))
    # Checked before the database is looked at (the test database is not empty, and stays as it was).
    with pytest.raises(BackupError, match="备份来自更新的版本 9.0.0") as refused:
        restore(tmp_path / "backup")
    assert "reports.9999_from_the_future" in str(refused.value)


def test_a_damaged_or_foreign_folder_is_refused_before_anything_is_loaded(demo, media, tmp_path):
    backup(tmp_path / "backup")
    dump = next(p for p in (tmp_path / "backup").iterdir() if p.name.startswith("database."))
    dump.write_bytes(dump.read_bytes()[:-10] + b"\x00" * 10)
    with pytest.raises(BackupError, match="已损坏"):
        read_manifest(tmp_path / "backup")
    with pytest.raises(BackupError, match="不是本系统的备份"):
        read_manifest(tmp_path)
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    manifest["files"] = {"../../etc/passwd": "0" * 64, "media.tar.gz": manifest["files"]["media.tar.gz"]}
    (tmp_path / "backup" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="清单不完整"):
        read_manifest(tmp_path / "backup")
    (tmp_path / "backup" / MANIFEST).write_text("\x00" * 10 + "²")
    with pytest.raises(BackupError, match="不是本系统的备份"):
        read_manifest(tmp_path / "backup")
    with pytest.raises(BackupError, match="不是空的"):
        backup(tmp_path / "backup")


def test_the_sqlite_demo_restores_into_a_new_file(demo, media, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite copy runs in the SQLite pass")
    before = snapshot()
    backup(tmp_path / "backup")
    # Sessions and password hashes inside: the folder is its owner's alone.
    assert (tmp_path / "backup").stat().st_mode & 0o077 == 0
    url = "sqlite:///" + str(tmp_path / "restored.sqlite3")
    result = run_manage("restore", str(tmp_path / "backup"), database_url=url, media_root=tmp_path / "restored-media")
    assert result.returncode == 0, result.stderr
    assert snapshot_of(url, tmp_path / "restored-media") == before
    assert (tmp_path / "restored-media" / "summary_exports" / "2023H1.docx").read_bytes() == b"docx bytes"

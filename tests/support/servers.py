"""Our app under gunicorn on a free 127.0.0.1 port: start it, wait until it answers, stop it.

The server is started the way users start it (``python -m paradip_kg.serving``, which
``paradip-kg serve`` calls), with the settings given as ``PARADIP_*`` environment variables.
Its output goes to a log file, never to a pipe: a pipe nobody reads stalls the server once it
is full. Standard library only, so that bench/ scripts can import it too.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from support.processes import group_members

PROBE = "/sparql?query=" + quote("ASK {}")  # answered 200 once a worker has opened the store
STARTUP_TIMEOUT = 60.0  # seconds; a big store takes longer to open: pass ``timeout``
STOP_TIMEOUT = 20.0  # seconds gunicorn gets for its graceful stop before SIGKILL


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    own_group: bool = False  # a session leader: its pid is the group of master, workers and their children

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (the OS picks it; free at the time of the call)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command(port: int, files: Sequence[Path] = (), workers: int = 2) -> list[str]:
    """The command line of ``paradip-kg serve`` (the bundled store, or ``files``) on ``port``."""
    return [sys.executable, "-m", "paradip_kg.serving", *map(str, files), "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers)]


def start_server(tmp: Path, files: Sequence[Path] = (), env: Mapping[str, str] | None = None, workers: int = 2, *,
                 own_group: bool = False, log: Path | None = None, probe: str = PROBE,
                 timeout: float = STARTUP_TIMEOUT, cwd: Path | None = None, defaults: bool = False) -> Server:
    """Start the server, its log in ``log`` (default ``tmp/server-PORT.log``), with ``env`` added
    to this process's environment; return once ``probe`` answers 200.

    ``cwd``: the working folder of the server (default: this process's). ``defaults``: no
    ``PARADIP_…`` variable of this process reaches the server, so every setting has its default,
    as for a user who runs the README's commands (``env`` still applies).

    ``own_group``: the server is a session leader, so that one ``killpg`` reaches the master,
    the workers and their child processes (they stay in the group: nothing in the server calls
    setsid). Raises RuntimeError, with the end of the log, if the server exits or does not
    answer within ``timeout`` seconds; it is stopped then.
    """
    port = free_port()
    log = log or tmp / f"server-{port}.log"
    with log.open("wb") as out:
        inherited = {k: v for k, v in os.environ.items() if not (defaults and k.startswith("PARADIP_"))}
        process = subprocess.Popen(serve_command(port, files, workers), stdout=out, stderr=subprocess.STDOUT,
                                   env={**inherited, **(env or {})}, start_new_session=own_group, cwd=cwd)
    server = Server(f"http://127.0.0.1:{port}", process, log, own_group)
    try:
        wait_until_answers(server, probe, timeout)
    except RuntimeError:
        stop_server(server)
        raise
    return server


def wait_until_answers(server: Server, probe: str = PROBE, timeout: float = STARTUP_TIMEOUT) -> None:
    """Return once ``GET probe`` answers 200; RuntimeError if the server exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited: {server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + probe, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, http.client.HTTPException):  # not listening yet, or not answering yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout:g} s: {server.log_tail()}")


def stop_server(server: Server) -> list[int]:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL for whatever is left after
    :data:`STOP_TIMEOUT` s. Returns the server's processes still alive (there should be none;
    only a server in its own group can tell)."""
    if server.own_group:
        left = kill_group(server, signal.SIGTERM, wait=STOP_TIMEOUT)
        if left or server.process.poll() is None:
            left = kill_group(server, signal.SIGKILL)
        return left
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    return []


def kill_group(server: Server, sig: int = signal.SIGKILL, wait: float = 15.0) -> list[int]:
    """Signal the whole process group of a server started with ``own_group``, reap the master,
    wait until no member is left; returns the members still alive after ``wait`` seconds."""
    pgid = server.process.pid  # a session leader: its pid is the group id
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + wait
    try:
        server.process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        pass
    while group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return group_members(pgid)

"""Which HTTP front keeps a slow client from costing the others: candidates side by side, one run.

Each candidate serves the same hello-world WSGI app (:func:`hello`) on a loopback port. For
each: the idle p95 of 20 cheap requests; then ``--slow`` sockets that send half a request
(``GET / HTTP/1.1`` and one header, never the blank line) and stay open, and the same 20
requests again (each given 5 s); then ``--clients`` clients at once for ``--seconds``
(throughput and p99). Figures are ratios against the candidate's own idle figures.

    .venv/bin/python bench/bench_fronts.py [--slow 200] [--clients 50] [--seconds 3]

The candidates: gunicorn sync (today's), gunicorn gthread, gunicorn gevent, gunicorn's asyncio
ASGI worker with a2wsgi, waitress (buffers whole requests before dispatch). Those whose package
is not installed are skipped (waitress, gevent and a2wsgi are not project dependencies).
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def hello(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The baseline app: a fixed answer."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def asgi_hello() -> Any:
    from a2wsgi import WSGIMiddleware

    return WSGIMiddleware(hello, workers=8)


GUNICORN = [sys.executable, "-m", "gunicorn", "--chdir", str(HERE), "--workers", "2", "--timeout", "60",
            "--log-level", "warning"]
CANDIDATES: dict[str, tuple[str | None, list[str]]] = {
    "gunicorn sync (2 workers)": (None, [*GUNICORN, "-k", "sync", "bench_fronts:hello"]),
    "gunicorn gthread (2x16 threads)": (None, [*GUNICORN, "-k", "gthread", "--threads", "16", "bench_fronts:hello"]),
    "gunicorn gevent (2 workers)": ("gevent", [*GUNICORN, "-k", "gevent", "bench_fronts:hello"]),
    "gunicorn asgi + a2wsgi (2 workers)": ("a2wsgi", [*GUNICORN, "-k", "asgi", "bench_fronts:asgi_hello()"]),
    "waitress (16 threads)": ("waitress", [sys.executable, "-m", "waitress", "--threads", "16",
                                           "--connection-limit", "1000", "--channel-timeout", "10",
                                           "bench_fronts:hello"]),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, timeout: float = 5.0) -> float | None:
    """Seconds one ``GET /`` took (a new connection), or None when it got no answer in time."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while b"hello" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    return None
                data += chunk
    except OSError:
        return None
    return time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cheap(port: int, n: int = 20) -> tuple[int, float | None]:
    times = [get(port) for _ in range(n)]
    answered = [t for t in times if t is not None]
    return len(answered), (percentile(answered, 0.95) if answered else None)


def slow_sockets(port: int, n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            socks.append(sock)
        except OSError:
            break
    return socks


def crowd(port: int, clients: int, seconds: float) -> tuple[int, int, float]:
    """``clients`` threads asking in a loop for ``seconds``: answers, errors, p99."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < stop:
            t = get(port)
            with lock:
                if t is None:
                    errors[0] += 1
                else:
                    times.append(t)

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(times), errors[0], percentile(times, 0.99) if times else float("nan")


def measure(name: str, command: list[str], args: argparse.Namespace) -> None:
    port = free_port()
    cmd = [*command[:-1], "--bind" if "gunicorn" in command else "--listen", f"127.0.0.1:{port}", command[-1]]
    proc = subprocess.Popen(cmd, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while get(port, 1.0) is None:
            if time.monotonic() > deadline or proc.poll() is not None:
                print(f"| {name} | did not start |")
                return
            time.sleep(0.2)
        _, idle = cheap(port)
        crowd_idle = crowd(port, args.clients, args.seconds)
        socks = slow_sockets(port, args.slow)
        time.sleep(0.5)
        answered, slow = cheap(port)
        for sock in socks:
            sock.close()
        n, errors, p99 = crowd_idle
        slow_s = f"{slow * 1000:.0f} ms ({slow / idle:.1f}x)" if slow is not None and idle else "no answer"
        print(f"| {name} | {idle * 1000:.1f} ms | {len(socks)} | {answered}/20 | {slow_s} | "
              f"{n / args.seconds:.0f}/s, {errors} errors, p99 {p99 * 1000:.0f} ms |", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--only", help="a substring of the candidates to run")
    args = parser.parse_args()
    print(f"| front | idle p95 | slow sockets held | answered with them | p95 with them | {args.clients} clients |")
    print("|---|---|---|---|---|---|")
    for name, (needs, command) in CANDIDATES.items():
        if args.only and args.only not in name:
            continue
        if needs and importlib.util.find_spec(needs) is None:
            print(f"| {name} | not installed ({needs}) |")
            continue
        measure(name, command, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

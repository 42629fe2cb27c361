"""A child process that can be stopped: both ends of the pipe between a worker and its child.

pyoxigraph has no query timeout, pyshacl no validation timeout, and a thread cannot be stopped.
So work that may run away runs in a child process, ``python -m <module>``, kept warm between
requests: the worker sends it one request at a time and waits for the answer until a deadline;
past it, the child is killed (SIGKILL) and the caller hears :class:`TimeoutError`. The SPARQL
children (:mod:`paradip_kg.sparql.runner`) and the SHACL children (:mod:`paradip_kg.shacl.runner`)
both run on this module.

The protocol. Frames on the child's stdin and stdout are an 8-byte big-endian length and a
pickle: both ends are this package, and the pipes are private to the two processes. Once started,
the child sends one hello frame, ``("ready", "")`` or ``("failed", message)`` when it cannot work
(a store it cannot open); then it answers each request frame with one answer frame, until its
stdin closes. Anything the child prints goes to stderr (the server log), never into the frames.
A child dies with its parent (Linux ``PR_SET_PDEATHSIG``): a runaway query must not outlive it.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from select import select
from typing import IO, Any

_HEADER = struct.Struct(">Q")
READY, FAILED = "ready", "failed"

Handler = Callable[[Any], Any]  # one request in, one answer out (must not raise)


# --- Framing ------------------------------------------------------------------------------


def write_frame(stream: IO[bytes], obj: object) -> None:
    """Send ``obj`` as one frame."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """Wait for one frame on ``stream``; EOFError when it closes (the child's side: no deadline)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    """Read ``size`` bytes from ``fd``; TimeoutError at ``deadline``, EOFError if closed."""
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select([fd], [], [], remaining)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _receive(stream: IO[bytes], deadline: float | None) -> Any:
    """One frame from ``stream`` (a pipe), or TimeoutError at ``deadline``."""
    fd = stream.fileno()
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exact(fd, size, deadline))


# --- The worker side ----------------------------------------------------------------------


class Child:
    """One child process, ``python -m module *args``, answering one request at a time.

    Args:
        module: the module the child runs; its ``__main__`` calls :func:`serve`.
        args: its command-line arguments.
        name: what the child is, for error messages ("the query engine process").
        start_timeout: how long the child may take to say hello (seconds).
        restart: after a child is killed, start a fresh one at once, so the next request
            does not wait for it (else the next request starts it).
    """

    def __init__(self, module: str, args: Sequence[str] = (), name: str = "the child process",
                 start_timeout: float = 60.0, restart: bool = False) -> None:
        self.command = [sys.executable, "-m", module, *args]
        self.name = name
        self.start_timeout = start_timeout
        self.restart = restart
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None
        self._ready = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the child if none runs (it gets ready while the worker does other things)."""
        if self._proc is None or self._proc.poll() is not None:
            self.stop()
            self._proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
            # Killed with the owner if nobody calls stop(): a forgotten app, or interpreter exit.
            self._finalizer = weakref.finalize(self, _terminate, self._proc)
            self._ready = False

    def stop(self) -> None:
        """Kill the child now (a request may be running: there is nothing to wait for)."""
        self._proc, self._ready = None, False
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def ready(self) -> bool:
        """Whether the child has said hello (without waiting: see :meth:`poll_ready`)."""
        return self._ready

    def _wait_ready(self) -> subprocess.Popen[bytes]:
        self.start()
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        if not self._ready:
            try:
                status, message = _receive(proc.stdout, time.monotonic() + self.start_timeout)
            except (EOFError, TimeoutError, OSError, pickle.UnpicklingError, ValueError):
                self.stop()
                raise ChildProcessError(f"{self.name} did not start; see the server log") from None
            if status != READY:
                self.stop()
                raise ChildProcessError(message)
            self._ready = True
        return proc

    def poll_ready(self) -> bool:
        """Whether the child has said hello, without waiting (starts it if none runs)."""
        if self._ready:
            return True
        with self._lock:
            self.start()
            proc = self._proc
            assert proc is not None and proc.stdout is not None
            if proc.poll() is not None or not select([proc.stdout], [], [], 0)[0]:
                return False
            try:
                self._wait_ready()
            except ChildProcessError:
                return False
            return True

    def call(self, request: object, timeout: float | None) -> Any:
        """Send ``request`` and return the child's answer.

        Args:
            timeout: seconds to wait for the answer (None or 0: no limit); the child's start
                does not count.

        Raises:
            TimeoutError: no answer within ``timeout``; the child was killed.
            ChildProcessError: the child did not start, could not work, or ended without an
                answer (the message says which); it was killed.
        """
        with self._lock:
            proc = self._wait_ready()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                write_frame(proc.stdin, request)
                return _receive(proc.stdout, time.monotonic() + timeout if timeout else None)
            except TimeoutError:
                self._replace()
                raise
            except (EOFError, OSError, pickle.UnpicklingError):
                self._replace()
                raise ChildProcessError(f"{self.name} ended unexpectedly; see the server log") from None

    def _replace(self) -> None:
        self.stop()
        if self.restart:
            self.start()


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


# --- The child side -----------------------------------------------------------------------


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def serve(setup: Callable[[], Handler]) -> int:
    """The child's main loop: say hello, then answer requests until stdin closes.

    ``setup()`` prepares the child (opens a store, imports an engine) and returns the handler
    of requests; if it raises OSError or ValueError, the hello carries the message and the child
    exits. Returns the exit status.
    """
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the request to die with it
        return 0
    # The protocol owns the real stdout; anything printed goes to stderr (the server log).
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    try:
        handle = setup()
    except (OSError, ValueError) as exc:
        write_frame(channel, (FAILED, str(exc) or type(exc).__name__))
        return 1
    write_frame(channel, (READY, ""))
    while True:
        try:
            request = read_frame(requests)
        except EOFError:
            return 0
        write_frame(channel, handle(request))


# --- Children forked from a loaded parent (the loaded pages, copy-on-write) ------------------
#
# A child that loads a big store into memory takes seconds to do so. A fork server (a Child whose
# handler is :func:`fork_handler`) loads it once; each request forks a child of it that answers
# jobs over a Unix socket of its own, with the loaded pages at once, copy-on-write (a page the
# child writes to becomes its own: Oxigraph's in-memory store writes to the memory it reads).
# The fork server is single-threaded when it forks (no lock can be held by a thread that the
# fork leaves behind). The socket has an abstract address (no file); the forked child answers
# only the process that started the fork server (its peer credentials are checked).


def fork_handler(make_handler: Callable[[], Handler], accept_timeout: float = 30.0) -> Handler:
    """The fork server's handler: each request forks a child running ``make_handler()``'s handler;
    the answer is ``(pid, address)``, or ``("failed", message)``."""
    import socket

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked children are reaped by the kernel
    owner = os.getppid()
    counter = iter(range(1 << 62))

    def fork(_request: Any) -> Any:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = f"\0paradip-kg-{os.getpid()}-{next(counter)}-{os.urandom(6).hex()}"
        try:
            listener.bind(address)
            listener.listen(1)
            pid = os.fork()
        except OSError as exc:
            listener.close()
            return (FAILED, f"cannot fork: {exc}")
        if pid == 0:  # the forked child: never returns into the fork server's loop
            status = 1
            try:
                die_with_parent()
                status = _serve_socket(listener, owner, make_handler(), accept_timeout)
            finally:
                os._exit(status)
        listener.close()
        return (pid, address)

    return fork


def _serve_socket(listener: Any, owner: int, handle: Handler, accept_timeout: float) -> int:
    import socket

    listener.settimeout(accept_timeout)
    conn, _ = listener.accept()
    listener.close()
    conn.settimeout(None)
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    if struct.unpack("3i", creds)[0] != owner:
        return 1  # only the process that started the fork server may send jobs
    requests, answers = conn.makefile("rb"), conn.makefile("wb")
    while True:
        try:
            request = read_frame(requests)
        except (EOFError, OSError):
            return 0
        write_frame(answers, handle(request))


class ForkedChild:
    """A child forked by a fork server (a :class:`Child` running :func:`fork_handler`), used like a Child.

    Killed (SIGKILL) past a deadline like a Child; ``restart`` forks a fresh one at once.
    """

    def __init__(self, server: Child, name: str = "the forked child", restart: bool = False) -> None:
        self.server, self.name, self.restart = server, name, restart
        self._pid: int | None = None
        self._sock: Any = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._pid

    def start(self) -> None:
        """Fork the child if none runs (ChildProcessError if the fork server cannot)."""
        import socket

        if self._sock is not None:
            return
        answer = self.server.call(("fork",), 30.0)
        if answer[0] == FAILED:
            raise ChildProcessError(str(answer[1]))
        pid, address = answer
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            _kill(pid)
            raise ChildProcessError(f"{self.name} did not start; see the server log") from None
        self._pid, self._sock = pid, sock

    def stop(self) -> None:
        """Kill the child now."""
        pid, sock, self._pid, self._sock = self._pid, self._sock, None, None
        if pid is not None:
            _kill(pid)
        if sock is not None:
            sock.close()

    def call(self, request: object, timeout: float | None) -> Any:
        """As :meth:`Child.call`."""
        with self._lock:
            try:
                self.start()
            except TimeoutError:
                raise ChildProcessError(f"{self.name} did not start; see the server log") from None
            sock = self._sock
            try:
                data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
                sock.sendall(_HEADER.pack(len(data)) + data)
                deadline = time.monotonic() + timeout if timeout else None
                (size,) = _HEADER.unpack(_read_exact(sock.fileno(), _HEADER.size, deadline))
                return pickle.loads(_read_exact(sock.fileno(), size, deadline))
            except TimeoutError:
                self._replace()
                raise
            except (EOFError, OSError, pickle.UnpicklingError):
                self._replace()
                raise ChildProcessError(f"{self.name} ended unexpectedly; see the server log") from None

    def _replace(self) -> None:
        self.stop()
        if self.restart:
            try:
                self.start()
            except (ChildProcessError, TimeoutError, OSError):
                pass  # the next job tries again


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

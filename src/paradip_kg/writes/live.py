"""The writer's side of a store: the write lock, its read-write copy, and the snapshots it keeps.

One writer at a time, across processes (:func:`writer_lock`, ``fcntl.flock`` on
``<store>.writes/lock``). The writer works on its own copy, ``<store>.writes/live``, which
readers never open; ``<store>.writes/LIVE`` names the head that copy equals, or ``dirty`` while
a write is under way, so a copy left behind by a crash is rebuilt from the head
(:func:`open_live`). Published snapshots (:mod:`paradip_kg.store.head`) are pruned to the newest
few (:func:`collect_snapshots`).

The copy stays open between writes in the process that wrote last (:func:`keep_live`):
opening RocksDB cost 30-70 ms a write. Only one process can have it open, so a process that
wants to write while another holds it asks that one to let go (:func:`open_live`, under the
write lock): the holder listens on an abstract Unix socket named after the copy, closes the
copy when asked, and answers. A holder that died holds nothing (RocksDB's lock and the socket
go with the process).
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.errors import WriteBusy
from paradip_kg.store.head import Head, snapshots_dir, writes_dir

KEEP_SNAPSHOTS = 3  # published snapshots kept besides HEAD's ...
SNAPSHOT_GRACE = 120.0  # ... and any younger than this many seconds (a reader may still be opening it)
RETRY_AFTER = 5  # seconds a client told "busy" is asked to wait before it tries again (Retry-After)
ASK_TIMEOUT = 5.0  # seconds a holder has to close its copy when asked
MAX_HELD = 2  # writers' copies of different stores one process keeps open at most (the oldest is closed)


@contextmanager
def writer_lock(store_dir: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the store's write lock (exclusive across processes); WriteBusy after ``timeout`` s."""
    folder = writes_dir(store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriteBusy(f"another write held the store for more than {timeout:g} s; try again",
                                    {"Retry-After": str(RETRY_AFTER)}) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --- The copy kept open between writes ----------------------------------------------------------------


@dataclass
class _Held:
    """A writer's copy this process keeps open: the head it equals, and who may ask for it."""

    store: ox.Store
    tag: str
    inode: int
    pid: int
    listener: socket.socket | None


_HELD: dict[str, _Held] = {}
_MUTEX = threading.Lock()
_STALE: list[_Held] = []  # copies inherited through fork: never used, never closed here


def _forget_after_fork() -> None:
    for held in _HELD.values():
        if held.listener is not None:
            held.listener.close()  # this process's descriptor only (no shutdown: that would be the parent's)
    _STALE.extend(_HELD.values())  # the parent still owns them: closing them here would touch its files
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def _key(live: Path) -> str:
    return str(live.absolute())


def _address(live: Path) -> str:
    """The abstract socket the holder of ``live`` listens on (no file: it goes with the process)."""
    return "\0paradip-kg-writer-" + hashlib.sha256(_key(live).encode()).hexdigest()[:32]


def _inode(path: Path) -> int:
    try:
        return path.stat().st_ino
    except OSError:
        return -1


def _marker(live: Path) -> str:
    marker = live.with_name("LIVE")
    return marker.read_text(encoding="utf-8").strip() if marker.exists() else ""


def _drop(held: _Held) -> None:
    """Close a held copy (its last reference goes; cycles are collected if something else holds it)."""
    if held.listener is not None:
        try:
            held.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        held.listener.close()
    store = held.store
    del held.store
    if sys.getrefcount(store) > 2:  # this name and getrefcount's argument: anything more is a cycle
        del store
        gc.collect()


def release(store_dir: Path) -> None:
    """Close this process's copy of ``store_dir``'s writer store, if it keeps one open."""
    live = writes_dir(store_dir) / "live"
    with _MUTEX:
        held = _HELD.pop(_key(live), None)
    if held is not None:
        _drop(held)


def _serve(key: str, listener: socket.socket) -> None:
    """The holder's side: wait to be asked, close the copy, answer."""
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            with _MUTEX:
                held = _HELD.get(key)
            if held is None or held.listener is not listener:
                return
            continue
        except OSError:  # shut down: the copy was closed for another reason
            return
        with conn:
            try:
                conn.settimeout(ASK_TIMEOUT)
                conn.recv(16)
                with _MUTEX:
                    held = _HELD.get(key)
                    mine = held is not None and held.listener is listener
                    if mine:
                        del _HELD[key]
                if mine and held is not None:
                    _drop(held)
                conn.sendall(b"released")
            except OSError:
                pass
        return


def _listen(live: Path) -> socket.socket | None:
    """Listen for other processes' requests for ``live``; None when the name is taken."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(_address(live))
        listener.listen(4)
    except OSError:
        listener.close()
        return None
    listener.settimeout(1.0)
    return listener


def _ask_holder(live: Path) -> None:
    """Ask the process holding ``live`` open to close it, and wait for its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as ask:
        ask.settimeout(ASK_TIMEOUT)
        try:
            ask.connect(_address(live))
            ask.sendall(b"release")
            ask.recv(16)
        except OSError:  # nobody listens (the holder is closing it, or is gone)
            pass


def _claim(live: Path, timeout: float) -> ox.Store:
    """Open ``live`` read-write, asking whichever process holds it to let go (call under the lock)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return ox.Store(str(live))
        except OSError as exc:
            if "LOCK" not in str(exc):  # RocksDB: "While lock file: .../LOCK" or "lock hold by current process"
                raise
        if time.monotonic() >= deadline:
            raise WriteBusy(f"another process kept the writer's store open for more than {timeout:g} s; try again",
                            {"Retry-After": str(RETRY_AFTER)})
        _ask_holder(live)
        time.sleep(0.005)


def open_live(store_dir: Path, head: Head, timeout: float = 30.0) -> ox.Store:
    """The writer's read-write copy, equal to ``head`` (call under :func:`writer_lock`).

    The copy this process kept open when it still equals ``head``; else the one on disk, taken
    from its holder if another process has it, rebuilt from ``head`` when it is not ``head``.
    """
    folder = writes_dir(store_dir)
    live = folder / "live"
    key = _key(live)
    with _MUTEX:
        held = _HELD.get(key)
        if held is not None and held.tag == head.tag and _marker(live) == head.tag and _inode(live) == held.inode:
            return held.store
        if held is not None:
            del _HELD[key]
    if held is not None:
        _drop(held)
        del held
    if not live.is_dir():  # nobody can hold what is not there: no need to open it first
        return _rebuild(live, head)
    store = _claim(live, timeout)
    if _marker(live) != head.tag:
        del store  # the only reference: RocksDB closes it
        return _rebuild(live, head)
    return store


def _rebuild(live: Path, head: Head) -> ox.Store:
    """The copy made again from ``head`` (hard links where it can), opened (call holding the copy or none)."""
    if live.exists():
        shutil.rmtree(live)
    ox.Store.read_only(str(head.path)).backup(str(live))
    live.with_name("LIVE").write_text(head.tag + "\n", encoding="utf-8")
    return ox.Store(str(live))


def keep_live(store_dir: Path, store: ox.Store, tag: str) -> None:
    """Record that the writer's copy equals the head ``tag`` and keep ``store`` open for the next write."""
    mark_live(store_dir, tag)
    live = writes_dir(store_dir) / "live"
    key = _key(live)
    with _MUTEX:
        held = _HELD.get(key)
        if held is not None and held.store is store and held.pid == os.getpid():
            held.tag = tag
            return
    if held is not None:
        release(store_dir)
    listener = _listen(live)
    if listener is None:  # another process's holder still has the name: do not keep what it cannot ask for
        return
    with _MUTEX:
        _HELD[key] = _Held(store, tag, _inode(live), os.getpid(), listener)
        extra = [_HELD.pop(k) for k in list(_HELD)[:-MAX_HELD]]
    for old in extra:
        _drop(old)
    threading.Thread(target=_serve, args=(key, listener), name="paradip-kg-writer-hand-off", daemon=True).start()


def mark_live(store_dir: Path, name: str) -> None:
    """Record which head the writer's copy equals now (``dirty``: none, rebuild it before the next write)."""
    (writes_dir(store_dir) / "LIVE").write_text(name + "\n", encoding="utf-8")


def collect_snapshots(store_dir: Path, keep: str) -> None:
    """Remove the old snapshots: all but the newest KEEP_SNAPSHOTS, ``keep`` and the young ones."""
    folder = snapshots_dir(store_dir)
    names = sorted(p.name for p in folder.iterdir() if p.is_dir())
    now = time.time()
    for name in names[:-KEEP_SNAPSHOTS]:
        path = folder / name
        if name != keep and now - path.stat().st_mtime > SNAPSHOT_GRACE:
            shutil.rmtree(path, ignore_errors=True)

"""Progress of long steps, the way pip shows it: a line per finished stage, live counts within one.

    parse 1,000,000 triples 6.1 s (164k/s): 1,336 ontology, 5,000 vocabulary, ...
    infer 2,712,004 triples 9.8 s (277k/s) ...

A :class:`Progress` writes each finished stage's line (:meth:`Stage.done`) and any plain message
(:meth:`Progress.say`) wherever it is told (standard error, or a callback). On a terminal it also
redraws one live line within a long stage (:meth:`Stage.update`: the count so far, the seconds and
the rate, at most a few times a second); elsewhere (a pipe, a log, CI) only the lines are written,
so logs hold no carriage returns.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


def rate(count: float, seconds: float) -> str:
    """``count / seconds`` per second, short: ``950/s``, ``164k/s``, ``1.2M/s``."""
    if seconds <= 0:
        return "-/s"
    per = count / seconds
    if per >= 1e6:
        return f"{per / 1e6:.1f}M/s"
    if per >= 1e4:
        return f"{per / 1e3:.0f}k/s"
    if per >= 1e3:
        return f"{per / 1e3:.1f}k/s"
    return f"{per:.0f}/s"


class Progress:
    """Where a command reports its stages; ``Progress()`` says nothing at all."""

    def __init__(self, say: Callable[[str], None] | None = None, live: TextIO | None = None,
                 interval: float = 0.25) -> None:
        self._say = say
        self._live = live
        self._interval = interval
        self._shown = 0  # length of the live line on screen, 0 when none
        self._lock = threading.Lock()  # a heartbeat thread draws too (Stage.ticking)

    @classmethod
    def to_stderr(cls) -> Progress:
        """Lines to standard error, with live updates when it is a terminal."""
        stream = sys.stderr

        def say(text: str) -> None:
            print(text, file=stream, flush=True)

        return cls(say, stream if stream.isatty() else None)

    @classmethod
    def of(cls, progress: Progress | Callable[[str], None] | None) -> Progress:
        """``progress`` itself, a Progress that hands each line to a callback, or a silent one."""
        if isinstance(progress, Progress):
            return progress
        return cls(progress)

    def say(self, text: str) -> None:
        """A line (the live line, if any, is cleared first)."""
        self._clear()
        if self._say is not None:
            self._say(text)

    def stage(self, name: str, unit: str = "triples") -> Stage:
        """A stage starting now."""
        return Stage(self, name, unit)

    @property
    def live(self) -> bool:
        return self._live is not None

    def _draw(self, text: str) -> None:
        if self._live is None:
            return
        with self._lock:
            pad = max(0, self._shown - len(text))
            self._live.write("\r" + text + " " * pad)
            self._live.flush()
            self._shown = len(text)

    def _clear(self) -> None:
        if self._live is not None and self._shown:
            with self._lock:
                self._live.write("\r" + " " * self._shown + "\r")
                self._live.flush()
                self._shown = 0


class Stage:
    """One stage of a :class:`Progress`: updates while it runs, one line when it is done."""

    def __init__(self, progress: Progress, name: str, unit: str) -> None:
        self.progress, self.name, self.unit = progress, name, unit
        self.started = time.perf_counter()
        self._drawn = 0.0

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def line(self, count: int, note: str = "") -> str:
        seconds = self.seconds
        text = f"{self.name} {count:,} {self.unit} {seconds:.1f} s ({rate(count, seconds)})"
        return text + (f" {note}" if note else "")

    def update(self, count: int, note: str = "") -> None:
        """The count so far (drawn on a terminal at most every ``interval`` seconds)."""
        now = time.perf_counter()
        if now - self._drawn >= self.progress._interval:
            self._drawn = now
            self.progress._draw(self.line(count, note) + " …")

    @contextmanager
    def ticking(self, count: Callable[[], int] = lambda: 0, note: str = "") -> Iterator[None]:
        """Redraw the live line (``count()`` so far, the seconds) while a long call runs, from a thread:
        Oxigraph's loads release the GIL, and a Python loop lets the thread in every few milliseconds."""
        if not self.progress.live:
            yield
            return
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.progress._interval):
                self.update(count(), note)

        thread = threading.Thread(target=beat, name=f"progress-{self.name}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def done(self, count: int, note: str = "") -> float:
        """The stage's line; returns its seconds."""
        seconds = self.seconds
        self.progress.say(self.line(count, note))
        return seconds


__all__ = ["Progress", "Stage", "rate"]

"""The write journal: what each accepted write added and removed, so a write can be undone.

Every accepted write leaves one entry, written before the write is published
(:func:`record`, called by :mod:`paradip_kg.writes.commit` just before HEAD moves), in
``<store>.journal/<build>/<sequence>.nq.gz``: a JSON header line (sequence, agent, operation,
time, counts), then the asserted quads the write added (``A`` lines) and removed (``R`` lines),
in N-Quads with the store's own blank-node labels, so a restored quad is the same quad.
The inferred quads and the writes log are not kept: a restore is itself a write, whose
inference re-derives the entailments and whose provenance records it.

:func:`restore_change` is the change that brings the asserted graphs back to their state
before a given write (``paradip-kg restore``, :mod:`paradip_kg.cli.restore`): every later write
undone, newest first. The journal lives beside the store, not in ``<store>.writes``, so a
build that discards the writes leaves it; entries are kept per build (the folder is named by
the build's content hash) and only those of the build being served are replayed.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.errors import InputError
from paradip_kg.store.head import Head, built_head, read_head
from paradip_kg.writes.delta import Delta, apply

JOURNAL_SUFFIX = ".journal"


def journal_dir(store_dir: Path, base: str) -> Path:
    """The journal of the writes on the build named ``base`` (its content hash)."""
    return store_dir.with_name(store_dir.name + JOURNAL_SUFFIX) / base[:16]


def _lines(quads: Iterable[ox.Quad], mark: bytes) -> list[bytes]:
    text = ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS) or b""
    return [mark + line for line in text.split(b"\n") if line]


def record(store_dir: Path, sequence: int, base: str, delta: Delta, *, agent: str, operation: str) -> Path:
    """Write the entry of write ``sequence`` durably (a temporary file, fsync'd, renamed into place).

    Written before HEAD moves: a crash in between leaves an entry for a write that never became
    visible, which a later write of the same number replaces and :func:`entries` ignores."""
    folder = journal_dir(store_dir, base)
    folder.mkdir(parents=True, exist_ok=True)
    header = {"sequence": sequence, "agent": agent, "operation": operation, "added": len(delta.added),
              "removed": len(delta.removed), "created": sorted(delta.created),
              "at": datetime.now(UTC).isoformat(timespec="seconds")}
    body = b"\n".join([json.dumps(header, sort_keys=True).encode("utf-8"),
                       *_lines(delta.added, b"A "), *_lines(delta.removed, b"R ")]) + b"\n"
    path = folder / f"{sequence:08d}.nq.gz"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        handle.write(gzip.compress(body, compresslevel=1, mtime=0))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


@dataclass
class Entry:
    """One journal entry: the header and the quads the write added and removed."""

    header: dict[str, Any]
    added: set[ox.Quad] = field(default_factory=set)
    removed: set[ox.Quad] = field(default_factory=set)

    @property
    def sequence(self) -> int:
        return int(self.header["sequence"])


def read_entry(path: Path, with_quads: bool = True) -> Entry:
    """Read one entry (only its header when ``with_quads`` is False)."""
    lines = gzip.decompress(path.read_bytes()).split(b"\n")
    entry = Entry(json.loads(lines[0]))
    if with_quads:
        for mark, into in ((b"A ", entry.added), (b"R ", entry.removed)):
            text = b"\n".join(line[2:] for line in lines[1:] if line.startswith(mark)) + b"\n"
            into.update(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    return entry


def entries(store_dir: Path, head: Head | None = None, with_quads: bool = False) -> list[Entry]:
    """The entries of the writes the served state holds (sequence 1 to HEAD's), oldest first."""
    head = head or read_head(store_dir)
    folder = journal_dir(store_dir, built_head(store_dir).tag)
    found = []
    for sequence in range(1, head.sequence + 1):
        path = folder / f"{sequence:08d}.nq.gz"
        if path.exists():
            found.append(read_entry(path, with_quads))
    return found


def restore_change(store_dir: Path, before: int | None = None) -> tuple[int, Any]:
    """The write number whose state before is restored, and the change that restores it.

    ``before``: the state before that write (1 for the build itself); None: before the last one.
    Raises InputError when there is no such write, or its entry or a later one is missing."""
    head = read_head(store_dir)
    if head.sequence == 0:
        raise InputError("the store serves its build: there is no write to undo")
    target = head.sequence if before is None else before
    if not 1 <= target <= head.sequence:
        raise InputError(f"there is no write {target}: the accepted writes are numbered 1 to {head.sequence}")
    folder = journal_dir(store_dir, built_head(store_dir).tag)
    missing = [n for n in range(target, head.sequence + 1) if not (folder / f"{n:08d}.nq.gz").exists()]
    if missing:
        raise InputError(f"the journal has no entry for write(s) {', '.join(map(str, missing))} (in {folder}); "
                         "the state before them cannot be restored")
    undo = [read_entry(folder / f"{n:08d}.nq.gz") for n in range(head.sequence, target - 1, -1)]

    def change(live: ox.Store) -> Delta:
        # Compose the inverses, newest first: what a later write added is removed, what it removed comes back.
        back: set[ox.Quad] = set()
        gone: set[ox.Quad] = set()
        created: set[str] = set()
        for entry in undo:
            back -= entry.added
            gone |= entry.added
            gone -= entry.removed
            back |= entry.removed
            created |= set(entry.header.get("created", []))
        delta = Delta(added={q for q in back if q not in live}, removed={q for q in gone if q in live})
        apply(live, delta)
        for graph in created:  # a graph a Graph Store PUT created empty goes again
            name = ox.NamedNode(graph)
            if not any(True for _ in live.quads_for_pattern(None, None, None, name)):
                live.remove_graph(name)
        return delta

    return target, change

"""Deterministic dumps of a built store: N-Quads (gzip) of all graphs, Turtle and JSON-LD per graph."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS, PREFIXES
from paradip_kg.store import open_store


def _sorted_nquads(store: ox.Store) -> bytes:
    data = ox.serialize(store, format=ox.RdfFormat.N_QUADS) or b""
    lines = sorted(line for line in data.split(b"\n") if line)
    return b"\n".join(lines) + b"\n"


def write_dumps(store_dir: Path, out_dir: Path) -> list[Path]:
    """Write the dumps and a SHA256SUMS file; the same store gives byte-identical files."""
    store = open_store(store_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    nq = out_dir / "paradip-kg.nq.gz"
    # mtime=0 and no file name in the header keep the gzip bytes stable.
    with open(nq, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(_sorted_nquads(store))
    written.append(nq)
    for key, name in GRAPHS.items():
        triples = sorted((q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))),
                         key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        for fmt, ext in ((ox.RdfFormat.TURTLE, "ttl"), (ox.RdfFormat.JSON_LD, "jsonld")):
            path = out_dir / f"{key}.{ext}"
            path.write_bytes(ox.serialize(triples, format=fmt, prefixes=PREFIXES) or b"")
            written.append(path)
    sums = out_dir / "SHA256SUMS"
    sums.write_text("".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in written))
    written.append(sums)
    return written

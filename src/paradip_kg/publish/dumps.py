"""Deterministic dumps of a built store, and the version that names the store's content.

    paradip-kg.nq.gz              every graph, N-Quads, gzip
    paradip-kg-<graph>.ttl        one Turtle file per named graph
    paradip-kg-<graph>.jsonld     one JSON-LD file per named graph
    SHA256SUMS                    `sha256sum -c` checks every file above
    VERSION                       the store version the files were written from

The same data gives byte-identical files: blank nodes are relabelled with the W3C RDF
Dataset Canonicalization algorithm (RDFC-1.0, https://www.w3.org/TR/rdf-canon/), so their
labels do not depend on the parser's random ones; lines and triples are sorted; the gzip
header carries no file name and a zero time stamp.

``paradip-kg export`` writes them offline; the web layer writes them on first request into
:func:`default_dir` (``var/dumps`` beside ``var/store``), through a temporary folder that is
renamed into place, so a reader never sees half a dump and two workers may race safely.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS, PREFIXES
from paradip_kg.rdf.formats import BY_MEDIA_TYPE
from paradip_kg.store.head import open_head, read_head

NQUADS = "paradip-kg.nq.gz"
SUMS = "SHA256SUMS"
VERSION = "VERSION"


@dataclass(frozen=True)
class DumpFile:
    """One file of the dump: its name, media type, and the graph it holds (None: all)."""

    name: str
    media_type: str
    graph: str | None
    encoding: str | None = None  # Content-Encoding-like compression of the bytes ("gzip")

    @property
    def format_name(self) -> str:
        """The name of its format in :mod:`paradip_kg.rdf.formats` (turtle, jsonld, nquads)."""
        return BY_MEDIA_TYPE[self.media_type].name


def dump_files() -> list[DumpFile]:
    """The files of a dump, in the order they are written (without writing them)."""
    files = [DumpFile(NQUADS, "application/n-quads", None, "gzip")]
    for key in GRAPHS:
        files.append(DumpFile(f"paradip-kg-{key}.ttl", "text/turtle", key))
        files.append(DumpFile(f"paradip-kg-{key}.jsonld", "application/ld+json", key))
    return files


# --- The store version: what ETag and Last-Modified are made of --------------------------

@dataclass(frozen=True)
class StoreVersion:
    """Names the content of a store: equal tags mean equal content; ``modified`` is its build time."""

    tag: str
    modified: datetime

    def etag(self, *variant: str) -> str:
        """A strong entity tag for one representation (``variant``) of this store version."""
        digest = hashlib.sha256("\0".join((self.tag, *variant)).encode("utf-8")).hexdigest()
        return digest[:32]


def store_version(store_dir: Path) -> StoreVersion:
    """The version of the newest published state of the store at ``store_dir``
    (:func:`paradip_kg.store.head.read_head`): the build's content hash and time, or the last
    accepted write's. Reading it costs no query."""
    head = read_head(store_dir)
    return StoreVersion(head.tag, head.modified)


# --- Writing ----------------------------------------------------------------------------

_PLAIN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*")


def prefixes_for(statements: Iterable[ox.Triple | ox.Quad]) -> dict[str, str]:
    """The project's prefixes that ``statements`` use (see :func:`prefixes_for_iris`)."""
    iris: set[str] = set()
    for statement in statements:
        terms: list[object] = [statement.subject, statement.predicate, statement.object]
        if isinstance(statement, ox.Quad):
            terms.append(statement.graph_name)
        iris.update(term.value for term in terms if isinstance(term, ox.NamedNode))
    return prefixes_for_iris(iris)


def prefixes_for_iris(iris: Iterable[str]) -> dict[str, str]:
    """The project's prefixes under which some of ``iris`` fall, minus any under which an IRI
    would need a backslash escape in Turtle (``pdid:government\\/mx-23005``): those IRIs are
    written whole, which every Turtle parser reads."""
    usable: dict[str, bool] = {}
    for iri in iris:
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace):
                plain = _PLAIN_LOCAL.fullmatch(iri[len(namespace):]) is not None
                usable[prefix] = usable.get(prefix, True) and plain
    return {p: PREFIXES[p] for p in PREFIXES if usable.get(p)}


def _has_blank_node(line: bytes) -> bool:
    """Whether an N-Quads line (as Oxigraph writes them: single spaces) has a blank subject or object."""
    return line.startswith(b"_:") or line.split(b" ", 2)[2].startswith(b"_:")


def canonical_lines(store: ox.Store) -> list[bytes]:
    """Every quad of ``store`` as a sorted N-Quads line, blank nodes relabelled by RDFC-1.0
    (``_:c14n0``, ``_:c14n1``, …).

    Only the quads that mention a blank node take part in RDFC-1.0 (the hashes of a blank
    node are made of the quads it appears in), so only those are canonicalized; the others are
    written by the store itself. On a 1M-quad store this is about 8× faster than building an
    in-memory dataset of every quad.
    """
    data = store.dump(format=ox.RdfFormat.N_QUADS) or b""
    plain: list[bytes] = []
    blank: list[bytes] = []
    for line in data.split(b"\n"):
        if line:
            (blank if _has_blank_node(line) else plain).append(line)
    if blank:
        dataset = ox.Dataset(ox.parse(b"\n".join(blank) + b"\n", format=ox.RdfFormat.N_QUADS))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        plain += [line for line in (ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").split(b"\n") if line]
    plain.sort()
    return plain


def _graph_ntriples(lines: list[bytes], graph: str) -> bytes:
    """The sorted N-Triples of one graph, from the sorted N-Quads lines."""
    suffix = b" <" + graph.encode("utf-8") + b"> ."
    selected = [line[:-len(suffix)] + b" ." for line in lines if line.endswith(suffix)]
    return b"\n".join(selected) + b"\n" if selected else b""


_IRI_TOKEN = re.compile(rb"<([^<>\"{}|^`\\\x00-\x20]*)>")


def _gzip(data: bytes, path: Path) -> None:
    # mtime=0 and no file name in the header keep the bytes stable from one export to the next;
    # level 6 (gzip's own default) is 3× faster than 9 for a 15 % larger file.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
        gz.write(data)


def write_dumps(store_dir: Path, out_dir: Path) -> list[Path]:
    """Write the dumps, SHA256SUMS and VERSION into ``out_dir``; the same data gives the same bytes."""
    store, head = open_head(store_dir)  # the data and the version it is named by, read together
    version = StoreVersion(head.tag, head.modified)
    lines = canonical_lines(store)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for item in dump_files():
        path = out_dir / item.name
        if item.graph is None:
            _gzip(b"\n".join(lines) + b"\n" if lines else b"", path)
        else:
            ntriples = _graph_ntriples(lines, str(GRAPHS[item.graph]))
            triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
            if item.media_type == "text/turtle":
                iris = {m.decode("utf-8") for m in _IRI_TOKEN.findall(ntriples)}
                body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes_for_iris(iris))
            else:
                body = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
            path.write_bytes(body or b"")
        written.append(path)
    sums = out_dir / SUMS
    sums.write_text("".join(f"{sha256_file(p)}  {p.name}\n" for p in written), encoding="ascii")
    (out_dir / VERSION).write_text(version.tag + "\n", encoding="ascii")
    return written + [sums]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sums(out_dir: Path) -> dict[str, str]:
    """File name → SHA-256 from ``SHA256SUMS`` (empty when there is none)."""
    path = out_dir / SUMS
    if not path.exists():
        return {}
    sums: dict[str, str] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            sums[name] = digest
    return sums


def default_dir(store_dir: Path) -> Path:
    """Where dumps of ``store_dir`` live: ``dumps`` beside it (``var/dumps`` for ``var/store``)."""
    return store_dir.parent / "dumps"


def is_current(store_dir: Path, out_dir: Path, version: StoreVersion | None = None) -> bool:
    """Whether ``out_dir`` holds a complete dump of the store as it is now."""
    stamp = out_dir / VERSION
    if not stamp.exists():
        return False
    version = version or store_version(store_dir)
    if stamp.read_text(encoding="ascii").strip() != version.tag:
        return False
    return all((out_dir / f.name).exists() for f in dump_files()) and (out_dir / SUMS).exists()


def ensure_dumps(store_dir: Path, out_dir: Path, version: StoreVersion | None = None) -> Path:
    """Make ``out_dir`` hold a current dump of the store, writing one if needed; return it.

    The dump is written into a sibling temporary folder and renamed into place, so readers
    never see a partial dump. When two processes race, the first rename wins and the other
    copy is thrown away.
    """
    version = version or store_version(store_dir)
    if is_current(store_dir, out_dir, version):
        return out_dir
    tmp = out_dir.with_name(f"{out_dir.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    write_dumps(store_dir, tmp)
    old = out_dir.with_name(f"{out_dir.name}.old-{os.getpid()}")
    try:
        if out_dir.exists():
            if is_current(store_dir, out_dir, version):  # another process got there first
                shutil.rmtree(tmp)
                return out_dir
            out_dir.rename(old)
        tmp.rename(out_dir)
    except OSError:
        # Another process renamed its copy in between: keep theirs.
        shutil.rmtree(tmp, ignore_errors=True)
        if not is_current(store_dir, out_dir, version):
            raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
    return out_dir

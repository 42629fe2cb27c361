"""Deterministic dumps of a built store, and the version that names the store's content.

    paradip-kg.nq.gz              every graph, N-Quads, gzip
    paradip-kg-<graph>.ttl        one Turtle file per named graph
    paradip-kg-<graph>.jsonld     one JSON-LD file per named graph
    SHA256SUMS                    `sha256sum -c` checks every file above
    VERSION                       the store version the files were written from

The same data gives byte-identical files: blank nodes are relabelled with the W3C RDF
Dataset Canonicalization algorithm (RDFC-1.0, https://www.w3.org/TR/rdf-canon/), one group of
connected blank nodes at a time, so their labels do not depend on the parser's random ones
(a group too symmetric for RDFC-1.0 to label in bounded time, such as a long chain written to
break the dumps, is labelled by a bounded hash refinement instead: stable for the same store);
lines and triples are sorted; the gzip header carries no file name and a zero time stamp.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS, PREFIXES
from paradip_kg.rdf.formats import BY_MEDIA_TYPE
from paradip_kg.rdf.jsonld_context import with_context
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
    node are made of the quads it appears in), so only those are canonicalized, group by group
    (:func:`canonical_blank_lines`); the others are written by the store itself. On a 1M-quad
    store this is about 8× faster than building an in-memory dataset of every quad.
    """
    data = store.dump(format=ox.RdfFormat.N_QUADS) or b""
    plain: list[bytes] = []
    blank: list[bytes] = []
    for line in data.split(b"\n"):
        if line:
            (blank if _has_blank_node(line) else plain).append(line)
    if blank:
        plain += canonical_blank_lines(ox.parse(b"\n".join(blank) + b"\n", format=ox.RdfFormat.N_QUADS))
    plain.sort()
    return plain


# --- Blank nodes: RDFC-1.0, one connected component at a time ---------------------------------

MAX_TIED = 6  # blank nodes of one component RDFC-1.0 may have to tell apart by neighbours (a clique of 8: 2.5 s)
REFINE_ROUNDS = 3  # rounds of neighbour hashing that label a component with more ties than that
_C14N = re.compile(rb"_:c14n(\d+)")

Component = list[ox.Quad]


def _blanks(quad: ox.Quad) -> list[str]:
    return [t.value for t in (quad.subject, quad.object, quad.graph_name) if isinstance(t, ox.BlankNode)]


def blank_components(quads: Iterable[ox.Quad]) -> list[Component]:
    """The quads that mention blank nodes, split into groups that share none (union-find, no recursion)."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = parent.setdefault(node, node)
        while root != parent[root]:
            root = parent[root]
        while parent[node] != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    listed = [(q, _blanks(q)) for q in quads]
    for _, blanks in listed:
        root = find(blanks[0])
        for other in blanks[1:]:
            other_root = find(other)
            if other_root != root:
                parent[other_root] = root
    groups: dict[str, Component] = {}
    for quad, blanks in listed:
        groups.setdefault(find(blanks[0]), []).append(quad)
    return list(groups.values())


def _term(term: object, node: str, same: str, other: str) -> str:
    if isinstance(term, ox.BlankNode):
        return same if term.value == node else other
    return "" if isinstance(term, ox.DefaultGraph) else str(term)


def first_degree(component: Component) -> dict[str, str]:
    """Each blank node's first-degree signature (RDFC-1.0 §4.6: its quads, itself ``_:a``, others ``_:z``)."""
    lines: dict[str, list[str]] = {}
    for quad in component:
        for node in set(_blanks(quad)):
            lines.setdefault(node, []).append(" ".join(_term(t, node, "_:a", "_:z") for t in
                                                       (quad.subject, quad.predicate, quad.object, quad.graph_name)))
    return {node: hashlib.sha256("\n".join(sorted(found)).encode("utf-8")).hexdigest() for node, found in lines.items()}


def _tied(signatures: dict[str, str]) -> int:
    counts: dict[str, int] = {}
    for signature in signatures.values():
        counts[signature] = counts.get(signature, 0) + 1
    return sum(n for n in counts.values() if n > 1)


def _rdfc(component: Component) -> list[bytes]:
    dataset = ox.Dataset(component)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(line for line in (ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").split(b"\n") if line)


def _refined(component: Component, signatures: dict[str, str]) -> list[bytes]:
    """Labels for a component too symmetric for RDFC-1.0 (a long chain, a clique): blank nodes
    ordered by a few rounds of hashing their neighbours' colours, ties by their label in the store.
    Linear in the component; byte-stable for the same store, not across rebuilds."""
    # Each quad once as its four positions: a blank node's label, or the term's text (None: no graph name).
    rows = [[(t.value, True) if isinstance(t, ox.BlankNode) else ("" if isinstance(t, ox.DefaultGraph) else str(t),
                                                                    False)
             for t in (q.subject, q.predicate, q.object, q.graph_name)] for q in component]
    colours = dict(signatures)
    for _ in range(REFINE_ROUNDS):
        seen: dict[str, list[str]] = {node: [colour] for node, colour in colours.items()}
        for row in rows:
            texts = [colours[value] if blank else value for value, blank in row]
            for i, (value, blank) in enumerate(row):
                if blank:
                    seen[value].append(f"{i} " + " ".join(texts))
        colours = {node: hashlib.blake2b("\n".join(sorted(found)).encode("utf-8"), digest_size=16).hexdigest()
                   for node, found in seen.items()}
    order = {node: ox.BlankNode(f"c14n{i}") for i, node in enumerate(sorted(colours, key=lambda n: (colours[n], n)))}

    def label(term: Any) -> Any:
        return order[term.value] if isinstance(term, ox.BlankNode) else term

    relabelled = [ox.Quad(label(q.subject), q.predicate, label(q.object), label(q.graph_name)) for q in component]
    return sorted(line for line in (ox.serialize(relabelled, format=ox.RdfFormat.N_QUADS) or b"").split(b"\n") if line)


def _shifted(offset: int) -> Callable[[re.Match[bytes]], bytes]:
    return lambda match: b"_:c14n%d" % (offset + int(match.group(1)))


def canonical_blank_lines(quads: Iterable[ox.Quad]) -> list[bytes]:
    """N-Quads lines of the quads that mention blank nodes, labelled ``_:c14n0``, ``_:c14n1``, …

    Each group of quads connected by blank nodes is labelled by RDFC-1.0 on its own (its cost
    grows with the blank nodes it must tell apart by their neighbours, factorially in the worst
    case, and deep recursion in a chain: a write must not be able to hang or crash the dumps);
    the groups are then sorted by their canonical lines and numbered in that order, so equal data
    still gives equal bytes. A group with more than :data:`MAX_TIED` such nodes is labelled by
    :func:`_refined` instead. The groups whose every blank node has a first-degree signature
    of its own in the whole store (most of them) need no more than that signature: RDFC-1.0 labels
    them together in one call, in linear time (one call per group cost 14x more on the bundled graph)."""
    components = blank_components(quads)
    signatures = [first_degree(component) for component in components]
    seen: dict[str, int] = {}
    for found in signatures:
        for signature in found.values():
            seen[signature] = seen.get(signature, 0) + 1
    alone: list[ox.Quad] = []
    labelled: list[list[bytes]] = []
    for component, found in zip(components, signatures, strict=True):
        if all(seen[signature] == 1 for signature in found.values()):
            alone += component
        elif _tied(found) <= MAX_TIED:
            labelled.append(_rdfc(component))
        else:
            labelled.append(_refined(component, found))
    if alone:
        labelled.append(_rdfc(alone))
    labelled.sort()
    out: list[bytes] = []
    offset = 0
    for lines in labelled:
        size = 1 + max(int(m.group(1)) for line in lines for m in _C14N.finditer(line))
        out += [_C14N.sub(_shifted(offset), line) for line in lines]
        offset += size
    return out


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
                body = with_context(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"")  # rdf/jsonld_context
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

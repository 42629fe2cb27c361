"""Read RDF, with errors that name the source, line and column.

Oxigraph's parsers (pyoxigraph) read the bytes: they are strict, fast, and report the
line and column of the first error. The quads are then handed to rdflib (:func:`parse_file`,
:func:`load_folder`) where an rdflib engine reads them, or kept as pyoxigraph triples
(:class:`TripleReader`, the build's path: 5-10 times faster than filling an rdflib graph).
Parsing never reaches out: JSON-LD remote contexts are refused by the parser (no document
loader is set; the project's own context, named by its IRI, is put in place from the package,
:mod:`paradip_kg.rdf.jsonld_context`), and RDF/XML documents that declare entities are refused before parsing
(external entities, and "billion laughs" expansion).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef

from paradip_kg.errors import RdfSyntaxError
from paradip_kg.rdf.formats import BY_NAME, BY_SUFFIX, JSONLD, NQUADS, NTRIPLES, RDFXML, Format, lookup
from paradip_kg.rdf.jsonld_context import inline_our_context
from paradip_kg.rdf.terms import to_oxigraph, to_rdflib

FormatName = Format | str  # a row of rdf.formats, or a name of one (any of its short names)


def as_format(fmt: FormatName, source: str = "") -> Format:
    """The row of :data:`~paradip_kg.rdf.formats.RDF_FORMATS` that ``fmt`` is or names.

    Raises:
        RdfSyntaxError: no RDF format has that name.
    """
    if isinstance(fmt, Format):
        return fmt
    found = lookup(fmt)
    if found is None or found.rdf_format is None:
        raise RdfSyntaxError(source, f"unknown RDF format {fmt!r}; use one of {', '.join(BY_NAME)}")
    return found


def guess_format(path: Path | str, explicit: str | None = None) -> str:
    """The format name for ``path``, from ``explicit`` (any short name) or the file extension."""
    if explicit:
        return as_format(explicit, str(path)).name
    suffix = Path(path).suffix.lower()
    if suffix == ".gz":
        suffix = Path(str(path)[:-3]).suffix.lower()
    try:
        return BY_SUFFIX[suffix].name
    except KeyError:
        raise RdfSyntaxError(str(path), f"cannot tell the RDF format from the extension {suffix!r}; "
                             f"use one of {', '.join(sorted(BY_SUFFIX))} or give the format") from None


MAX_NESTING = 256  # deepest nesting accepted in any RDF format: the one nesting limit (docs/security.md, "Limits")
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_XML_TOKENS = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>|<(/?)[^>]*?(/?)>", re.DOTALL)
# Turtle, TriG, N-Triples, N-Quads (and N3): strings (long ones first), IRIs, comments and escapes
# are opaque; what is left that opens or closes is ( [ { << and ) ] } >> (RDF 1.2 triple terms).
_TURTLE_OPAQUE = re.compile(
    rb'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""' rb"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    rb'|"(?:[^"\\\n\r]|\\.)*"' rb"|'(?:[^'\\\n\r]|\\.)*'"
    rb'|<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>'
    rb"|#[^\n\r]*|\\.", re.DOTALL)
_TURTLE_TOKENS = re.compile(_TURTLE_OPAQUE.pattern + rb"|(<<|[(\[{])|(>>|[)\]}])", re.DOTALL)
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"()[]{}<>")
_STEP = {ord("("): 1, ord("["): 1, ord("{"): 1, ord(")"): -1, ord("]"): -1, ord("}"): -1}


def _turtle_peak(data: bytes, fmt: Format) -> int:
    """How deep a Turtle-family document nests (0: it cannot nest past the limit): the opaque
    parts dropped, then only the brackets kept, and their running depth summed in C
    (itertools.accumulate), not a Python loop per token."""
    if fmt is NTRIPLES or fmt is NQUADS:
        # Only a triple term nests in the line formats, two levels for each ``<<(``; any other bracket
        # is in a string or IRI, or a syntax error where the parser stops. So a big file with brackets
        # in its literals is not scanned (5 s for 1M triples of names with parentheses).
        if 2 * data.count(b"<<") <= MAX_NESTING:
            return 0
    elif sum(data.count(c) for c in (b"(", b"[", b"{", b"<<")) <= MAX_NESTING:
        return 0  # too few openers to nest too deep: not worth a scan (most files)
    brackets = _TURTLE_OPAQUE.sub(b"", data).translate(None, _NOT_BRACKETS)
    brackets = brackets.replace(b"<<", b"(").replace(b">>", b")").translate(None, b"<>")
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _nesting(data: bytes, fmt: Format) -> tuple[int, int]:
    """How deep the document nests, and the offset where it first goes past :data:`MAX_NESTING`
    (-1: it does not). Strings, IRIs, comments and CDATA are skipped; the scan is iterative."""
    depth = peak = 0
    if fmt is JSONLD:
        for match in _JSON_TOKENS.finditer(data):
            token = match.group()
            if token in (b"{", b"["):
                depth += 1
                if depth > peak:
                    peak = depth
                    if peak > MAX_NESTING:
                        return peak, match.start()
            elif token in (b"}", b"]"):
                depth -= 1
    elif fmt is RDFXML:
        for match in _XML_TOKENS.finditer(data):
            if match.group(1) is None or match.group(2) == b"/":
                continue  # comment, declaration, or empty element
            depth += -1 if match.group(1) else 1
            if depth > peak:
                peak = depth
                if peak > MAX_NESTING:
                    return peak, match.start()
    else:
        peak = _turtle_peak(data, fmt)
        if peak <= MAX_NESTING:
            return peak, -1
        depth = peak = 0  # too deep: find where, for the line and column of the error
        for match in _TURTLE_TOKENS.finditer(data):
            if match.group(1) is not None:
                depth += 1
                if depth > peak:
                    peak = depth
                    if peak > MAX_NESTING:
                        return peak, match.start()
            elif match.group(2) is not None and depth:
                depth -= 1
    return peak, -1


def check_nesting(data: bytes, fmt: FormatName, source: str) -> None:
    """Refuse ``data`` nested deeper than :data:`MAX_NESTING` (RdfSyntaxError naming line and column).

    Deep nesting is refused in every format, before parsing: the JSON-LD and RDF/XML parsers
    recurse (~50,000 levels overflow the stack and kill the process), and a deep Turtle
    collection or blank-node property list parses into a chain of blank nodes as long as it is
    deep, which later steps walk (canonicalisation for the dumps, validation, inference)."""
    fmt = as_format(fmt, source)
    _, offset = _nesting(data, fmt)
    if offset >= 0:
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise RdfSyntaxError(source, f"the document nests more than {MAX_NESTING} levels deep (the nesting "
                             f"limit is {MAX_NESTING} levels, in every RDF format); deeper documents are refused",
                             line, column)


def iter_quads(data: bytes, fmt: FormatName, source: str, base_iri: str | None = None, *,
               own_blank_nodes: bool = False) -> Iterator[ox.Quad]:
    """Parse ``data`` strictly, quad by quad; raise :class:`RdfSyntaxError` naming ``source``, line and column.

    ``own_blank_nodes``: give the document's blank nodes labels no other document has, for a merge
    of several documents (RDF 1.1 Semantics §5.2: ``_:b`` in two files is two nodes)."""
    fmt = as_format(fmt, source)
    assert fmt.rdf_format is not None
    if fmt is RDFXML and b"<!ENTITY" in data:
        raise RdfSyntaxError(source, "the RDF/XML document declares entities (<!ENTITY ...>); "
                             "entity declarations are refused, they can read files or explode in size")
    check_nesting(data, fmt, source)
    if fmt is JSONLD:  # our own context by its IRI: put in place, never fetched (rdf/jsonld_context.py)
        data = inline_our_context(data)
    try:
        yield from ox.parse(data, format=fmt.rdf_format, base_iri=base_iri, rename_blank_nodes=own_blank_nodes)
    except SyntaxError as exc:
        message = exc.msg
        if message.startswith("Parser error"):
            message = message.split(": ", 1)[-1]
        if "LoadDocumentCallback" in message:
            message = "the JSON-LD document needs a remote @context; fetching remote documents is off"
        raise RdfSyntaxError(source, message, exc.lineno, exc.offset) from None
    except (ValueError, OSError) as exc:
        raise RdfSyntaxError(source, str(exc)) from None


def read_quads(data: bytes, fmt: FormatName, source: str, base_iri: str | None = None, *,
               own_blank_nodes: bool = False) -> list[ox.Quad]:
    """Parse ``data`` strictly; raise :class:`RdfSyntaxError` naming ``source``, line and column."""
    return list(iter_quads(data, fmt, source, base_iri, own_blank_nodes=own_blank_nodes))


def add_quads(quads: Iterable[ox.Quad], target: Graph | Dataset, default_graph: URIRef | None = None) -> None:
    """Add parsed quads to an rdflib Graph (graph names dropped) or Dataset (kept)."""
    if isinstance(target, Dataset):
        for q in quads:
            graph = q.graph_name
            name = default_graph if isinstance(graph, ox.DefaultGraph) else \
                URIRef(graph.value) if isinstance(graph, ox.NamedNode) else BNode(graph.value)
            ctx = target.graph(name) if name is not None else target.default_context
            ctx.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    else:
        for q in quads:
            target.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))


def parse_bytes(data: bytes, fmt: FormatName, source: str, into: Graph | Dataset | None = None,
                base_iri: str | None = None) -> Graph | Dataset:
    """Parse ``data`` as ``fmt`` into ``into`` (or a new Graph; a Dataset for quad formats)."""
    fmt = as_format(fmt, source)
    target = into if into is not None else (Dataset() if fmt.quads else Graph())
    try:
        add_quads(read_quads(data, fmt, source, base_iri), target)
    except ValueError as exc:  # a triple term
        raise RdfSyntaxError(source, str(exc)) from None
    return target


def read_file(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def parse_file(path: Path, fmt: str | None = None, into: Graph | Dataset | None = None) -> Graph | Dataset:
    """Parse one local file; the format comes from ``fmt`` (any short name) or the extension."""
    return parse_bytes(read_file(path), guess_format(path, fmt), str(path), into=into,
                       base_iri=path.resolve().as_uri())


def rdf_files(folder: Path) -> list[Path]:
    """The RDF files of ``folder``, sorted so loading is deterministic."""
    return sorted(p for p in folder.glob("*") if p.is_file() and p.suffix.lower() in BY_SUFFIX)


def load_folder(folder: Path, graph: Graph | None = None) -> Graph:
    """Parse every RDF file of ``folder`` into one graph."""
    graph = graph if graph is not None else Graph()
    for path in rdf_files(folder):
        parse_file(path, into=graph)
    return graph


class TripleReader:
    """The distinct triples of files, as pyoxigraph triples, for the build's fast path (no rdflib graph).

    The triples are the ones :func:`load_folder` would put in an rdflib graph: graph names dropped,
    each triple once, and typed literals as rdflib reads them (it normalises some lexical forms,
    ``"01"^^xsd:integer`` → ``"1"``), so both paths of the build store and infer over the same terms.
    """

    def __init__(self, tick: Callable[[int], None] | None = None, every: int = 100_000) -> None:
        self._literals: dict[ox.Literal, ox.Literal] = {}
        self.tick, self.every = tick, every
        self.count = 0  # triples read so far, repeats included

    def folder(self, folder: Path) -> list[ox.Triple]:
        """Every triple of the RDF files of ``folder``, each once."""
        return self.files(rdf_files(folder))

    def files(self, paths: Iterable[Path]) -> list[ox.Triple]:
        """Every triple of the RDF files ``paths``, each once, in their order."""
        seen: dict[ox.Triple, None] = {}
        for path in paths:
            self.file(path, seen)
        return list(seen)

    def file(self, path: Path, into: dict[ox.Triple, None]) -> None:
        """Add the triples of one file to ``into``; its blank nodes are its own (an RDF merge, as
        rdflib's parsers give each document fresh blank nodes)."""
        source = str(path)
        quads = iter_quads(read_file(path), guess_format(path), source, base_iri=path.resolve().as_uri(),
                           own_blank_nodes=True)
        literals, string, named, blank = self._literals, _XSD_STRING, ox.NamedNode, ox.BlankNode
        # In chunks, each read by comprehensions (2x faster than one Python loop over the triples);
        # only the triples whose object is a literal (or a triple term) get a second look.
        while chunk := [q.triple for q in islice(quads, self.every)]:
            objects = [t.object for t in chunk]
            for i in [i for i, o in enumerate(objects) if type(o) is not named and type(o) is not blank]:
                o = objects[i]
                if type(o) is not ox.Literal:
                    raise RdfSyntaxError(source, f"the triple term in {chunk[i]} cannot be read here "
                                         "(RDF 1.2 triple terms are not supported)")
                known = literals.get(o)
                if known is None:
                    known = literals[o] = o if o.language is not None or o.datatype == string else _as_rdflib_reads(o)
                if known is not o:
                    t = chunk[i]
                    chunk[i] = ox.Triple(t.subject, t.predicate, known)
            into.update(dict.fromkeys(chunk))
            self.count += len(chunk)
            if self.tick is not None:
                self.tick(self.count)


_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def _as_rdflib_reads(literal: ox.Literal) -> ox.Literal:
    """``literal`` as an rdflib graph holds it, back in pyoxigraph (the same object when unchanged).

    An ill-typed literal (``"none"^^xsd:boolean``) stays as written: rdflib keeps it as ``"false"``
    with a flag that only rdflib terms carry, and SHACL must still see the bad lexical form."""
    read = to_rdflib(literal)
    if getattr(read, "ill_typed", False):
        return literal
    again = to_oxigraph(read)
    assert isinstance(again, ox.Literal)
    return literal if again == literal else again

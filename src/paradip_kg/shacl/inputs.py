"""What a validation is run on: the data, the shapes, and the project's context mixed into the data.

    files or request body ──parse (strict, line/column)──▶ data graph
    project shapes/ or uploaded shapes ──────────────────▶ shapes graph
    project ontology/ and vocab/ (with the project's shapes) ──mixed into──▶ data graph

Uploads are held to a few rules: nothing is fetched on their say-so. The parser refuses remote
JSON-LD contexts and XML entities (:mod:`paradip_kg.rdf.parse`); here uploaded shapes whose
SPARQL reaches out (SERVICE, FROM, LOAD) are refused unless the operator allows it (setting
``allow_service``). ``owl:imports`` is never followed, in the data (SHACL and pySHACL agree:
data-graph imports are not part of validation) nor in the shapes (unless the operator of a
server sets ``validation_follow_imports``): the CLI and the web validate what they were given,
and :func:`data_notices` and :func:`shapes_notices` tell the reader so, in the same words.

:func:`for_meta_shacl` is what the SHACL-for-SHACL precheck reads: it must never refuse shapes
the spec gives a meaning to.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SH
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.errors import InputError
from paradip_kg.rdf.parse import load_folder, parse_bytes, parse_file

SPARQL_TEXT = (SH.select, SH.ask, SH.construct, SH.update)
# SPARQL that makes rdflib reach the network: SERVICE calls an endpoint, FROM / FROM NAMED load
# graphs by IRI (rdflib's SPARQL_LOAD_GRAPHS), LOAD is an update that fetches a document.
REACHING_OUT = re.compile(r"\b(SERVICE|FROM|LOAD)\b", re.IGNORECASE)


def load_data(files: list[Path], fmt: str | None = None) -> Graph:
    """Parse the files into one graph (graph names of quad formats are merged)."""
    graph = Graph()
    for path in files:
        parse_file(path, fmt, into=graph)
    return graph


def load_upload(body: bytes, fmt: str, source: str, base_iri: str | None = None) -> Graph:
    """Parse an uploaded document into one graph (graph names of quad formats are merged);
    relative IRIs resolve against ``base_iri`` (the document's own ``@base`` wins)."""
    graph = Graph()
    parse_bytes(body, fmt, source, into=graph, base_iri=base_iri)
    return graph


def load_shapes(shapes_files: list[Path], project_dir: Path) -> Graph:
    """The shapes given as files, or the project's shapes/ folder."""
    if shapes_files:
        shapes = Graph()
        for path in shapes_files:
            parse_file(path, into=shapes)
    else:
        shapes = load_folder(project_dir / "shapes")
    if len(shapes) == 0:
        raise InputError("no shapes to validate against")
    return shapes


def project_context(project_dir: Path) -> Graph:
    """What is mixed into data checked against the project's shapes: the ontology and vocabularies.

    Harvested data usually states only the most specific class (``pdo:MunicipalGovernment``);
    ``sh:class pdo:Actor`` and ``sh:targetClass`` follow ``rdfs:subClassOf`` in the data graph, so
    the ontology's class hierarchy must be there. Scopes, themes and SDG targets are checked
    against our SKOS schemes, so their ``skos:inScheme`` must be there too.
    """
    return merged(project_folder(project_dir / "ontology"), project_folder(project_dir / "vocab"))


def project_folder(folder: Path) -> Graph:
    """A project folder's RDF files as one graph (empty if there is no such folder)."""
    return load_folder(folder) if folder.is_dir() else Graph()


def folder_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when a file of ``folder`` does: each file's name, size and modification time."""
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


def mix_in(data: Graph, context: Graph) -> Graph:
    """The data plus what ``context`` says about things the data does not describe itself.

    Data that only refers to ``pdv:scope/national`` gets our description of it; data that
    describes a concept itself (or a class) is validated on its own description, so a concept
    it gives without labels is reported rather than hidden behind ours.
    """
    described = set(data.subjects())
    out = merged(data)
    for s, p, o in context:
        if s not in described:
            out.add((s, p, o))
    return out


def merged(*graphs: Graph | None) -> Graph:
    """One graph holding the triples of ``graphs``."""
    out = Graph()
    for g in graphs:
        if g is not None:
            for triple in g:
                out.add(triple)
    return out


def check_uploaded_shapes(shapes: Graph, follow_imports: bool = False, allow_service: bool = False) -> None:
    """Refuse uploaded shapes that would make the server fetch something.

    ``owl:imports`` is not refused: it is not followed (unless ``follow_imports``), as by the CLI,
    and :func:`shapes_notices` says so in the report.

    Raises:
        InputError: a SPARQL constraint, target, rule or function uses SERVICE, FROM or LOAD.
    """
    if allow_service:
        return
    for prop in SPARQL_TEXT:
        for holder, text in shapes.subject_objects(prop):
            match = REACHING_OUT.search(_without_strings_and_iris(str(text)))
            if match:
                raise InputError(
                    f"a SPARQL query of the shapes (sh:{prop.fragment} of {_name(holder)}) uses "
                    f"{match.group(1).upper()}, which would fetch data from the network; this server does not do "
                    "that for uploads "
                    "(the operator can allow it with the setting allow_service).")


def _without_strings_and_iris(query: str) -> str:
    """The query text without string literals, IRIs and comments, so that keywords stand alone."""
    query = re.sub(r"<[^<>\s]*>", " ", query)
    query = re.sub(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"", " ", query, flags=re.S)
    return re.sub(r"#[^\n]*", " ", query)


def _name(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else "a blank node"


def shapes_notices(shapes: Graph, lang: str, followed: bool = False) -> list[str]:
    """What the reader should know about the shapes: the documents they import, not followed
    (or followed, when the operator allowed it)."""
    imports = sorted(str(o) for o in shapes.objects(None, OWL.imports))
    if not imports:
        return []
    listed = ", ".join(f"<{i}>" for i in imports[:5])
    if followed:
        return [i18n.text((f"Las formas importan otros documentos (owl:imports {listed}); se siguen (ajuste "
                           "validation_follow_imports).",
                           f"The shapes import other documents (owl:imports {listed}); they are followed (setting "
                           "validation_follow_imports)."), lang)]
    return [i18n.text((f"Las formas importan otros documentos (owl:imports {listed}); no se siguen: se valida "
                       "con las formas dadas.",
                       f"The shapes import other documents (owl:imports {listed}); they are not followed: the "
                       "shapes given are used as they are."), lang)]


PATH_PREDICATES = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)


def for_meta_shacl(shapes: Graph) -> Graph:
    """The shapes as the SHACL-for-SHACL precheck should read them.

    SHACL 2.3.1 reads a path node that is a list as a sequence path, whatever else the node says;
    SHACL-for-SHACL refuses a node that is both a list and, say, an inverse path, so the precheck
    would refuse shapes the spec (and the W3C test ``core/path/path-strange-002``) validates. The
    copy drops the other path triples of such nodes; everything else is as given.
    """
    extra = [(node, p, o) for p in PATH_PREDICATES for node, o in shapes.subject_objects(p)
             if (node, RDF.first, None) in shapes]
    if not extra:
        return shapes
    copy = Graph()
    for triple in shapes:
        copy.add(triple)
    for triple in extra:
        copy.remove(triple)
    return copy


def with_imported_prefixes(shapes: Graph) -> Graph:
    """The shapes with the prefix declarations a node reaches through ``owl:imports`` of a node
    of the same graph copied onto it (SHACL 5.2.1: the prefixes of ``sh:prefixes`` include those
    of the ontologies it imports). pyshacl reads only the node's own ``sh:declare`` and otherwise
    fell back on the file's ``@prefix`` lines, which a strict parse does not bind (W3C test
    ``sparql/node/prefixes-001``). Nothing is fetched: only imports the graph itself describes."""
    extra = []
    for node in set(shapes.subjects(SH.declare, None)) | set(shapes.objects(None, SH.prefixes)):
        todo, seen = list(shapes.objects(node, OWL.imports)), {node}
        while todo:
            imported = todo.pop()
            if imported in seen:
                continue
            seen.add(imported)
            extra += [(node, SH.declare, d) for d in shapes.objects(imported, SH.declare)
                      if (node, SH.declare, d) not in shapes]
            todo += list(shapes.objects(imported, OWL.imports))
    if not extra:
        return shapes
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    for triple in shapes:
        copy.add(triple)
    for triple in extra:
        copy.add(triple)
    return copy


def data_notices(data: Graph, lang: str) -> list[str]:
    """Sentences the reader should see about how the data was read."""
    imports = sorted(str(o) for o in data.objects(None, OWL.imports))
    if not imports:
        return []
    listed = ", ".join(f"<{i}>" for i in imports[:5])
    return [i18n.text((f"Los datos importan otros documentos (owl:imports {listed}); no se siguen: "
                       "la validación SHACL no incluye los documentos que importa el grafo de datos.",
                       f"The data imports other documents (owl:imports {listed}); they are not followed: "
                       "SHACL validation does not include documents the data graph imports."), lang)]


__all__ = ["load_data", "load_upload", "load_shapes", "project_context", "project_folder", "folder_stamp", "mix_in",
           "merged", "check_uploaded_shapes", "data_notices"]

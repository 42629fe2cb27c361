"""The project's JSON-LD ``@context``: published at one stable IRI, carried by every JSON-LD document.

The context is the project's prefixes (:data:`paradip_kg.namespaces.PREFIXES`: ``pdo:``,
``pdid:``, ``skos:``, ``schema:`` …) as JSON-LD prefix definitions, with neither ``@vocab`` nor
``@base``, so adding it to a document never changes what the document means. It is published at
:data:`CONTEXT_IRI` (``/context.jsonld`` on any host; :mod:`paradip_kg.web.documents`), and every
JSON-LD document the app writes carries it inline (:func:`with_context`) and names it in a
``Link`` header: a reader can reuse it to compact our data, and no reader has to fetch anything
to read a document (nor does our own parser: :func:`inline_our_context` puts the context in
place of its IRI before an upload is parsed, and any other remote context is refused).
"""

from __future__ import annotations

import json
from typing import Any

from paradip_kg.namespaces import BASE, PREFIXES

CONTEXT_IRI = BASE + "context.jsonld"
LINK_REL = "http://www.w3.org/ns/json-ld#context"  # JSON-LD 1.1 §6.1 (the Link header of a context)


def context() -> dict[str, str]:
    """The context's definitions: each project prefix → its namespace."""
    return dict(PREFIXES)


def context_document() -> bytes:
    """The document published at :data:`CONTEXT_IRI`."""
    return (json.dumps({"@context": context()}, indent=2, ensure_ascii=False) + "\n").encode()


def with_context(expanded: bytes) -> bytes:
    """An expanded JSON-LD document (a list of nodes, as Oxigraph writes it) with the context inline:
    ``{"@context": {...}, "@graph": [...]}``, the same triples. The list is not parsed (a dump's
    can be large): it is put in place as it is."""
    body = expanded.strip() or b"[]"
    if not body.startswith(b"["):  # not Oxigraph's list of nodes: left as it is
        return expanded
    head = json.dumps({"@context": context()}, ensure_ascii=False).encode()[:-1]  # without the closing brace
    return head + b', "@graph": ' + body + b"}"


def _replace(value: Any) -> tuple[Any, bool]:
    if value == CONTEXT_IRI:
        return context(), True
    if isinstance(value, list):
        parts = [_replace(v) for v in value]
        return [p for p, _ in parts], any(hit for _, hit in parts)
    return value, False


def inline_our_context(data: bytes) -> bytes:
    """``data`` with every top-level ``"@context": CONTEXT_IRI`` replaced by the context itself (no fetch);
    anything else (not JSON, no reference to ours) comes back as it was."""
    if CONTEXT_IRI.encode() not in data:
        return data
    try:
        document = json.loads(data)
    except ValueError:
        return data
    hit = False
    for node in document if isinstance(document, list) else [document]:
        if isinstance(node, dict) and "@context" in node:
            node["@context"], found = _replace(node["@context"])
            hit = hit or found
    return json.dumps(document, ensure_ascii=False).encode() if hit else data

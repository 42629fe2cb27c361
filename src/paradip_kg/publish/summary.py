"""The one-line summary of an agreement: which kind, who with whom, since when, which scope.

    Hermanamiento entre Gobierno municipal de Benito Juárez (Quintana Roo) y Gobierno municipal de
    Wichita, desde 1985; ámbito internacional.

Every part comes from the graph (the stated kind, the parties' labels, ``pdo:startDate``, the
scope's label); a part the graph does not have is left out. Not an agreement: None.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS, PDO
from paradip_kg.publish.labels import Labels

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
AGREEMENT = ox.NamedNode(str(PDO.Agreement))
# The kinds by which scope is inferred say less than the stated kind: named only when nothing else is.
GENERAL = {str(PDO.Agreement), str(PDO.InternationalAgreement), str(PDO.NationalAgreement)}


def _objects(store: Any, subject: ox.NamedNode, predicate: str, graph: ox.NamedNode | None = None) -> list[Any]:
    return sorted({q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, graph)},
                  key=str)


def _join(names: list[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    word = " y " if lang == "es" else " and "
    return ", ".join(names[:-1]) + word + names[-1]


def agreement_summary(store: Any, iri: str, labels: Labels) -> str | None:
    """The summary of the agreement ``iri`` in the language of ``labels``; None if it is not an agreement."""
    node = ox.NamedNode(iri)
    if not any(True for _ in store.quads_for_pattern(node, RDF_TYPE, AGREEMENT, None)):
        return None
    lang = labels.lang
    stated = [t for t in _objects(store, node, RDF_TYPE.value, ox.NamedNode(str(GRAPHS["data"])))
              if isinstance(t, ox.NamedNode) and t.value.startswith(str(PDO._NS)) and t.value not in GENERAL]
    kind = labels.label(stated[0]) if stated else labels.label(AGREEMENT)
    parties = [labels.label(p) for p in _objects(store, node, str(PDO.hasParty)) if isinstance(p, ox.NamedNode)]
    line = kind[:1].upper() + kind[1:]
    if parties:
        between = " entre " if lang == "es" else " between "
        line += between + _join(parties, lang)
    dates = [d.value for d in _objects(store, node, str(PDO.startDate)) if isinstance(d, ox.Literal)]
    if dates:
        line += (", desde " if lang == "es" else ", since ") + min(dates)
    scopes = [labels.label(s) for s in _objects(store, node, str(PDO.scope)) if isinstance(s, ox.NamedNode)]
    if scopes:
        scope = _join(scopes, lang)
        line += f"; ámbito {scope.lower()}" if lang == "es" else f"; {scope.lower()} scope"
    return line + "."

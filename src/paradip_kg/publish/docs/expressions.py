"""OWL class expressions as words and links, Manchester-like, in the reader's language.

``expression(reader, node)`` turns ``[ owl:onProperty pdo:hasParty ; owl:someValuesFrom
pdo:Municipality ]`` into ``hasParty some Municipality`` (``algún`` in Spanish), with each named
term a :class:`~paradip_kg.publish.docs.reader.Ref`; nesting deeper than six levels is cut short.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.i18n import Pair
from paradip_kg.publish.docs.reader import Reader, Token

_WORDS: dict[str, Pair] = {
    "and": ("y", "and"), "or": ("o", "or"), "not": ("no", "not"), "some": ("algún", "some"),
    "only": ("solo", "only"), "value": ("con valor", "value"), "min": ("mínimo", "min"),
    "max": ("máximo", "max"), "exactly": ("exactamente", "exactly"), "self": ("a sí mismo", "self"),
    "one of": ("uno de", "one of"),
}


def _word(key: str, lang: str) -> str:
    return i18n.text(_WORDS[key], lang)


def expression(reader: Reader, node: Node, depth: int = 0) -> list[Token]:
    """An OWL class expression as words and links (Manchester-like, in the visitor's language)."""
    lang, g = reader.lang, reader.g
    if isinstance(node, URIRef):
        return [reader.ref(node)]
    if isinstance(node, Literal):
        return [str(node)]
    if depth > 6:
        return ["…"]

    def join(members: list[Node], word: str) -> list[Token]:
        out: list[Token] = ["("]
        for i, member in enumerate(members):
            if i:
                out.append(f" {_word(word, lang)} ")
            out += expression(reader, member, depth + 1)
        return out + [")"]

    for predicate, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
        lst = g.value(node, predicate)
        if lst is not None:
            return join(reader.items(lst), word)
    complement = g.value(node, OWL.complementOf)
    if complement is not None:
        return [_word("not", lang) + " "] + expression(reader, complement, depth + 1)
    one_of = g.value(node, OWL.oneOf)
    if one_of is not None:
        out: list[Token] = [_word("one of", lang) + " {"]
        for i, member in enumerate(reader.items(one_of)):
            out += ([", "] if i else []) + expression(reader, member, depth + 1)
        return out + ["}"]
    prop = g.value(node, OWL.onProperty)
    if prop is not None:
        head: list[Token] = expression(reader, prop, depth + 1)
        for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value")):
            target = g.value(node, predicate)
            if target is not None:
                return head + [f" {_word(word, lang)} "] + expression(reader, target, depth + 1)
        for predicate, word in ((OWL.minCardinality, "min"), (OWL.maxCardinality, "max"),
                                (OWL.cardinality, "exactly"), (OWL.minQualifiedCardinality, "min"),
                                (OWL.maxQualifiedCardinality, "max"), (OWL.qualifiedCardinality, "exactly")):
            n = g.value(node, predicate)
            if n is not None:
                tail: list[Token] = []
                on_class = g.value(node, OWL.onClass)
                if on_class is not None:
                    tail = [" ", *expression(reader, on_class, depth + 1)]
                return head + [f" {_word(word, lang)} {n}"] + tail
        if g.value(node, OWL.hasSelf) is not None:
            return head + [f" {_word('self', lang)}"]
    return ["[…]"]

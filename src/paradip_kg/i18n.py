"""The site's two languages, and how a text is picked for a reader of one of them.

Pages, reports and documentation speak Spanish or English (:data:`LANGUAGES`, Spanish first:
it is the default). Two kinds of text reach a reader:

- the project's own words, written as a :data:`Pair` ``(es, en)``: :func:`text` says one;
- texts from the graph, tagged with a language (``"Acuerdo"@es``, ``"Agreement"@en-GB``, or no
  tag at all): :func:`pick` chooses the best one for a reader of ``lang`` by :func:`rank`, in
  this order of preference:

    1. ``lang`` itself, or one of its regional forms (``es-MX`` for ``es``);
    2. the site's languages, in the order of :data:`LANGUAGES` (Spanish, then English);
    3. a text without a language tag;
    4. any other language.

Which language a request wants (``?lang=``, the cookie, Accept-Language) is the web's
business (:mod:`paradip_kg.web.language`); this module only knows the languages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

LANGUAGES: tuple[str, ...] = ("es", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]

Pair = tuple[str, str]  # the same words in Spanish and in English
T = TypeVar("T")


def supported(lang: str | None) -> str:
    """``lang`` if the site speaks it, else the default language."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def other(lang: str) -> str:
    """The site's other language (English for Spanish, Spanish for English)."""
    return LANGUAGES[1] if supported(lang) == LANGUAGES[0] else LANGUAGES[0]


def text(pair: Pair, lang: str) -> str:
    """The English words of ``pair`` for an English reader, the Spanish ones for anyone else."""
    return pair[1] if lang == "en" else pair[0]


def base(tag: str | None) -> str:
    """The primary language of a tag, lower case: ``es`` for ``es-MX``, ``""`` for no tag."""
    return (tag or "").split("-")[0].lower()


def rank(tag: str | None, lang: str) -> int:
    """How well a text tagged ``tag`` suits a reader of ``lang``: 0 is best (see the module docstring)."""
    tag = (tag or "").lower()
    if tag == lang or tag.startswith(lang + "-"):
        return 0
    if base(tag) in LANGUAGES:
        return 1 + LANGUAGES.index(base(tag))
    if not tag:
        return 1 + len(LANGUAGES)
    return 2 + len(LANGUAGES)


def pick(items: Iterable[T], lang: str, tag: Callable[[T], str | None]) -> T | None:
    """The item whose language tag (``tag(item)``) best suits ``lang``; the first of equals; None if none."""
    best: T | None = None
    best_rank = 0
    for item in items:
        item_rank = rank(tag(item), lang)
        if best is None or item_rank < best_rank:
            best, best_rank = item, item_rank
    return best


def by_language(tagged: Iterable[tuple[str | None, str]]) -> dict[str, str]:
    """``(tag, text)`` pairs as tag → text, the first text of each tag kept (no tag: ``""``)."""
    out: dict[str, str] = {}
    for tag, value in tagged:
        out.setdefault(tag or "", value)
    return out


def pick_text(texts: Mapping[str, str], lang: str) -> str:
    """The text of ``texts`` (tag → text) that best suits ``lang``; ``""`` when there is none."""
    tag = pick(texts, lang, lambda t: t)
    return texts[tag] if tag is not None else ""

"""The language of a page request: picked, remembered, and offered to the templates.

:func:`page_language` picks Spanish or English for the current request (``?lang=``, then the
visitor's earlier choice kept in a cookie, then Accept-Language, then Spanish);
:func:`remember_language` (an ``after_request`` hook) keeps a ``?lang=`` choice in that cookie
and says the answer varies on it. :func:`tr` and :func:`lang_url` are the templates' helpers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, g, request
from jinja2 import pass_context

from paradip_kg.i18n import DEFAULT_LANGUAGE, LANGUAGES, text

LANG_COOKIE = "paradip_lang"  # the visitor's choice of language, set by ?lang= (see remember_language)
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def page_language() -> str:
    """``?lang=`` if the site speaks it, else the visitor's earlier choice (the ``paradip_lang``
    cookie), else the best of Accept-Language, else the default language (Spanish)."""
    g.paradip_language_negotiated = True  # the response varies on the cookie (remember_language)
    wanted = request.args.get("lang", "")
    if wanted in LANGUAGES:
        return wanted
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def remember_language(response: Response) -> Response:
    """Keep a ``?lang=`` choice in a cookie, so the language holds across pages."""
    wanted = request.args.get("lang", "")
    if wanted in LANGUAGES and request.cookies.get(LANG_COOKIE) != wanted:
        response.set_cookie(LANG_COOKIE, wanted, max_age=LANG_COOKIE_SECONDS, path=request.script_root or "/",
                            samesite="Lax", httponly=True, secure=request.is_secure)
    if g.get("paradip_language_negotiated"):
        response.vary.add("Cookie")
    return response


@pass_context
def tr(context: Any, es: str, en: str) -> str:
    """The Spanish or English text, after the page's ``lang``."""
    return text((es, en), context.get("lang") or DEFAULT_LANGUAGE)


def lang_url(code: str) -> str:
    """This page's URL in another language (``?lang=``), other parameters kept."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
    return request.base_url + "?" + urlencode(args)

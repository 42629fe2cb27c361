"""Error pages speak the visitor's language, as the pages do (issue 16).

A Spanish reader (Accept-Language, the ``paradip_lang`` cookie, or ``?lang=``) following a link
met English error titles and sentences: 404, 400, 413, 503. The page's own words are now in the
reader's language; what the code, the parser or the engine said is kept verbatim inside it.
Each case is a request as a browser sends it, on a real app.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from paradip_kg.web.language import LANG_COOKIE

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Page(HTMLParser):
    """The ``lang`` of the page, its first ``h1`` and the text of ``.error-message``."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.h1 = ""
        self.message = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        elif tag == "h1" and not self.h1:
            self._in = "h1"
        elif "error-message" in (values.get("class") or "").split():
            self._in = "message"

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "h1":
            self.h1 += data
        elif self._in == "message":
            self.message += data


def page_of(response) -> Page:
    page = Page()
    page.feed(response.get_data(as_text=True))
    return page


@pytest.fixture
def client(make_app: Callable[..., Flask], tmp_path: Path) -> FlaskClient:
    return make_app(max_request_bytes=2048).test_client()


@pytest.mark.parametrize(("how", "headers", "query", "cookie"), [
    pytest.param("accept-language", {"Accept-Language": "es-MX,es;q=0.9"}, "", None, id="accept-language"),
    pytest.param("cookie", {"Accept-Language": "en"}, "", "es", id="cookie"),
    pytest.param("query", {"Accept-Language": "en"}, "lang=es", None, id="lang-parameter"),
])
def test_a_404_in_spanish_however_the_visitor_chose_it(client: FlaskClient, how: str, headers: dict[str, str],
                                                        query: str, cookie: str | None) -> None:
    if cookie:
        client.set_cookie(LANG_COOKIE, cookie)
    response = client.get("/id/no-such-thing" + (f"?{query}" if query else ""), headers={"Accept": BROWSER, **headers})
    assert response.status_code == 404
    page = page_of(response)
    assert page.lang == "es"
    assert page.h1 == "404 · No encontrado"
    assert "No hay nada en esta dirección" in response.get_data(as_text=True)


def test_an_english_visitor_gets_english(client: FlaskClient) -> None:
    response = client.get("/id/no-such-thing", headers={"Accept": BROWSER, "Accept-Language": "en"})
    page = page_of(response)
    assert (page.lang, page.h1) == ("en", "404 · Not found")
    assert "There is nothing at this address" in response.get_data(as_text=True)


def test_a_400_keeps_the_codes_words_verbatim_inside_a_spanish_page(client: FlaskClient) -> None:
    bad = "/fragments?subject=not-an-iri"
    response = client.get(bad, headers={"Accept": BROWSER, "Accept-Language": "es"})
    assert response.status_code == 400
    page = page_of(response)
    assert page.lang == "es" and page.h1 == "400 · Patrón de tripleta incorrecto"
    api = client.get(bad, headers={"Accept": "application/json"}).get_json()
    assert page.message.strip() == api["message"].strip() and "not-an-iri" in page.message  # as the code said it
    assert api["error"] == "Bad triple pattern"  # programs keep the stable English title


def test_a_413_in_spanish(client: FlaskClient) -> None:
    response = client.post("/validate", data={"data_text": "x" * 4096}, headers={"Accept": BROWSER,
                                                                                  "Accept-Language": "es"})
    assert response.status_code == 413
    page = page_of(response)
    assert page.lang == "es" and page.h1 == "413 · Petición demasiado grande"


def test_a_503_in_spanish(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    client = make_app(store=str(tmp_path / "not-built")).test_client()
    response = client.get("/page/agreement/anything", headers={"Accept": BROWSER, "Accept-Language": "es"})
    assert response.status_code == 503
    page = page_of(response)
    assert page.lang == "es" and page.h1 == "503 · No disponible"
    assert "vuelva a intentarlo más tarde" in response.get_data(as_text=True)
    assert "paradip-kg build" in page.message  # how to build it, in the code's words

"""Talking to a Wikidata SPARQL endpoint politely, as the Query Service asks of bots.

- a descriptive User-Agent: the project, its version and its address (``Project-URL`` of the
  package metadata, from pyproject.toml), plus the operator's contact (setting ``wikidata_contact``);
- paging: every query is sent in pages of LIMIT/OFFSET (setting ``wikidata_page_size``), ordered;
- a timeout per request (setting ``wikidata_timeout``);
- retries on 429 and 5xx and on time-outs, with exponential backoff, honouring ``Retry-After``
  (seconds or an HTTP date), at most ``wikidata_retries`` times, then :class:`HarvestFailed`.
"""

from __future__ import annotations

import email.utils
import time
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

from paradip_kg import __version__
from paradip_kg.errors import HarvestFailed
from paradip_kg.namespaces import BASE

WDQS = "https://query.wikidata.org/sparql"
MAX_WAIT = 300.0  # never sleep longer than this for one Retry-After


def project_url() -> str:
    """The project's address: the first Project-URL of the installed package, else its namespace."""
    try:
        urls = metadata.metadata("paradip-kg").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        _, _, url = entry.partition(",")
        if url.strip():
            return url.strip()
    return BASE


def user_agent(contact: str = "") -> str:
    """``paradip-kg/0.1.0 (https://…; contact) SPARQLWrapper/2.0.0``, as WDQS's User-Agent policy asks."""
    import SPARQLWrapper as sw

    about = "; ".join(x for x in (project_url(), contact.strip()) if x)
    return f"paradip-kg/{__version__} ({about}) SPARQLWrapper/{sw.__version__}"


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


@dataclass
class Client:
    """One endpoint, with the politeness settings; :meth:`select` pages a SELECT query."""

    endpoint: str = WDQS
    page_size: int = 5000
    timeout: float = 60.0
    retries: int = 5
    backoff: float = 2.0  # first wait on an error without Retry-After; doubles each time
    contact: str = ""
    say: Callable[[str], None] = lambda text: None
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0  # sent, retries included
    log: list[str] = field(default_factory=list)  # the query texts sent, one per page (PROV records them)

    def select(self, text: str, paged: bool = True) -> Iterator[dict[str, dict[str, str]]]:
        """The bindings of a SELECT query (SPARQL 1.1 JSON results), page by page."""
        offset = 0
        while True:
            page = f"{text}LIMIT {self.page_size}\nOFFSET {offset}\n" if paged else text
            rows = self._send(page)
            yield from rows
            if not paged or len(rows) < self.page_size:
                return
            offset += self.page_size

    def _send(self, text: str) -> list[dict[str, dict[str, str]]]:
        wait = self.backoff
        for attempt in range(self.retries + 1):
            self.requests += 1
            outcome = self._once(text)
            if isinstance(outcome, list):
                return outcome
            reason, asked = outcome
            if attempt == self.retries:
                raise HarvestFailed(f"{self.endpoint}: {reason}, still after {self.retries} retries; "
                                    "nothing was written")
            delay = min(MAX_WAIT, asked if asked is not None else wait)
            self.say(f"harvest: {reason}; retrying in {delay:g} s ({attempt + 1}/{self.retries})")
            self.sleep(delay)
            wait *= 2
        raise AssertionError("unreachable")

    def _once(self, text: str) -> list[dict[str, dict[str, str]]] | tuple[str, float | None]:
        """The rows, or why to retry (and the wait the endpoint asked for); HarvestFailed when retrying is no use."""
        sparql = SPARQLWrapper(self.endpoint, agent=user_agent(self.contact))
        sparql.setMethod(POST)  # long VALUES lists do not fit in a URL
        sparql.setReturnFormat(JSON)
        sparql.setTimeout(int(max(1, self.timeout)))
        sparql.setQuery(text)
        try:
            result: Any = sparql.queryAndConvert()
        except urllib.error.HTTPError as exc:
            exc.close()  # its body is not read: give the connection back
            if exc.code == 429 or exc.code >= 500:
                return f"HTTP {exc.code}", retry_after(exc.headers.get("Retry-After"))
            raise HarvestFailed(f"{self.endpoint} answered HTTP {exc.code}; nothing was written") from None
        except EndPointInternalError:
            return "HTTP 500", None
        except TimeoutError:
            return f"no answer within {self.timeout:g} s", None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                return f"no answer within {self.timeout:g} s", None
            raise HarvestFailed(f"{self.endpoint} could not be reached: {exc.reason}; nothing was written") from None
        except SPARQLWrapperException as exc:
            raise HarvestFailed(f"{self.endpoint} refused the query: {exc.msg}; nothing was written") from None
        except ValueError as exc:  # not JSON
            raise HarvestFailed(f"{self.endpoint} did not answer SPARQL JSON results: {exc}") from None
        self.log.append(text)
        try:
            rows: list[dict[str, dict[str, str]]] = result["results"]["bindings"]
        except (TypeError, KeyError):
            raise HarvestFailed(f"{self.endpoint} did not answer SPARQL JSON results") from None
        return rows


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)

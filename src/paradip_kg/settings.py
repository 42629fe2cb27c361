"""Every setting of paradip-kg, in one table.

Each setting has a default, an environment variable (``PARADIP_`` + upper-case name) and a
help text. Values are read in this order, the later winning: defaults → environment →
command-line flags → the ``overrides`` a caller (a test, the CLI) passes to :func:`load`.
``docs/settings.md`` is generated from this table and a test keeps it in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


BACKENDS = ("oxigraph", "memory", "remote")  # setting backend (paradip_kg.backends.configured)


def _choice(setting: str, options: tuple[str, ...], aliases: dict[str, str] | None = None) -> Callable[[str], str]:
    """The parser of a setting that takes one of ``options`` (case-insensitive; ``aliases`` map to them)."""
    def parse(text: str) -> str:
        value = text.strip().lower()
        value = (aliases or {}).get(value, value)
        if value not in options:
            raise ValueError(f"{setting} is one of {', '.join(options)}")
        return value
    return parse


IN_MEMORY = ("auto", "yes", "no")  # setting store_in_memory (paradip_kg.backends.embedded)
INFERENCE_ENGINES = ("rules", "owlrl")  # setting inference_engine (paradip_kg.build)
VALIDATION_ENGINES = ("compiled", "pyshacl")  # setting validation_engine (paradip_kg.build)
_backend = _choice("backend", BACKENDS)
_in_memory = _choice("store_in_memory", IN_MEMORY,
                     {"true": "yes", "on": "yes", "1": "yes", "false": "no", "off": "no", "0": "no"})
_engine = _choice("inference_engine", INFERENCE_ENGINES)
_validation_engine = _choice("validation_engine", VALIDATION_ENGINES)


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return "PARADIP_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "var/store", "The embedded Oxigraph store that `build` writes and `serve` reads: a link to "
            "the newest build folder in `<store>.builds/` (a plain folder, from an older build or a copy, works too)."),
    Setting("backend", "oxigraph",
            "Where the app and `query`/`stats` read the graph: `oxigraph`, the embedded store on disk (setting "
            "store); `memory`, an in-memory store filled from project_dir on first use, as `build` would (for tests: "
            "no hard query timeout); `remote`, the SPARQL 1.1 store at remote_endpoint, read-only (load it with "
            "`push`). See docs/remote-store.md.", _backend),
    Setting("project_dir", ".", "Folder holding ontology/, vocab/, data/ and shapes/ (the bundled knowledge graph)."),
    Setting("inference_engine", "rules",
            "How `build` computes the inferred graph: `rules`, owlrl on the T-box (ontology and vocabularies) and "
            "the compiled OWL 2 RL rules over the instance data (seconds at 1M triples); `owlrl`, owlrl over the "
            "whole graph (minutes at 100k). Both give the same graph (tests/test_inference_scale.py); a T-box using "
            "a construct the rules lack is left to owlrl.", _engine),
    Setting("validation_engine", "compiled",
            "How `build` validates the graph against the shapes: `compiled`, each constraint run once over the "
            "whole graph in an in-memory Oxigraph store (shacl/compiled.py; seconds at 1M triples); `pyshacl`, "
            "pySHACL focus node by focus node (about two minutes at 100k). Both give the same results "
            "(tests/test_shacl_compiled.py); shapes using a feature the compiled engine lacks go to pyshacl. "
            "`paradip-kg validate` and /validate run pyshacl either way.", _validation_engine),
    Setting("base_iri", "https://w3id.org/paradip/",
            "Base of the canonical IRIs the server answers for, on whatever host it runs."),
    Setting("host", "127.0.0.1", "Address `serve` binds to. Loopback by default; set 0.0.0.0 to expose it."),
    Setting("port", 8080, "TCP port `serve` listens on.", int),
    Setting("workers", 2, "Number of gunicorn worker processes.", int),
    Setting("store_in_memory", "auto",
            "With backend oxigraph: each query child copies the published store into memory and answers from the "
            "copy (4-6x faster on heavy queries, about 0.35 GiB per million quads per copy, and each process that "
            "queries ends with its own: `workers` x (`query_workers` + 1) copies); the disk answers until the copy "
            "is loaded and while a new snapshot loads. `auto`: in memory while the store's quads times those copies "
            "stay under 6,000,000 (up to 1M quads with the defaults); `yes`; `no`. See docs/sparql.md.", _in_memory),
    Setting("query_timeout", 5.0, "Seconds a SPARQL query may run before it is stopped and answered 503.", float),
    Setting("query_workers", 2,
            "Query child processes per gunicorn worker, like Virtuoso's MaxQueryThreads: at most this many queries "
            "run at once (and half as many validations, at least one); pages, fragments and kept small answers "
            "never wait for them. With the store in memory they are forked from one loaded copy, and each ends with "
            "its own as it reads it (docs/sparql.md, \"Serving from memory\"). "
            "See docs/security.md.", int),
    Setting("query_queue", 4,
            "Requests that may wait for a free query (or validation) child; past it, 503 with Retry-After at once. "
            "The wait counts in query_timeout.", int),
    Setting("query_budget", 0.0,
            "Seconds of query time each client may use per minute; past it, 429 with Retry-After. 0 (the "
            "default) turns the budget off. For public deployments; see docs/security.md.", float),
    Setting("request_read_timeout", 10.0,
            "Seconds a client may take to send its request line and headers (in all), and to send each part of "
            "its body; then the connection is closed. Slow clients hold no worker meanwhile (gevent workers).",
            float),
    Setting("max_connections", 1000, "Open connections each gunicorn worker takes at once (worker_connections).", int),
    Setting("result_limit", 10000,
            "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned; a cut result says so in the "
            "X-Paradip-Truncated header.", int),
    Setting("max_request_bytes", 1_048_576, "Largest request body accepted; larger ones get 413.", int),
    Setting("max_query_length", 20_000, "Longest SPARQL query text accepted, in characters; longer ones get 413.", int),
    Setting("cors_origins", "*", "Value of Access-Control-Allow-Origin; empty turns CORS off."),
    Setting("cache_control", "public, max-age=300", "Cache-Control sent with query results and documents."),
    Setting("overview_wait", 1.0,
            "After a write, seconds the visitors of the home page, /about and /browse wait for their counts and lists "
            "of the new state, computed in the background (6-10 s at 1M triples), counted from the start of that "
            "computation. Past it the page shows those of the state before and says so, until the new ones are kept "
            "(docs/web.md, \"The home page after a write\").", float),
    Setting("allow_service", False,
            "Let queries use SERVICE to reach other endpoints. Off: such queries get 400.", _bool),
    Setting("union_default_graph", False,
            "Make the default graph of /sparql the union of every graph in the store (what `serve FILE...` does). "
            "Off: the union of the ontology, vocab, data and inferred graphs.", _bool),
    Setting("validation_timeout", 20.0,
            "Seconds a validation (POST /validate) may run before it is stopped and answered 503.", float),
    Setting("validation_html_rows", 500,
            "Most results the HTML validation report lists; the downloads always hold every result.", int),
    Setting("validation_follow_imports", False,
            "Let shapes uploaded to /validate owl:imports other documents, fetched from the network. Off: the "
            "imports are not followed (as by paradip-kg validate) and the report says so.", _bool),
    Setting("validation_reports_dir", "var/reports",
            "Folder where /validate keeps each HTML report's data for its download, language and filter links."),
    Setting("validation_report_ttl", 3600,
            "Seconds a validation report stays available under /validate/reports/.", int),
    Setting("log_level", "info", "gunicorn and application log level."),
    Setting("trusted_proxies", 0,
            "Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Prefix headers are "
            "trusted (werkzeug ProxyFix), so redirects and links use the public host. 0: ignore those headers.", int),
    Setting("remote_endpoint", "",
            "SPARQL 1.1 query endpoint of a remote triple store (Virtuoso, QLever, Fuseki, GraphDB, Oxigraph server) "
            "that `push` loads and the app can run in front of, e.g. http://127.0.0.1:8890/sparql. Empty: the "
            "embedded store only."),
    Setting("remote_update_endpoint", "",
            "SPARQL 1.1 update endpoint of the remote store (Virtuoso: http://HOST:8890/sparql-auth). Empty: "
            "remote_endpoint."),
    Setting("remote_graph_store", "",
            "SPARQL 1.1 Graph Store Protocol endpoint of the remote store (Virtuoso: "
            "http://HOST:8890/sparql-graph-crud-auth). Given, `push` uploads N-Triples there, about 10 times faster "
            "than SPARQL Update on Virtuoso. Empty: `push` sends SPARQL Update (INSERT DATA)."),
    Setting("remote_user", "",
            "User for HTTP Digest or Basic authentication at the remote store (the server's challenge picks the "
            "scheme)."),
    Setting("remote_password", "",
            "Password of remote_user. Never logged nor printed; prefer the environment variable to a command-line "
            "flag."),
    Setting("write_tokens", "",
            "Who may write over HTTP (POST /update, PUT/POST/DELETE /graph-store): comma-separated `name=token` "
            "entries; a client sends `Authorization: Bearer <token>` and `name` is recorded as the agent of its "
            "writes. Empty: writes are off (403). Tokens are never logged nor echoed; prefer the environment "
            "variable. See docs/writes.md."),
    Setting("allow_load", False,
            "Let SPARQL Update on /update use LOAD, which fetches a document from the network into the store. Off: "
            "such updates get 400.", _bool),
    Setting("write_timeout", 30.0,
            "Seconds a write waits for the store's write lock (one write at a time) before it is answered 503.", float),
    Setting("bulk_delete_share", 0.1,
            "Largest share of the data graph's triples one write may remove (CLEAR, DROP, MOVE, DELETE WHERE, a "
            "Graph Store PUT or DELETE of the data graph) unless the request asks for it explicitly "
            "(`confirm-bulk-delete=yes`, as a URL parameter or an `X-Confirm-Bulk-Delete: yes` header); more is "
            "refused with 409 and nothing is written. 1 turns the guard off. See docs/writes.md.", float),
    Setting("wikidata_endpoint", "https://query.wikidata.org/sparql",
            "SPARQL endpoint that `harvest wikidata` asks (Wikidata's Query Service by default; QLever's Wikidata "
            "endpoint or a local mirror of a Wikidata dump answer the same standard queries). See docs/wikidata.md."),
    Setting("wikidata_contact", "",
            "Contact (an e-mail address or a URL) that `harvest wikidata` adds to its User-Agent, as the Query "
            "Service's User-Agent policy asks of bots. Empty: only the project's address."),
    Setting("wikidata_page_size", 5000,
            "Rows per page (LIMIT/OFFSET) of each harvest query; smaller pages stay further below the endpoint's "
            "time limit.", int),
    Setting("wikidata_timeout", 60.0,
            "Seconds `harvest wikidata` waits for one answer before it retries (WDQS stops queries after 60 s).",
            float),
    Setting("wikidata_retries", 5,
            "Times a request is retried on 429, 5xx or a time-out (waiting as Retry-After says, else 2 s, doubling) "
            "before the harvest fails and writes nothing.", int),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def load(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Resolve every setting: defaults, then environment, then ``overrides``."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = setting.default
        if setting.env in environ:
            raw = environ[setting.env]
            try:
                value = setting.parse(raw)
            except ValueError as exc:
                raise ValueError(f"{setting.env}={raw!r}: {exc}") from exc
        values[setting.name] = value
    for name, value in (overrides or {}).items():
        if name not in BY_NAME:
            raise KeyError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = value
    return values


def markdown_table() -> str:
    """The settings as the Markdown table kept in docs/settings.md."""
    rows = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | `{s.env}` | `{s.default}` | {s.help} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m paradip_kg.settings > docs/settings.md
    print("# Settings\n\nEvery setting has a default and an environment variable; `paradip-kg serve` "
          "also takes --host, --port and --workers. Generated from `src/paradip_kg/settings.py` "
          "by `python -m paradip_kg.settings`.\n")
    print(markdown_table(), end="")

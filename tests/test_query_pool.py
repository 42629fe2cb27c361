"""The query lane of a worker (sparql/pool.py): a copy of the store loaded into memory while a long
query runs must not keep the worker's other queries waiting for it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from paradip_kg.errors import QueryTimeout
from paradip_kg.sparql.jobs import Job
from paradip_kg.sparql.pool import QueryPool
from paradip_kg.web.conneg import RESULT_FORMATS

JSON = next(f for f in RESULT_FORMATS if f.media_type == "application/sparql-results+json")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER(STR(?c) != STR(?i)) }"
LONG = 3.0  # the long query's time limit, seconds


def test_a_cheap_query_does_not_wait_for_a_long_one_while_the_copy_is_taken_in(sample_store: Path) -> None:
    """The copy in memory is loaded while a long query runs in slot 0; when it is, the pool moves
    its free slots to children forked from it. It used to take every slot first, waiting up to a
    minute for the busy one while it held the free one, so a cheap query waited for the long one."""
    pool = QueryPool(sample_store, union=True, size=2, queue=4, in_memory=True)
    outcome: dict[str, Any] = {}

    def long_query() -> None:
        outcome["long_started"] = time.monotonic()
        try:
            pool.run(Job(query=RUNAWAY, formats={"results": JSON}, limit=10), LONG)
        except QueryTimeout:
            pass
        outcome["long_done"] = time.monotonic()

    try:
        pool.start()  # slot 0's child (from disk) and the copy, loading
        thread = threading.Thread(target=long_query)
        thread.start()
        server = pool._server[1] if pool._server else None
        deadline = time.monotonic() + LONG - 1
        while server is not None and not server.poll_ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server is not None and server.ready, "the copy loads within a second or two"
        time.sleep(0.5)  # the pool takes in the copy meanwhile
        started = time.monotonic()
        reply = pool.run(Job(query="ASK { ?s ?p ?o } # cheap", formats={"results": JSON}, limit=10), 30)
        cheap_done = time.monotonic()
        thread.join(timeout=30)
        assert b"true" in reply.body
        assert outcome["long_done"] - outcome["long_started"] >= LONG, "the long query ran to its time limit"
        assert cheap_done < outcome["long_done"], f"the cheap query waited {cheap_done - started:.2f} s"
    finally:
        pool.stop()

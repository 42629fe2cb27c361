"""The writer's copy kept open between writes (paradip_kg.writes.live): reused in the process that
wrote last, handed over when another process writes, rebuilt after a rejected write.

The other process is a real one: a child interpreter that writes when told to on its stdin and
otherwise sits idle holding the copy open, as a server worker does between requests.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from paradip_kg.errors import WriteRejected
from paradip_kg.store.head import read_head
from paradip_kg.writes import commit as writes
from paradip_kg.writes import live
from support.paths import ROOT
from support.stores import copy_store
from support.writes import agreement, burst_write

CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from support.writes import burst_write
from paradip_kg.writes import commit as writes
store_dir = Path(sys.argv[1])
for line in sys.stdin:
    result = writes.sparql_update(store_dir, burst_write(int(line))[0], agent="child")
    print(f"ACK {{line.strip()}} {{result.seconds['open']}}", flush=True)
"""


@pytest.fixture()
def store_dir(bundled_store: Path, tmp_path: Path) -> Path:
    return copy_store(bundled_store, tmp_path)


def _held(store_dir: Path) -> object:
    key = str((store_dir.parent / (store_dir.name + ".writes") / "live").absolute())
    held = live._HELD.get(key)
    return None if held is None else held.store


def test_the_copy_stays_open_between_writes_of_one_process(store_dir: Path) -> None:
    first = writes.sparql_update(store_dir, agreement("open-1"), agent="t")
    kept = _held(store_dir)
    assert kept is not None
    second = writes.sparql_update(store_dir, agreement("open-2", a="us-pharr"), agent="t")
    assert _held(store_dir) is kept, "the second write opened the copy again"
    assert second.seconds["open"] < 0.005 < first.seconds["open"] + 0.005
    assert read_head(store_dir).sequence == 2


def test_a_rejected_write_does_not_keep_a_copy_that_differs_from_the_head(store_dir: Path) -> None:
    writes.sparql_update(store_dir, agreement("before"), agent="t")
    with pytest.raises(WriteRejected):  # the same parties again: a duplicate agreement
        writes.sparql_update(store_dir, agreement("duplicate"), agent="t")
    assert _held(store_dir) is None
    writes.sparql_update(store_dir, agreement("after", a="cn-sanya"), agent="t")
    from paradip_kg.store.head import open_store

    store = open_store(store_dir)
    found = {r["a"].value.rsplit("-", 1)[-1] for r in store.query(
        "SELECT ?a WHERE { GRAPH ?g { ?a a <https://w3id.org/paradip/ontology#SisterCityAgreement> } "
        "FILTER (STRSTARTS(STR(?a), 'https://w3id.org/paradip/id/agreement/test-')) }")}
    assert found == {"before", "after"}


def test_another_process_gets_the_copy_from_the_one_that_holds_it(store_dir: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(tests=str(Path(__file__).parent)), str(store_dir)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
    assert child.stdin is not None and child.stdout is not None
    try:
        def child_writes(n: int) -> float:
            child.stdin.write(f"{n}\n")  # type: ignore[union-attr]
            child.stdin.flush()  # type: ignore[union-attr]
            line = child.stdout.readline()  # type: ignore[union-attr]
            assert line.startswith(f"ACK {n} "), line
            return float(line.split()[2])

        child_writes(0)  # the child now holds the copy open, idle
        started = time.monotonic()
        writes.sparql_update(store_dir, burst_write(1)[0], agent="t", timeout=20)  # asks the child for it
        assert time.monotonic() - started < 10
        assert _held(store_dir) is not None
        child_writes(2)  # and back: the child asks this process
        assert _held(store_dir) is None, "this process did not let go of the copy when asked"
        assert child_writes(3) < 0.005  # the child kept it this time
    finally:
        child.stdin.close()
        child.wait(30)
        child.stdout.close()
    head = read_head(store_dir)
    assert head.sequence == 4
    from paradip_kg.store.head import open_store

    rows = open_store(store_dir).query(
        "SELECT ?a WHERE { GRAPH ?g { ?a a <https://w3id.org/paradip/ontology#SisterCityAgreement> } "
        "FILTER (STRSTARTS(STR(?a), 'https://w3id.org/paradip/id/agreement/test-burst-')) }")
    assert sorted(r["a"].value.rsplit("-", 1)[-1] for r in rows) == ["0", "1", "2", "3"]

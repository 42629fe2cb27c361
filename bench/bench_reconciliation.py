"""A world-sized harvest through the build, and /reconciliation over it. Synthetic data, NOT real.

The registry is bench/world.py's synthetic world (``--triples``, 300k by default: ~11k
governments, ~11.6k agreements). Each municipal government's seat is given a synthetic Wikidata
item (``schema:sameAs``, in a temporary project only: Q-numbers from 900000000 on, which stand for
nothing); the harvest (``data/harvested/wikidata.nt``, in Wikidata's terms as `harvest wikidata`
writes it) holds ``--links`` P190 statements (35,000 by default, the size of Wikidata's P190
network): 80 % of the world's agreements (a third of them with a P580 that disagrees), the rest
links to places the registry does not have, each with labels, coordinates and a reference.

Measured, each as a ratio to a baseline measured in the same run:

- the build with the harvest against the same build without it (the cost of loading the graph
  ``wikidata`` and deriving ``reconciliation``);
- ``GET /reconciliation`` (HTML, first page), filtered by a municipality, and as CSV, in process
  (Flask's test client), first request (it reads the rows the build kept for its state) and the
  median of ``--repeat`` requests after it, against ``GET /robots.txt``;
- the first request of a state without kept rows (a write that neither a build nor a harvest
  made), which computes them from the store.

    python bench/bench_reconciliation.py                       # 300k-triple world, 35k links
    python bench/bench_reconciliation.py --triples 100000 --links 10000 --repeat 5   # quick
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import world  # noqa: E402
from paradip_kg.build import build  # noqa: E402
from paradip_kg.harvest.files import write_harvest  # noqa: E402
from paradip_kg.publish.reconciliation_rows import rows_path  # noqa: E402
from paradip_kg.web.app import create_app  # noqa: E402

WD = "http://www.wikidata.org/"
FIRST_QID = 900_000_000  # synthetic item numbers start here
P = {k: ox.NamedNode(v) for k, v in {
    "p190": WD + "prop/P190", "ps190": WD + "prop/statement/P190", "wdt190": WD + "prop/direct/P190",
    "p580": WD + "prop/qualifier/P580", "p625": WD + "prop/direct/P625", "derived": "http://www.w3.org/ns/prov#wasDerivedFrom",
    "p854": WD + "prop/reference/P854", "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "sameAs": "https://schema.org/sameAs"}.items()}
DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
WKT = ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")


def item(n: int) -> ox.NamedNode:
    return ox.NamedNode(f"{WD}entity/Q{FIRST_QID + n}")


def synthetic(project: Path, w: world.World, links: int, seed: int = 0) -> tuple[int, int]:
    """Write the seats' synthetic QIDs into data/ and the synthetic harvest into data/harvested/."""
    rng = random.Random(seed)
    municipal = [g for g in w.governments if g.level != "state"]
    same = [ox.Triple(world.node(f"locality/{g.key}"), P["sameAs"], item(g.index)) for g in municipal]
    ox.serialize(same, str(project / "data" / "synthetic-wikidata-items.nt"), ox.RdfFormat.N_TRIPLES)
    has_item = {g.index for g in municipal}
    triples: list[ox.Triple] = []
    reference = ox.NamedNode("https://synthetic.invalid/reference/crawl")
    triples.append(ox.Triple(reference, P["p854"], ox.NamedNode("https://synthetic.invalid/crawl")))
    labelled: set[int] = set()

    def place(n: int) -> ox.NamedNode:
        if n not in labelled:
            labelled.add(n)
            for lang in ("es", "en"):
                triples.append(ox.Triple(item(n), P["label"], ox.Literal(f"Lugar sintético {n}", language=lang)))
            triples.append(ox.Triple(item(n), P["p625"], ox.Literal(
                f"Point({rng.uniform(-180, 180):.4f} {rng.uniform(-80, 80):.4f})", datatype=WKT)))
        return item(n)

    def statement(k: int, a: int, b: int, start: str | None) -> None:
        st = ox.NamedNode(f"{WD}entity/statement/Q{FIRST_QID + a}-synthetic-{k}")
        triples.extend([ox.Triple(place(a), P["p190"], st), ox.Triple(st, P["ps190"], place(b)),
                        ox.Triple(place(a), P["wdt190"], place(b)), ox.Triple(st, P["derived"], reference)])
        if start:
            triples.append(ox.Triple(st, P["p580"], ox.Literal(start, datatype=DATETIME)))

    k = 0
    for a in w.agreements:
        if a.first in has_item and a.second in has_item and rng.random() < 0.8 and k < links:
            year = a.start[0] + (7 if rng.random() < 1 / 3 else 0)
            statement(k, a.first, a.second, f"{year}-01-01T00:00:00Z" if rng.random() < 0.6 else None)
            k += 1
    matched = k
    others = len(w.governments) + 1
    pool = sorted(has_item)
    while k < links:  # links to places the registry does not have (a tenth of them between two such places)
        a = rng.choice(pool) if rng.random() < 0.9 else others + rng.randrange(links // 4)
        statement(k, a, others + rng.randrange(links // 4), None)
        k += 1
    write_harvest(project, triples)
    return matched, links - matched


def timed_build(project: Path, store: Path) -> float:
    started = time.perf_counter()
    build(project, store, force=True)
    return time.perf_counter() - started


def timed(client, path: str, repeat: int, headers: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(first request, median of the next ``repeat``) in seconds, and the body's size."""
    times, size = [], 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        r = client.get(path, headers=headers or {"Accept": "text/html"})
        times.append(time.perf_counter() - started)
        assert r.status_code == 200, (path, r.status_code)
        size = len(r.data)
    return times[0], statistics.median(times[1:]), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=300_000, help="size of the synthetic world (registry)")
    parser.add_argument("--links", type=int, default=35_000, help="P190 statements in the synthetic harvest")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-reconciliation-"))
    try:
        w = world.plan(args.triples)
        project = tmp / "project"
        world.write_project(project, w)
        matched, unmatched = synthetic(project, w, args.links)
        harvested = project / "data" / "harvested" / "wikidata.nt"
        print(f"world: {len(w.governments):,} governments, {len(w.agreements):,} agreements; harvest: "
              f"{args.links:,} P190 statements ({matched:,} of agreements, {unmatched:,} others), "
              f"{harvested.stat().st_size / 1e6:.1f} MB")
        kept = harvested.read_bytes()
        harvested.unlink()
        base = timed_build(project, tmp / "store-base")
        harvested.write_bytes(kept)
        full = timed_build(project, tmp / "store")
        print(f"build without the harvest {base:.1f} s (baseline), with it {full:.1f} s: {full / base:.2f}x")
        app = create_app({"store": str(tmp / "store"), "TESTING": True})
        client = app.test_client()
        b_first, b_median, _ = timed(client, "/robots.txt", args.repeat)
        print(f"baseline /robots.txt: median {b_median * 1000:.2f} ms")
        municipality = f"Q{FIRST_QID + next(g.index for g in w.governments if g.level != 'state')}"
        for name, path, headers in (
                ("/reconciliation (HTML, page 1)", "/reconciliation", None),
                ("/reconciliation?municipality=… (HTML)", f"/reconciliation?municipality={municipality}", None),
                ("/reconciliation?class=date-conflict (HTML)", "/reconciliation?class=date-conflict", None),
                ("/reconciliation.csv (all rows)", "/reconciliation.csv", {"Accept": "text/csv"})):
            first, median, size = timed(client, path, args.repeat, headers)
            print(f"{name}: first {first:.3f} s, median {median:.3f} s ({median / b_median:.0f}x the baseline), "
                  f"{size / 1e3:.0f} kB")
        rows = client.get("/reconciliation.json").get_json()["rows"]
        counts = {c: sum(1 for r in rows if r["class"] == c) for c in ("both", "registry-only", "wikidata-only",
                                                                        "date-conflict")}
        print(f"rows: {len(rows):,} {counts}")
        app.extensions["paradip"].close() if "paradip" in app.extensions else None
        # A state that neither the build nor a harvest made (another write): no kept rows, so the
        # first request computes them from the store, as every first request did before.
        rows_path(tmp / "store").unlink()
        app = create_app({"store": str(tmp / "store"), "TESTING": True})
        first, median, _ = timed(app.test_client(), "/reconciliation", args.repeat)
        print(f"/reconciliation (HTML, page 1) without kept rows: first {first:.3f} s (computes them), "
              f"median {median:.3f} s")
        app.extensions["paradip"].close() if "paradip" in app.extensions else None
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

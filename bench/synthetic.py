"""Synthetic paradiplomacy data, for benchmarks and load tests. NOT real data.

Every IRI it mints lives under ``https://w3id.org/paradip/synthetic/`` (see ``SYNTHETIC``),
and every thing carries ``prov:wasDerivedFrom <https://w3id.org/paradip/synthetic/source>``,
so synthetic data can never be mistaken for the published graph. It follows the project's
model (docs/model.md): countries, states, municipalities and localities linked by
``pdo:locatedIn``; governments that govern territories and have seats; agreements with two
parties, a scope, a start date (year or year-month), themes and SDG alignments; statistical
claims with sources; labels in Spanish and English. The entailments the build would add
(agreement subclasses by scope, ``pdo:partyTo``, ``pdo:twinnedWith``) go to the inferred graph.

    python bench/synthetic.py --triples 1000000 --out var/synthetic-store   # a store + manifest
    python bench/synthetic.py --triples 100000 --out var/synthetic.nq       # N-Quads

Deterministic for a given ``--triples`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

SYNTHETIC = "https://w3id.org/paradip/synthetic/"
PDO = "https://w3id.org/paradip/ontology#"
VOCAB = "https://w3id.org/paradip/vocab/"
GRAPH = "https://w3id.org/paradip/graph/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
XSD = "http://www.w3.org/2001/XMLSchema#"
SOURCE = ox.NamedNode(SYNTHETIC + "source")
DATA, INFERRED = ox.NamedNode(GRAPH + "data"), ox.NamedNode(GRAPH + "inferred")
THEMES = ("economic", "administrative", "environmental", "cultural-promotion", "trade", "development",
          "technical-cooperation", "social", "political")
# Goals and targets listed in vocab/sdg (the shapes accept no other alignment).
SDG_TARGETS = ("11.3", "11.a", "16.6", "16.7", "17.16", "17.17", "17.9", "8", "13")

# Triples per thing, roughly: used to size the graph to the --triples asked for.
PER_AGREEMENT = 17
PER_GOVERNMENT = 12
MUNICIPALITIES_PER_STATE = 20


def pdo(name: str) -> ox.NamedNode:
    return ox.NamedNode(PDO + name)


def node(path: str) -> ox.NamedNode:
    return ox.NamedNode(SYNTHETIC + path)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def labels(subject: ox.NamedNode, es: str, en: str) -> Iterator[ox.Quad]:
    yield ox.Quad(subject, LABEL, ox.Literal(es, language="es"), DATA)
    yield ox.Quad(subject, LABEL, ox.Literal(en, language="en"), DATA)


def generate(triples: int = 1_000_000, seed: int = 0) -> Iterator[ox.Quad]:
    """About ``triples`` quads in the data and inferred graphs."""
    rng = random.Random(seed)
    agreements = max(10, int(triples * 0.84) // PER_AGREEMENT)
    governments = max(4, agreements // 4)
    states = max(2, governments // MUNICIPALITIES_PER_STATE)
    countries = max(2, min(190, states // 8))
    yield ox.Quad(SOURCE, RDF_TYPE, pdo("SourceDocument"), DATA)
    yield from labels(SOURCE, "Datos sintéticos (no reales)", "Synthetic data (not real)")

    for c in range(countries):
        country = node(f"country/c{c}")
        yield ox.Quad(country, RDF_TYPE, pdo("Country"), DATA)
        yield ox.Quad(country, pdo("isoCountryCode"), ox.Literal(f"Z{c:03d}"), DATA)
        yield from labels(country, f"País sintético {c}", f"Synthetic country {c}")
    for s in range(states):
        state = node(f"state/s{s}")
        yield ox.Quad(state, RDF_TYPE, pdo("State"), DATA)
        yield ox.Quad(state, pdo("locatedIn"), node(f"country/c{s % countries}"), DATA)
        yield ox.Quad(state, pdo("inegiCode"), ox.Literal(f"{s:04d}"), DATA)
        yield from labels(state, f"Estado sintético {s}", f"Synthetic state {s}")

    for g in range(governments):
        government, municipality = node(f"government/g{g}"), node(f"municipality/m{g}")
        locality = node(f"locality/l{g}")
        state = node(f"state/s{g % states}")
        yield ox.Quad(government, RDF_TYPE, pdo("MunicipalGovernment"), DATA)
        yield ox.Quad(government, pdo("governs"), municipality, DATA)
        yield ox.Quad(government, pdo("hasSeat"), locality, DATA)
        yield ox.Quad(government, DERIVED, SOURCE, DATA)
        yield from labels(government, f"Gobierno municipal sintético {g}", f"Synthetic municipal government {g}")
        yield ox.Quad(municipality, RDF_TYPE, pdo("Municipality"), DATA)
        yield ox.Quad(municipality, pdo("locatedIn"), state, DATA)
        yield ox.Quad(municipality, pdo("inegiCode"), ox.Literal(f"{g:07d}"), DATA)
        yield ox.Quad(locality, RDF_TYPE, pdo("Locality"), DATA)
        yield ox.Quad(locality, pdo("locatedIn"), municipality, DATA)
        yield from labels(locality, f"Localidad sintética {g}", f"Synthetic locality {g}")

    for a in range(agreements):
        first = rng.randrange(governments)
        second = rng.randrange(governments - 1)
        second += second >= first
        agreement = node(f"agreement/a{a}")
        one, two = node(f"government/g{first}"), node(f"government/g{second}")
        national = (first % states) % countries == (second % states) % countries  # same country (see the states above)
        scope = "national" if national else "international"
        year = rng.randrange(1960, 2025)
        if rng.random() < 0.5:
            date = typed(str(year), "gYear")
        else:
            date = typed(f"{year}-{rng.randrange(1, 13):02d}", "gYearMonth")
        yield ox.Quad(agreement, RDF_TYPE, pdo("Agreement"), DATA)
        yield ox.Quad(agreement, RDF_TYPE, pdo("SisterCityAgreement"), DATA)
        yield ox.Quad(agreement, pdo("hasParty"), one, DATA)
        yield ox.Quad(agreement, pdo("hasParty"), two, DATA)
        yield ox.Quad(agreement, pdo("scope"), ox.NamedNode(f"{VOCAB}scope/{scope}"), DATA)
        yield ox.Quad(agreement, pdo("startDate"), date, DATA)
        yield ox.Quad(agreement, pdo("theme"), ox.NamedNode(f"{VOCAB}theme/{rng.choice(THEMES)}"), DATA)
        target = ox.NamedNode(f"http://metadata.un.org/sdg/{rng.choice(SDG_TARGETS)}")
        yield ox.Quad(agreement, pdo("alignedWith"), target, DATA)
        yield ox.Quad(agreement, pdo("tableRow"), typed(str(a + 1), "integer"), DATA)
        yield ox.Quad(agreement, DERIVED, SOURCE, DATA)
        yield from labels(agreement, f"Hermanamiento sintético {a}", f"Synthetic twinning {a}")
        yield ox.Quad(agreement, RDF_TYPE, pdo("NationalAgreement" if national else "InternationalAgreement"), INFERRED)
        yield ox.Quad(one, pdo("partyTo"), agreement, INFERRED)
        yield ox.Quad(two, pdo("partyTo"), agreement, INFERRED)
        yield ox.Quad(one, pdo("twinnedWith"), two, INFERRED)
        yield ox.Quad(two, pdo("twinnedWith"), one, INFERRED)

    for k in range(max(1, agreements // 1000)):
        claim = node(f"claim/k{k}")
        yield ox.Quad(claim, RDF_TYPE, pdo("StatisticalClaim"), DATA)
        yield ox.Quad(claim, pdo("value"), typed(f"{rng.randrange(1, 10000) / 100:.2f}", "decimal"), DATA)
        yield ox.Quad(claim, pdo("unit"), ox.NamedNode(VOCAB + "unit/percent"), DATA)
        yield ox.Quad(claim, pdo("about"), node(f"government/g{k % governments}"), DATA)
        yield ox.Quad(claim, ox.NamedNode("http://purl.org/dc/terms/source"), SOURCE, DATA)
        yield from labels(claim, f"Cifra sintética {k}", f"Synthetic figure {k}")


def write_store(store_dir: Path, triples: int, seed: int = 0) -> int:
    """Write a store (and its manifest, for ETags) of about ``triples`` synthetic quads."""
    from paradip_kg.store.disk import Manifest, manifest_path

    store = ox.Store(str(store_dir))
    store.bulk_extend(generate(triples, seed))
    store.flush()
    count = len(store)
    del store
    Manifest(content_hash=f"synthetic-{triples}-{seed}", built_at=datetime.now(UTC).isoformat(),
             triples={"synthetic": count}).write(manifest_path(store_dir))
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="a folder (store) or a .nq file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.out.suffix == ".nq":
        ox.serialize(generate(args.triples, args.seed), str(args.out), ox.RdfFormat.N_QUADS)
        print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    else:
        count = write_store(args.out, args.triples, args.seed)
        print(f"wrote {count} quads to {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Harvesting external claims: Wikidata's twinnings (P190) into the named graph ``graph/wikidata``.

    queries   the SPARQL 1.1 queries (standard only: no label service, no engine hints)
    client    talking to the endpoint: paging, User-Agent, timeout, retries with backoff
    model     the answers → triples in Wikidata's own terms (wdt:, p:/ps:/pq:, labels, references) + PROV
    files     where the harvested graph is kept for `paradip-kg build` (data/harvested/)
    commit    publishing it to a built store through the write path, with the reconciliation

The claims are Wikidata's editors', not facts of the graph: they stay in their own graph and
the reconciliation (:mod:`paradip_kg.publish.reconciliation`) compares them with the registry.
"""

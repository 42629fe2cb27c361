"""Agreement tables (CSV) → RDF: ``table`` (the entry points), ``columns`` (the format and one
cell's checks), ``dates``, ``reference`` (countries, states, sources of data/*.ttl), ``published``
(the published tables a row transcribes) and ``mapping`` (rows → triples)."""

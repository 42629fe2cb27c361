"""RDF in and out: the one table of RDF formats (``formats``), strict parsing into rdflib graphs
with errors that name the line and column (``parse``), deterministic serializations (``serialize``)."""

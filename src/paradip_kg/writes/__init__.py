"""Writes: changes to the published graph, validated before they are committed.

``commit`` is the transaction and its doors (SPARQL Update, the Graph Store Protocol); one
module per step: ``operations`` (a request read into a change), ``delta`` (the change as quads
added and removed), ``graphs`` (which graphs may be written, which hold asserted data),
``affected`` and ``context`` (what a change can affect, and the triples around it),
``schema`` (the T-box and shapes, read once per build), ``reinfer``, ``revalidate``,
``provenance`` (the writes log) and ``live`` (the write lock, the writer's copy, the snapshots).
The HTTP face is :mod:`paradip_kg.web.writes`.
"""

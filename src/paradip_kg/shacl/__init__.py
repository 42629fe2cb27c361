"""SHACL validation: where a shape is checked, and how its report reads.

``inputs`` (the data and shapes, the project's context mixed in, uploads that would fetch
refused), ``jobs`` (one run: :class:`~paradip_kg.shacl.jobs.Job` and ``execute``), ``engine``
(the pyshacl call), ``compiled`` (the build's engine: each constraint once over a whole
pyoxigraph store, with ``compiled_shapes``, ``compiled_data``, ``compiled_sparql`` and
``compiled_plans``; pyshacl is its oracle), ``results`` (``Report`` and ``Result`` read from the report graph),
``messages`` and ``terms`` (messages, names and terms in the reader's language), ``report`` (the
``ReportView`` every rendering is drawn from), ``render`` (text, table, Turtle, JSON-LD, JSON,
CSV), ``local`` (``paradip-kg validate``) and ``runner`` (the child process the web validates in).
"""

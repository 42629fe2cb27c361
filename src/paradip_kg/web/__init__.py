"""The HTTP face of the knowledge graph: the Flask app and one module per page family.

``app`` (the factory, CORS, security headers), ``state`` (what a worker shares between
requests), ``errors`` (the one error handler), ``language`` (the page's language), ``conneg``
(formats and content negotiation), ``http`` (ETags, conditional GET, representation headers),
``documents`` (the formats of a page or document, its bytes, 404s), ``urls`` (the base IRI, links),
``paths`` (IRIs from request paths); the page families: ``sparql`` (the SPARQL endpoint and
service description), ``validate`` (the SHACL validation service: the form, POST /validate, kept reports; the
request read by ``submission``, the report negotiated by ``validate_report``), ``quality`` (the report
of the published graph; ``published`` holds its graphs), ``writes`` (SPARQL Update and
the Graph Store Protocol), ``resources`` and ``resource_page`` (dereferenceable IRIs, a thing's
page and document), ``docs_pages`` (the ontology, shapes, vocabularies, named graphs),
``dataset`` (VoID and DCAT, dumps, sitemap, robots), ``home`` (the home page and its charts),
``fragments`` (Triple Pattern Fragments).
"""

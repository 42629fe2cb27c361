"""The HTTP face of the knowledge graph: the Flask app and one module per page family.

``app`` (the factory, CORS, security headers), ``state`` (what a worker shares between
requests), ``errors`` (the one error handler), ``language`` (the page's language), ``conneg``
(formats and content negotiation); the page families: ``sparql`` (the SPARQL endpoint and
service description), ``validate`` (the SHACL validation service), ``writes`` (SPARQL Update and
the Graph Store Protocol), ``linked_data`` (IRIs, documents, VoID, dumps), ``fragments``
(Triple Pattern Fragments).
"""

"""The stores the app serves from, behind one interface.

``base`` (the :class:`~paradip_kg.backends.base.Backend` interface and the in-process query
runner), ``configured`` (the backend the settings name), the backends ``embedded`` (the Oxigraph
store on disk, the default and the one that takes writes), ``memory`` and ``remote`` (a SPARQL 1.1
store over HTTP: ``client`` speaks the protocol, ``remote_store`` reads it like a pyoxigraph
store), and ``push``/``loading``, which load the built graphs into a remote store.
"""

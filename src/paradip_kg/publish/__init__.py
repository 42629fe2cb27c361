"""What the site publishes about the graph, computed from the store (no HTTP here: that is ``web/``).

    describe     what the store says about one IRI: its page's facts, its RDF document (paged)
    labels       labels of IRIs in the reader's language
    docs/        documentation generated from the graph: the ontology, the vocabularies, the shapes
    charts/      the home page's charts: their queries, data and drawing
    void         the dataset's VoID counts; description: its VoID + DCAT description
    dumps        the dump files, their checksums, and the store version they are named by
    stats        figures about a built store (``paradip-kg stats``, the home page)
"""

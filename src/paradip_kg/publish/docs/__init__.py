"""Documentation generated from the graph, in the spirit of pyLODE and Widoco.

    ontology   the ontology: classes, properties, hierarchy, domains and ranges, definitions in es
               and en, alignments, examples from the data
    vocab      the SKOS concept schemes: every scheme with its size; one scheme's concepts, hierarchy,
               matches and usage
    shapes     every SHACL shape: its targets, and what it requires, in es and en
    expressions  OWL class expressions as words and links
    reader     the models' parts (Ref, Text) and reading texts and labels from a graph in one language

The models hold plain data (strings and :class:`~paradip_kg.publish.docs.reader.Ref` links);
templates render them, and escape everything. Nothing here fails on a missing annotation: a
term without a label is shown by its short name (pyLODE#72).
"""

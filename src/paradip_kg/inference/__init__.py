"""OWL 2 RL inference: ``closure`` (owlrl over the whole graph, as the build runs it) and
``incremental`` (the compiled rules that re-infer what a write can affect).
"""

"""OWL 2 RL inference: ``closure`` (owlrl over the whole graph: setting ``inference_engine=owlrl``, and
the oracle of the tests), ``incremental`` (the T-box compiled into A-box rules; what a write re-infers),
``rules`` (those rules on integer-coded terms, semi-naive to a fixpoint) and ``staged`` (the build's
closure: owlrl on the T-box, then the rules over all the data).
"""

"""Content: the YAML folder read, validated and linked into one program (load -> validate -> link).

``pipeline.load_program`` runs the three stages; ``graph`` is what they produce and every later
stage reads; ``addresses`` and ``markup`` are the page addresses and text conversions that both
the pages and the exports use.
"""

"""Building blocks of the synthetic data generator (see ``bench.generate``).

One concept per module: ``vocab`` loads the word lists under ``bench/data``; ``ids`` makes
patent and credit-code identifiers; ``names`` makes Chinese names; ``world`` builds the
ground-truth population (universities, teams, people, firms); ``patents``, ``cvs``,
``demands`` and ``achievements`` render the input files a user would bring; ``truth`` writes
the answer keys; ``writers`` holds the file-format plumbing (CSV with BOM, xlsx, docx,
byte-stable zip archives).
"""

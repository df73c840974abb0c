"""The compare stage: how two (or more) articles tell the same story.

``compare_articles(a, b)`` (``storylens.compare.pair``) returns a ``Comparison`` with
link-model verdicts, SemEval-2022 Task 8 dimension scores, shared/unique facts, framing
differences, tone and timing. Heavy imports stay in the submodules.
"""

"""datatrove's C4QualityFilter used as a line cleaner, shared by the benchmarks (None when not installed)."""

from __future__ import annotations

from collections.abc import Callable


def c4_line_filter() -> Callable[[str], str] | None:
    """min_num_sentences=-1: the page-level sentence count needs nltk data; lines are what we compare."""
    try:
        from datatrove.data import Document
        from datatrove.pipeline.filters.c4_filters import C4QualityFilter
    except ImportError:
        return None
    f = C4QualityFilter(min_num_sentences=-1)

    def run(text: str) -> str:
        doc = Document(text=text, id="x")
        keep = f.filter(doc)
        return doc.text if (keep if isinstance(keep, bool) else keep[0]) else ""

    return run

"""The corpus-lines step: removes lines learned to be boilerplate across a corpus (see cleaner.corpus_lines)."""

from __future__ import annotations

from cleaner.corpus_lines import LearnedLines, host_of, line_hash, line_key
from cleaner.document import Document, Edit
from cleaner.steps import DELETED


class CorpusLineStep:
    """Replaces every line whose (host, normalised line) was learned by the DELETED marker.

    The host comes from the document's `meta["url"]` (or `meta["host"]`); lines
    counted over documents without a URL apply to documents without one;
    lines a rule file lists without a host apply to every document. Removed lines count as bad
    neighbours for the block classifier that runs after this step, as lines removed
    by any other rule do.
    """

    name = "corpus-lines"

    def __init__(self, learned: LearnedLines, max_words: int = 0) -> None:
        self.learned = learned
        self.max_words = max_words

    def __call__(self, doc: Document) -> Document:
        counts = self.learned.counts
        if not counts:
            return doc
        host = doc.meta.get("host") or host_of(doc.meta.get("url"))
        lines = doc.text.split("\n")
        changed = False
        for i, line in enumerate(lines):
            if line == DELETED:
                continue
            key = line_key(line)
            if not key or (self.max_words and key.count(" ") >= self.max_words):
                continue
            h, where = line_hash(host, key), host
            if h not in counts and host:  # a rule file's line listed for any site
                h, where = line_hash("", key), ""
                if h not in self.learned.rule_of:
                    continue
            if h not in counts:
                continue
            seen = counts[h]
            where = where or "the corpus"
            note = f"seen in {seen} documents of {where}" if seen else f"listed for {where}"
            doc.edits.append(Edit(self.name, self.learned.rule_of.get(h, "counted"), "drop", i + 1, line, "", note))
            lines[i] = DELETED
            changed = True
        if changed:
            doc.text = "\n".join(lines)
        return doc

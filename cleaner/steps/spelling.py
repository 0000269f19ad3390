"""A guarded dictionary spelling corrector (symspellpy), off in the shipped `default` pack.

A plain dictionary corrector "fixes" every word it does not know: names,
jargon, rare but correct words (about 1,800 changes per 100k words of edited
news). This one only touches a word when all guards agree it is a typo:
lower-case letters only (no capitalised word, so no names; no digits), not
part of a URL or e-mail address, not hyphenated or elided, long enough, not
in the dictionary, used once in the document (a word an author repeats is
deliberate), and exactly one dictionary word within edit distance 1 that is
common and far more frequent than any other candidate.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from cleaner.document import Document, Edit
from cleaner.errors import RuleFileError
from cleaner.rule_schema import SpellingSettings

CANDIDATE = regex.compile(r"(?<![\w@/.'’-])[a-z]+(?![\w@/'’-]|\.\w)")
NOT_PROSE = regex.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", regex.IGNORECASE)


@lru_cache(maxsize=4)
def load_dictionary(spec: str, max_edit_distance: int) -> Any:
    """A SymSpell index; `symspellpy:en` is the English frequency list symspellpy ships."""
    try:
        from symspellpy import SymSpell
    except ImportError:  # pragma: no cover
        raise RuleFileError(spec, "the spelling corrector needs symspellpy: pip install 'cleaner[spelling]'") from None
    if spec == "symspellpy:en":
        import symspellpy

        path = Path(symspellpy.__file__).parent / "frequency_dictionary_en_82_765.txt"
    else:
        path = Path(spec)
    if not path.is_file():
        raise RuleFileError(spec, "spelling dictionary not found (give 'symspellpy:en' or a 'word count' file)")
    sym = SymSpell(max_dictionary_edit_distance=max_edit_distance, prefix_length=7)
    if not sym.load_dictionary(str(path), term_index=0, count_index=1, encoding="utf-8"):
        raise RuleFileError(spec, "could not read the spelling dictionary")
    return sym


class SpellingStep:
    """Corrects isolated misspellings that pass every guard; records each correction."""

    name = "spelling"

    def __init__(self, settings: SpellingSettings) -> None:
        self.settings = settings
        self._sym: Any = None
        self._verbosity: Any = None
        self._cache: dict[str, str | None] = {}

    def _index(self) -> Any:
        if self._sym is None:
            from symspellpy import Verbosity

            self._sym = load_dictionary(self.settings.dictionary, self.settings.max_edit_distance)
            self._verbosity = Verbosity.ALL
        return self._sym

    def suggest(self, word: str) -> str | None:
        """The correction for an out-of-dictionary lower-case word, or None when unsure."""
        if word in self._cache:
            return self._cache[word]
        s = self.settings
        sym = self._index()
        answer = None
        if len(word) >= s.min_length and word not in sym.words and word not in s.ignore:
            found = sym.lookup(word, self._verbosity, max_edit_distance=s.max_edit_distance, include_unknown=False)
            found = [f for f in found if 0 < f.distance <= s.max_edit_distance]
            if found:
                found.sort(key=lambda f: (-f.count, f.term))
                best = found[0]
                runner_up = found[1].count if len(found) > 1 else 0
                if (
                    best.count >= s.min_count
                    and best.count >= s.dominance * runner_up
                    and not spelling_variant(word, best.term)
                    and not known_form(word, sym.words)
                ):
                    answer = best.term
        if len(self._cache) < 200_000:
            self._cache[word] = answer
        return answer

    def __call__(self, doc: Document) -> Document:
        if not self.settings.enabled:
            return doc
        text = doc.text
        skip = [m.span() for m in NOT_PROSE.finditer(text)]
        matches = [m for m in CANDIDATE.finditer(text) if not _inside(m.start(), skip)]
        if not matches:
            return doc
        counts = Counter(m.group() for m in matches)
        pieces: list[str] = []
        last = 0
        for m in matches:
            word = m.group()
            if counts[word] > 1:
                continue
            fixed = self.suggest(word)
            if fixed is None:
                continue
            lineno = text.count("\n", 0, m.start()) + 1
            doc.edits.append(Edit(self.name, self.settings.id, "replace", lineno, word, fixed))
            pieces.append(text[last : m.start()])
            pieces.append(fixed)
            last = m.end()
        if pieces:
            pieces.append(text[last:])
            doc.text = "".join(pieces)
        return doc


SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly")
PREFIXES = ("re", "de", "pre", "un", "non", "co", "mis", "dis", "out", "over", "under", "sub", "inter", "multi")


def known_form(word: str, words: dict[str, int]) -> bool:
    """An inflection, prefixed form or compound of dictionary words is a word, not a typo
    (oilseeds, delisted, retender, yearend): frequency lists miss such forms."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and word[: -len(suffix)] in words:
            return True
    for prefix in PREFIXES:
        if word.startswith(prefix) and word[len(prefix) :] in words and len(word) - len(prefix) >= 3:
            return True
    return any(word[:i] in words and word[i:] in words for i in range(3, len(word) - 2))


def spelling_variant(word: str, candidate: str) -> bool:
    """US/UK and other accepted variants one edit apart: a doubled consonant (totaled/totalled,
    benefited/benefitted), -or/-our (labor/labour), -um/-ium (aluminum/aluminium)."""
    long, short = (word, candidate) if len(word) > len(candidate) else (candidate, word)
    if len(long) != len(short) + 1:
        return False
    i = next((k for k in range(len(short)) if long[k] != short[k]), len(short))
    inserted = long[i]
    if (i > 0 and long[i - 1] == inserted) or (i + 1 < len(long) and long[i + 1] == inserted):
        return True
    if inserted == "u" and long[i - 1 : i] == "o" and long[i + 1 : i + 2] == "r":
        return True
    return inserted == "i" and long[i + 1 : i + 3] == "um"


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)

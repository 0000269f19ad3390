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
CONTEXT_MIN_LENGTH = 4  # shorter tokens are often abbreviations (mln, twa): guessed only from both sides
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


@lru_cache(maxsize=2)
def load_bigrams(spec: str) -> dict[tuple[str, str], int]:
    """Word-pair counts; `symspellpy:en` is the English bigram list symspellpy ships."""
    if spec == "symspellpy:en":
        import symspellpy

        path = Path(symspellpy.__file__).parent / "frequency_bigramdictionary_en_243_342.txt"
    else:
        path = Path(spec)
    if not path.is_file():
        raise RuleFileError(spec, "bigram dictionary not found (give 'symspellpy:en' or a 'word word count' file)")
    pairs: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2].isdigit():
                pairs[(parts[0].lower(), parts[1].lower())] = int(parts[2])
    return pairs


@lru_cache(maxsize=4)
def word_frequency(spec: str) -> Any:
    """`wordfreq:LANG` -> a function word -> Zipf frequency (log10 per billion words; 0 when unseen).

    wordfreq (by ftfy's author) merges Wikipedia, subtitles, news, books, web text and social media,
    so it knows the domain words a general frequency list lacks (libor, forex, specialty, plow).
    """
    lang = spec.split(":", 1)[1]
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover
        raise RuleFileError(spec, "known_words needs wordfreq: pip install 'cleaner[spelling]'") from None
    return lru_cache(maxsize=100_000)(lambda word: zipf_frequency(word, lang, wordlist="large"))


class SpellingStep:
    """Corrects isolated misspellings that pass every guard; records each correction."""

    name = "spelling"

    def __init__(self, settings: SpellingSettings) -> None:
        self.settings = settings
        self._sym: Any = None
        self._verbosity: Any = None
        self._cache: dict[str, list[tuple[str, int]]] = {}

    def _index(self) -> Any:
        if self._sym is None:
            from symspellpy import Verbosity

            self._sym = load_dictionary(self.settings.dictionary, self.settings.max_edit_distance)
            self._verbosity = Verbosity.ALL
        return self._sym

    def candidates(self, word: str) -> list[tuple[str, int]]:
        """Dictionary words within the edit distance, most frequent first; [] for a word that is no typo
        (in the dictionary, ignored, shorter than 3 letters, without a vowel like the abbreviations mln
        and bpd, or a US/UK variant of a candidate)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        s = self.settings
        sym = self._index()
        out: list[tuple[str, int]] = []
        if len(word) >= 3 and word not in sym.words and word not in s.ignore and any(v in word for v in VOWELS):
            found = sym.lookup(word, self._verbosity, max_edit_distance=s.max_edit_distance, include_unknown=False)
            out = sorted(
                ((f.term, f.count) for f in found if 0 < f.distance <= s.max_edit_distance),
                key=lambda tc: (-tc[1], tc[0]),
            )
            if any(spelling_variant(word, term) for term, _ in out) or plural_of_word(word, sym.words):
                out = []  # an accepted variant spelling (analyze/analyse) or a plural (clouts), not a typo
        if len(self._cache) < 200_000:
            self._cache[word] = out
        return out

    def suggest(self, word: str, before: str = "", after: str = "") -> str | None:
        """The correction for an out-of-dictionary lower-case word between the words `before` and
        `after` ("" at a sentence boundary), or None when unsure.

        Without context, one candidate must be common and `dominance` times more frequent than any
        other. With a bigram list, the candidates that are common enough and seen next to a neighbour
        compete on those pair counts: the winner needs `context_dominance` times the runner-up."""
        s = self.settings
        found = self.candidates(word)
        if not found:
            return None
        best, count = found[0]
        runner_up = found[1][1] if len(found) > 1 else 0
        # Short words, forms built from dictionary words (delisted, oilseeds) and doubled letters
        # (curent/current) are corrected only where the context confirms it.
        doubtful = (
            len(word) < s.min_length
            or known_form(word, self._index().words)
            or doubled_letter(word, best)
            or word[0] != best[0]  # real misspellings rarely get the first letter wrong (centered/entered)
        )
        if not doubtful and count >= s.min_count and count >= s.dominance * runner_up:
            return self._unless_known(word, best)
        if not s.bigrams or not (before or after):
            return None
        if len(word) < CONTEXT_MIN_LENGTH and not (before and after):
            return None  # a 3-letter word (often an abbreviation: mln, twa) needs context on both sides
        pairs = load_bigrams(s.bigrams)
        scored = sorted(
            (_context_score(pairs, before, term, after, n), term)
            for term, n in found
            if n >= s.context_min_count and term[0] == word[0]
        )[::-1]
        if not scored or scored[0][0] == 0:
            return None
        second = scored[1][0] if len(scored) > 1 else 0
        return self._unless_known(word, scored[0][1]) if scored[0][0] >= s.context_dominance * max(second, 1) else None

    def _reads_as_the_language(self, counts: Counter[str]) -> bool:
        """Whether enough of the document's lower-case words are dictionary words for it to be in the
        dictionary's language: an English dictionary would "fix" German (beginnen -> beginner)."""
        words = self._index().words
        total = sum(counts.values())
        known = sum(map(counts.__getitem__, counts.keys() & words.keys()))
        return known >= self.settings.min_known_share * total

    def _unless_known(self, word: str, correction: str) -> str | None:
        """`correction`, unless the wider word list says `word` is a real word in its own right: nearly as
        frequent as the correction (libor/liber, specialty/specially, forex/fore, pled/plead). Common
        misspellings stay far below their word (recieved 2.8 vs received 5.2 on the Zipf scale)."""
        if not self.settings.known_words:
            return correction
        zipf = word_frequency(self.settings.known_words)
        return correction if zipf(correction) - zipf(word) >= self.settings.min_frequency_gap else None

    def __call__(self, doc: Document) -> Document:
        if not self.settings.enabled:
            return doc
        text = doc.text
        skip = [m.span() for m in NOT_PROSE.finditer(text)]
        matches = [m for m in CANDIDATE.finditer(text) if not _inside(m.start(), skip)]
        if not matches:
            return doc
        counts = Counter(m.group() for m in matches)
        if self.settings.min_known_share and not self._reads_as_the_language(counts):
            return doc
        pieces: list[str] = []
        last = 0
        for m in matches:
            word = m.group()
            if counts[word] > 1:
                continue  # used twice: deliberate
            fixed = self.suggest(word, *_neighbours(text, m.start(), m.end()))
            if fixed is None or _written_as_name(word, text):
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


def plural_of_word(word: str, words: dict[str, int]) -> bool:
    """A dictionary word plus -s or -es (clouts, lendings): frequency lists miss plurals, typos rarely make them."""
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh", "o")) and word[:-2] in words:
        return True
    return word.endswith("s") and not word.endswith("ss") and word[:-1] in words


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


def _one_insertion(word: str, candidate: str) -> tuple[str, int, str] | None:
    """(longer word, position, inserted letter) when the two differ by one inserted letter."""
    long, short = (word, candidate) if len(word) > len(candidate) else (candidate, word)
    if len(long) != len(short) + 1:
        return None
    i = next((k for k in range(len(short)) if long[k] != short[k]), len(short))
    return (long, i, long[i]) if long[:i] + long[i + 1 :] == short else None


def doubled_letter(word: str, candidate: str) -> bool:
    """The two differ by one letter written once or twice (curent/current, procceed/proceed)."""
    found = _one_insertion(word, candidate)
    if found is None:
        return False
    long, i, letter = found
    return (i > 0 and long[i - 1] == letter) or (i + 1 < len(long) and long[i + 1] == letter)


L_SUFFIXES = ("ed", "ing", "er", "or", "ation", "ment")  # travelled, traveller, counsellor, fulfilment
VOWELS = "aeiouy"


def spelling_variant(word: str, candidate: str) -> bool:
    """US/UK and other accepted variants one edit apart: a doubled l (totaled/totalled), -or/-our
    (labor/labour), -um/-ium (aluminum/aluminium), ae/oe for e (orthopedic/orthopaedic,
    diarrhea/diarrhoea), judgment/judgement, -ize/-ise, -ense/-ence, skeptic/sceptic, -er/-re."""
    found = _one_insertion(word, candidate)
    if found is not None:
        long, i, letter = found
        after = long[i + 1 : i + 5]
        return (
            (letter == "l" and long[i - 1 : i] == "l" and long[i + 1 :].startswith(L_SUFFIXES))  # travelled
            or (letter == "u" and long[i - 1 : i] == "o" and after[:1] in ("r", "l"))  # color, molding
            or (letter == "i" and after[:2] == "um")
            or (letter in "ao" and after[:1] == "e")
            or (letter == "e" and long[i - 1 : i] == "g" and after in ("ment", "ing"))  # judgement, ageing
            or (letter == "e" and after[:1] == "r" and after[1:2] in ("e", "i") and long[i - 1 : i] not in VOWELS)
            or (long is word and letter in "ts" and long[i - 1 : i] == letter and after in ("ed", "ing"))  # focussed
        )
    if len(word) != len(candidate):
        return False
    diff = [k for k in range(len(word)) if word[k] != candidate[k]]
    if len(diff) == 1:
        k = diff[0]
        swap, before, rest = {word[k], candidate[k]}, word[k - 1 : k], word[k + 1 :]
        return (
            (swap == {"s", "z"} and before in ("i", "y") and rest[:1] in ("e", "i", "a"))  # analyse, organising
            or (swap == {"c", "s"} and before == "n" and rest[:1] == "e")  # defence, licence
            or (swap == {"c", "k"} and k == 1 and word[0] == "s")  # sceptic
        )
    if len(diff) == 2 and diff[1] == diff[0] + 1 and diff[0] >= 3:  # center/centre, kilometers/kilometres
        k = diff[0]
        pair, rest = word[k : k + 2], word[k + 2 :]
        return (
            pair in ("er", "re")
            and candidate[k : k + 2] == pair[::-1]
            and word[k - 1] not in VOWELS
            and rest in ("", "s", "d", "ed", "ing")
        )
    return False


def _context_score(pairs: dict[tuple[str, str], int], before: str, term: str, after: str, count: int) -> float:
    """How well `term` fits between its neighbours: P(term | before) * P(after | term), up to a factor
    shared by all candidates, from pair counts; an unseen pair counts as 0 (no evidence)."""
    left = pairs.get((before, term), 0) if before else 0
    right = pairs.get((term, after), 0) if after else 0
    if before and after:
        return left * right / count if left and right else float(max(left, right)) * 1e-3
    return float(left or right)


_LEFT = regex.compile(r"(\w+)[ \t,]*$")
_RIGHT = regex.compile(r"[ \t,]*(\w+)")


def _neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    """The lower-cased words next to a match, or "" where a sentence or line boundary intervenes."""
    left = _LEFT.search(text, max(0, start - 40), start)
    right = _RIGHT.match(text, end, end + 40)
    return (left.group(1).lower() if left else "", right.group(1).lower() if right else "")


def _written_as_name(word: str, text: str) -> bool:
    """Whether the document also writes the word capitalised or in capitals (OPEC/opec, Libor/libor)."""
    return any(m.group() != word for m in regex.finditer(rf"(?<!\w){regex.escape(word)}(?!\w)", text, regex.IGNORECASE))


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)

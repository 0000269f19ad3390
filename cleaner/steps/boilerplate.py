"""Boilerplate removal with line and paragraph rules from rule files.

All rules of a kind are joined into one alternation and scanned over the
whole document once (C speed); only the lines it hits are checked rule by
rule, in file order, with each rule's guards. The first rule that matches a
line and passes its guards acts on it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

import regex

from cleaner.accel import accel
from cleaner.document import Document, Edit
from cleaner.literals import LiteralIndex
from cleaner.prefilter import required_literals_with_bounds, requires_digit
from cleaner.rule_schema import LineRule, ParagraphRule
from cleaner.steps import DELETED, line_span, lines_at, remember, replace_lines, timeout_edit

WORD = regex.compile(r"\w")
BLANK_LINE = regex.compile(r"\n[ \t]*\n")
NEWLINE = regex.compile("\n")


# Characters a whole-line literal ignores around the line: spaces, punctuation, arrows, bullets.
LINE_TRIM = " \t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»‹›•·–—…→←↑↓▶►▸▪■□●○✓✔×|¦"


_UNSEEN = (-1, "")  # no verdict kept for the line: 60 % of the web pages' candidate lines were seen before

# Whitespace literal_key collapses that a plain strip() and casefold() keep: two spaces, or any other kind.
ODD_WHITESPACE = regex.compile(r"  |[^\S\n ]")
ASCII_DIGIT = regex.compile(r"[0-9]")


def may_hold_digit(line: str) -> bool:
    """Whether regex's \\d may match in the line: an ASCII digit, a numeric character, or one Python's
    Unicode tables cannot print (the regex module may know a newer Unicode, where it is a digit)."""
    if line.isascii():
        return ASCII_DIGIT.search(line) is not None
    return any(c.isnumeric() or not c.isprintable() if c >= "\x80" else "0" <= c <= "9" for c in line)


def literal_key(text: str) -> str:
    """How a whole-line literal and a line are compared: trimmed, spaces collapsed, case folded."""
    return " ".join(text.strip(LINE_TRIM).split()).casefold()


class _Scanner:
    """Finds the lines some rule may match, cheaply, so only those are checked rule by rule.

    Whole-line literal rules are a dictionary lookup on short lines. Pattern
    rules first pass a prefilter (their necessary literals must occur in the
    lower-cased document) and only then run over the document.
    """

    def __init__(self, rules: Sequence[LineRule | ParagraphRule], timeout: float, step: str) -> None:
        self.timeout = timeout
        self.step = step
        self.literals: dict[str, list[int]] = {}  # literal key -> indices of the rules that list it
        self.max_literal = 0
        self.patterns: list[tuple[int, LineRule | ParagraphRule, dict[str, int] | None]] = []
        for n, rule in enumerate(rules):
            words = getattr(rule, "literals", ())
            if words:
                for lit in words:
                    self.literals.setdefault(literal_key(lit), []).append(n)
                    self.max_literal = max(self.max_literal, len(lit) + 8)
            else:
                self.patterns.append((n, rule, required_literals_with_bounds(rule.pattern)))
        # Literals go into one Aho-Corasick pass, unless a rule's literals include plain ASCII
        # punctuation (":" in a timestamp), which occurs everywhere: such a rule scans the text,
        # or only its short lines when a max_words guard allows.
        strong = [(n, needed) for n, _, needed in self.patterns if needed and not any(map(_weak, needed))]
        strong_ids = {n for n, _ in strong}
        self.weak = [(n, needed) for n, _, needed in self.patterns if needed and n not in strong_ids]
        # (rule index, rule, whether every match holds a digit: only lines that may hold one are scanned)
        self.unfiltered = [(n, rule, requires_digit(rule.pattern)) for n, rule, needed in self.patterns if not needed]
        self.literal_set = frozenset(self.literals)
        # With the C automaton, strong and weak literals share one pass that also drops hits on lines
        # longer (in words) than every rule of that literal accepts ("02:37" needs at most 4 words, and
        # ":" is in thousands of longer lines), and hits inside longer words ("shares") where every rule
        # it serves has a word boundary there (cleaner.prefilter derives the bounds from each pattern).
        self.short: LiteralIndex[int] | None = None
        self.index: LiteralIndex[int] = LiteralIndex(())  # pure Python: strong literals only
        if accel is None:
            self.index = LiteralIndex((lit, n) for n, needed in strong for lit in needed)
        else:
            short: LiteralIndex[int] = LiteralIndex((lit, n) for n, needed in [*strong, *self.weak] for lit in needed)
            if short:
                needed_by_rule = {n: needed for n, _, needed in self.patterns if needed}
                short.set_rule_filters(lambda n: rules[n].max_words, lambda lit, n: needed_by_rule[n].get(lit, 0))
                self.short = short
            # Whole-line literal keys in a C table: lines whose key is ASCII are looked up in C.
            self._keys = list(self.literals)
            self._key_table = accel.WordTable({key: k + 1 for k, key in enumerate(self._keys) if key})
            self._empty_key = self._keys.index("") if "" in self.literals else -1

    def literal_lines(self, text: str, lines: list[str] | None = None) -> dict[int, set[int]]:
        """Line index -> rules whose whole-line literal it is (`lines`: text's lines, if split already)."""
        if not self.literals:
            return {}
        limit, index = self.max_literal, self.literals
        if accel is not None:  # ASCII keys of short lines looked up in C; the others case-folded here at once
            hits, numbers, joined = accel.literal_line_hits(text, limit, LINE_TRIM, self._key_table, self._empty_key)
            keys_in_order = self._keys
            found = {line: set(index[keys_in_order[k]]) for line, k in hits}
            if numbers:
                keys = joined.casefold().split("\n")
                present = self.literal_set.intersection(keys)
                if present:
                    found.update((numbers[k], set(index[key])) for k, key in enumerate(keys) if key in present)
            return found
        lines = text.split("\n") if lines is None else lines
        trimmed = [line.strip(LINE_TRIM).casefold() if len(line) <= limit else "" for line in lines]
        blob = "\n".join(trimmed)
        if ODD_WHITESPACE.search(blob):  # rare: whitespace to collapse, as literal_key does
            trimmed = [literal_key(key) if key else key for key in trimmed]
        present = self.literal_set.intersection(trimmed)
        if not present:
            return {}
        return {i: set(index[key]) for i, key in enumerate(trimmed) if key in present}

    def line_candidates(self, text: str, lines: list[str] | None, edits: list[Edit]) -> dict[int, set[int]]:
        """Line index -> indices of the rules that may act on it (`lines`: text's lines, or None to
        split them only where needed).

        One Aho-Corasick pass over the lower-cased document finds every necessary
        literal of every pattern rule; each hit makes (its line, its rules) a
        candidate. Rules whose literals are plain punctuation (":") look them up
        with str.find, line by line. No pattern runs over the whole document,
        except a rule whose pattern yields no literal at all.
        """
        found = self.literal_lines(text, lines)
        if not self.patterns:
            return found
        if self.short is not None:  # C lower-cases as it scans: no lowered copy of the page
            hits = self.short.short_line_hits(text, fold=True)  # with the limits and bounds set above
            for line_no, rule_ids in hits:
                found.setdefault(line_no, set()).update(rule_ids)
        else:
            self._literal_hits(text.lower(), found)
        short: dict[tuple[int, bool], tuple[str, list[int]]] = {}  # (max_chars, digits) -> (such lines, numbers)
        for n, rule, digits in self.unfiltered:
            limit = getattr(rule, "max_chars", None) or 0
            if (limit, digits) not in short:  # a rule with max_chars only scans the lines that short
                short[limit, digits] = self._short_lines(text, lines, limit, digits)
            sub, kept = short[limit, digits]
            line, counted_to = 0, 0
            for pos in self._match_starts(rule, sub, NEWLINE, edits):  # in order: count the newlines up to each
                line += sub.count("\n", counted_to, pos)
                counted_to = pos
                found.setdefault(kept[line], set()).add(n)
        return found

    @staticmethod
    def _short_lines(text: str, lines: list[str] | None, limit: int, digits: bool = False) -> tuple[str, list[int]]:
        """(the lines of at most `limit` characters joined by newlines, their numbers); limit 0: all.
        `digits`: only lines that may hold a digit (may_hold_digit)."""
        if not limit and not digits:
            return text, list(range(text.count("\n") + 1))
        limit = limit or len(text)
        if accel is not None:
            numbers, joined = accel.short_lines(text, limit, digits)
            return joined, numbers
        lines = text.split("\n") if lines is None else lines
        kept = [i for i, line in enumerate(lines) if len(line) <= limit and (not digits or may_hold_digit(line))]
        return "\n".join([lines[i] for i in kept]), kept

    def _literal_hits(self, lowered: str, found: dict[int, set[int]]) -> None:
        """Pure Python: lines where a rule's literal occurs in the lower-cased document (offsets may
        shift against the original text, so lines are counted in `lowered`)."""
        if self.index:
            for line_no, rule_ids in self.index.line_hits(lowered):
                found.setdefault(line_no, set()).update(rule_ids)
        for n, needed in self.weak:
            for literal in needed:
                line_no, counted_to = 0, 0
                pos = lowered.find(literal)
                while pos >= 0:
                    line_no += lowered.count("\n", counted_to, pos)
                    found.setdefault(line_no, set()).add(n)
                    end = lowered.find("\n", pos)
                    if end < 0:
                        break
                    line_no += 1
                    counted_to = end + 1
                    pos = lowered.find(literal, counted_to)

    def positions(self, text: str, edits: list[Edit]) -> list[int]:
        """Start offsets of pattern matches, at most one per paragraph (block of non-blank lines) per
        rule: the paragraph rules judge each block once."""
        if not self.patterns:
            return []
        lowered = text.lower()
        found: list[int] = []
        for _, rule, needed in self.patterns:
            if needed is not None and not any(lit in lowered for lit in needed):
                continue
            found.extend(self._match_starts(rule, text, BLANK_LINE, edits))
        return found

    def _match_starts(
        self, rule: LineRule | ParagraphRule, text: str, boundary: regex.Pattern[str], edits: list[Edit]
    ) -> list[int]:
        """Where the rule's first match in each piece of `text` starts, pieces ending at a `boundary` match
        (NEWLINE: lines; BLANK_LINE: paragraphs); a timeout is recorded and skips the rule.

        One search over the text finds the next match, and the next search starts at the next piece.
        But where a pattern's \\s or \\W can cross the boundary ("1 2 3 … Next", `\\d+(\\s+\\d+)+`),
        each search from a piece of a column of numbers matched on to the end of the page, once per
        piece: 20,000 lines of day numbers took 21.8 s (BENCHMARKS.md). After the first match that
        crosses a boundary the rest is searched piece by piece; on most pages none does, and one
        search per match is cheaper."""
        search, timeout = rule.compiled.search, self.timeout
        out: list[int] = []
        pos = 0
        try:
            while pos <= len(text):
                m = search(text, pos, timeout=timeout)
                if m is None:
                    break
                out.append(m.start())
                edge = boundary.search(text, m.start())
                if edge is None:
                    break
                pos = edge.end()
                if m.end() > edge.start():
                    edges = list(boundary.finditer(text, pos))
                    starts = [pos, *(e.end() for e in edges)]
                    ends = [*(e.start() for e in edges), len(text)]
                    for start, end in zip(starts, ends, strict=True):
                        inner = search(text, start, end, timeout=timeout)
                        if inner is not None:
                            out.append(inner.start())
                    break
        except TimeoutError:
            edits.append(timeout_edit(self.step, rule.id, timeout))
            return []
        return out


def _sentence_end(line: str) -> bool:
    """The last few words of a sentence wrapped onto their own line ('share.', 'subscribe to ordinary
    shares.'): they start in lower case and end the sentence. Buttons and menu items do neither, so
    line rules leave such a line alone (hard-wrapped newswire had 140 of them removed as chrome)."""
    text = line.strip()
    return text[:1].islower() and text.endswith((".", '."', ".”")) and text.count(" ") < 5


def _weak(literal: str) -> bool:
    return literal.isascii() and not any(c.isalnum() for c in literal)


def _search(rule: LineRule | ParagraphRule, text: str, timeout: float, edits: list[Edit], step: str) -> Any:
    try:
        return rule.compiled.search(text, timeout=timeout)
    except TimeoutError:
        edits.append(timeout_edit(step, rule.id, timeout))
        return None


class BoilerplateStep:
    """Drops paragraphs and lines that rules identify as boilerplate."""

    name = "boilerplate"

    def __init__(
        self, lines: Sequence[LineRule], paragraphs: Sequence[ParagraphRule] = (), timeout: float = 1.0
    ) -> None:
        self.line_rules = list(lines)
        self.paragraph_rules = list(paragraphs)
        self.timeout = timeout
        self._lines = _Scanner(self.line_rules, timeout, self.name)
        self._paragraphs = _Scanner(self.paragraph_rules, timeout, self.name)
        self._verdicts: dict[tuple[str, frozenset[int]], tuple[int, str] | None] = {}

    def __call__(self, doc: Document) -> Document:
        if self.paragraph_rules:
            doc.text = self._drop_paragraphs(doc)
        if self.line_rules:
            doc.text = self._drop_lines(doc)
        return doc

    def _drop_lines(self, doc: Document) -> str:
        text = doc.text
        candidates = self._lines.line_candidates(text, None, doc.edits)
        if not candidates:
            return text  # most documents: no split into lines at all
        order = sorted(candidates)
        changes: dict[int, str] = {}
        verdicts = self._verdicts
        for i, line in zip(order, lines_at(text, order), strict=True):  # only the candidate lines
            rule_indices = candidates[i]
            key = (line, frozenset(rule_indices))
            verdict = verdicts.get(key, _UNSEEN)
            if verdict is _UNSEEN:
                verdict, timed_out = self._verdict(line, rule_indices, doc.edits)
                if not timed_out:  # a pure function of the line and the rules: kept for the next page
                    remember(verdicts, key, verdict)
            if verdict is None:
                continue
            n, new = verdict
            action = "drop" if new == DELETED else "strip"
            doc.edits.append(Edit(self.name, self.line_rules[n].id, action, i + 1, line, "" if new == DELETED else new))
            changes[i] = new
        return replace_lines(text, changes) if changes else text

    def _verdict(self, line: str, rule_indices: set[int], edits: list[Edit]) -> tuple[tuple[int, str] | None, bool]:
        """(the first rule, in file order, that passes its guards and matches the line, and the line it
        leaves: DELETED, or the line with the match stripped; None where no rule acts on it), and
        whether a rule's search timed out (recorded in `edits`; such a rule counts as not matching)."""
        if line == DELETED or _sentence_end(line):
            return None, False
        timed_out = False
        for n in sorted(rule_indices):
            rule = self.line_rules[n]
            if not rule.guards_pass(line):
                continue
            try:
                if rule.compiled.search(line, timeout=self.timeout) is None:
                    continue
                new = DELETED
                if rule.action == "strip":
                    new = rule.compiled.sub("", line, timeout=self.timeout).strip()
                    if not WORD.search(new):
                        new = DELETED
            except TimeoutError:
                edits.append(timeout_edit(self.name, rule.id, self.timeout))
                timed_out = True
                continue
            return (n, new), timed_out
        return None, timed_out

    def _drop_paragraphs(self, doc: Document) -> str:
        """Drop each paragraph (block of non-blank lines) that a paragraph rule matches, judging each
        paragraph once, in text order, whichever rule's match brought it up."""
        text = doc.text
        hits = self._paragraphs.positions(text, doc.edits)
        if not hits:
            return text
        blank_ends = [m.end() for m in BLANK_LINE.finditer(text)]
        pieces: list[str] = []
        last = 0  # end of the last paragraph dropped
        judged_to = 0  # end of the last paragraph judged: later matches inside it change nothing
        line_no, counted_to = 1, 0
        for pos in sorted(set(hits)):  # each rule's matches came one rule after another
            if pos < judged_to:
                continue
            start, end = _paragraph_span(text, pos, blank_ends)
            judged_to = max(end, pos + 1)
            if start < last:
                continue
            block = text[start:end]
            joined = " ".join(block.split())
            words = len(joined.split())
            for rule in self.paragraph_rules:
                if not rule.guards_pass(words):
                    continue
                if _search(rule, joined, self.timeout, doc.edits, self.name) is None:
                    continue
                line_no += text.count("\n", counted_to, start)
                counted_to = start
                doc.edits.append(Edit(self.name, rule.id, "drop", line_no, block, ""))
                pieces.append(text[last:start])
                pieces.append("\n".join(DELETED for _ in range(block.count("\n") + 1)))
                last = end
                break
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)


def _paragraph_span(text: str, pos: int, blank_ends: list[int]) -> tuple[int, int]:
    """The block of non-blank lines around `pos`; `blank_ends`: where each blank line
    (BLANK_LINE, over the whole text) ends, in order."""
    k = bisect.bisect_right(blank_ends, pos + 1)
    start = blank_ends[k - 1] if k else 0
    m = BLANK_LINE.search(text, pos)
    end = m.start() if m else len(text)
    if end < start:  # pos sits on a blank line
        return line_span(text, pos)
    return start, end

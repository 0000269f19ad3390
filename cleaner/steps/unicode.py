"""Unicode repair (ftfy) and whitespace normalisation, line by line.

ftfy is the right tool for mojibake but costs about 8 MB/s, and most text
cannot need it. A gate built from ftfy's own tables (the characters each
fixer acts on, and the lead/continuation character pairs that UTF-8 read in a
single-byte encoding produces) finds the lines that might; only those go
through ftfy. tests/test_unicode.py checks the gate never skips a line ftfy
would change.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from typing import Any

from cleaner.accel import accel as _accel
from cleaner.document import Document, Edit
from cleaner.rule_schema import UnicodeSettings

ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
# Zero-width joiner/non-joiner are kept: they carry meaning in emoji and in Persian or Indic scripts.
ZERO_WIDTH = "\u200b\u2060\ufeff\u00ad\u180e"
CURLY_QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033"
ODD_SPACE_RE = re.compile(f"[{ODD_SPACES}]")
TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")


@lru_cache(maxsize=4)
def _ftfy_gate_chars(ligatures: bool = True, width: bool = True) -> tuple[str, str, str, str]:
    """Characters and pairs on which ftfy's fixers can act, from ftfy's own tables:
    (single characters, lead characters, continuation characters, leads before a lost 0xA0).

    Mojibake is UTF-8 read in a single-byte encoding: a lead byte (0xC0-0xF7)
    followed by a continuation byte (0x80-0xBF), or by a space, U+FFFD or '?'
    where the continuation byte was lost. One character class pair, the
    union over ftfy's encodings, is a superset of every such pair and scans
    at hundreds of MB/s.
    """
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows codecs)
    from ftfy import chardata

    singles: set[str] = set()
    singles.update(chr(c) for c in chardata.CONTROL_CHARS)
    if ligatures:  # what fix_latin_ligatures and fix_character_width change, where they are on
        singles.update(chr(c) for c in chardata.LIGATURES)
    if width:
        singles.update(chr(c) for c in chardata.WIDTH_MAP)
    singles.update(chr(c) for c in range(0x80, 0xA0))  # C1 controls
    singles.add("\x1b")
    singles.update(map(chr, range(0xD800, 0xE000)))  # lone surrogates
    leads: set[str] = set()
    conts: set[str] = set("\ufffd\x1a?")
    for encoding in chardata.CHARMAP_ENCODINGS:
        leads.update(bytes(range(0xC0, 0xF8)).decode(encoding, errors="ignore"))
        conts.update(bytes(range(0x80, 0xC0)).decode(encoding, errors="ignore"))
    # UTF-8 whose continuation byte 0xA0 became a space (ftfy's restore_byte_a0), as Latin-1/Windows-1252 shows it
    spaced = bytes([0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9, 0xE2, 0xE3, 0xF0]).decode("latin-1")
    return tuple("".join(sorted(chars)) for chars in (singles, leads, conts, set(spaced)))  # type: ignore[return-value]


def _ftfy_gate_pattern(settings: UnicodeSettings) -> tuple[str, str, str]:
    """The same gate as regular expressions: a class body of single characters, the pair, the spaced lead."""
    singles, leads, conts, spaced = _ftfy_gate_chars(settings.fix_latin_ligatures, settings.fix_character_width)
    surrogates = "".join(map(chr, range(0xD800, 0xE000)))
    return (
        f"{_cls(singles.translate({ord(c): None for c in surrogates}))}\ud800-\udfff",
        f"[{_cls(leads)}][{_cls(conts)}]",
        f"[{_cls(spaced)}] ",
    )


# What ftfy's unescape_html decodes (ftfy.chardata.HTML_ENTITY_RE): "AT&T" and "Q&A" need no ftfy.
HTML_ENTITY = "&#?[0-9A-Za-z]{1,24};"


def _gate_parts(settings: UnicodeSettings) -> tuple[list[str], list[str]]:
    """(single-character class bodies, other patterns) that flag text the unicode step may change.

    Kept as separate searches: each runs at C speed, an alternation of them
    runs several times slower in Python's regex engines.
    """
    classes: list[str] = []
    others: list[str] = []
    if settings.ftfy:
        singles, pair, spaced = _ftfy_gate_pattern(settings)
        classes.append(singles)
        others += [pair, spaced]
        if settings.unescape_html:
            others.append(HTML_ENTITY)
        if settings.uncurl_quotes:
            classes.append(CURLY_QUOTES)
    return classes, others


# Astral characters the NFC check may skip, if none of them is NFC-relevant (emoji and symbols,
# common in web text); other astral characters always get the check.
_NFC_SAFE_ASTRAL = (0x1F000, 0x1FAFF)


def _nfc_relevant_char(c: str) -> bool:
    return bool(unicodedata.combining(c)) or unicodedata.normalize("NFC", c) != c


@lru_cache(maxsize=1)
def _nfc_relevant() -> tuple[str, tuple[int, int]]:
    """(the BMP characters whose presence needs `unicodedata.is_normalized("NFC", ...)`, the astral range
    that needs none): a text of other characters is in NFC. These are the characters with a combining
    class, those NFC changes on their own (singletons, excluded compositions), the second characters
    of canonical pairs (they may compose with what precedes them) and the Hangul vowel and trailing
    jamo. About 15 ms, once."""
    relevant: set[str] = set()
    for code in range(0x10000):
        c = chr(code)
        if 0xD800 <= code < 0xE000 or _nfc_relevant_char(c):
            relevant.add(c)
        parts = unicodedata.decomposition(c).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            second = int(parts[1], 16)
            if second < 0x10000:
                relevant.add(chr(second))
    relevant.update(map(chr, [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]))
    low, high = _NFC_SAFE_ASTRAL
    safe = (low, high) if not any(_nfc_relevant_char(chr(code)) for code in range(low, high + 1)) else (1, 0)
    return "".join(sorted(relevant)), safe


def _cls(chars: str) -> str:
    return "".join(re.escape(c) for c in sorted(set(chars)))


class UnicodeStep:
    """Fix mojibake and odd characters with ftfy; odd spaces, zero-width characters, trailing spaces."""

    name = "unicode"

    def __init__(self, settings: UnicodeSettings, *, compiled: bool | None = None) -> None:
        """`compiled`: run the gate in C (default: where the accelerator is built); False forces Python."""
        self.settings = settings
        if settings.ftfy:
            import ftfy

            self._ftfy_config: Any = ftfy.TextFixerConfig(
                unescape_html=settings.unescape_html,
                fix_latin_ligatures=settings.fix_latin_ligatures,
                fix_character_width=settings.fix_character_width,
                uncurl_quotes=settings.uncurl_quotes,
                fix_line_breaks=False,
                normalization=settings.normalization,  # type: ignore[arg-type]
                explain=False,
            )
        classes, others = _gate_parts(settings)
        # _gate_parts: `others` is the mojibake pair and spaced lead (with ftfy), then the HTML entity test.
        # Mojibake pairs only matter where ftfy's own first test of its encoding fix passes (see ftfy_may_change).
        pairs = 2 if settings.ftfy else 0
        self._mojibake = [re.compile(p) for p in others[:pairs]]
        self._direct = [re.compile(f"[{''.join(classes)}]")] * bool(classes) + [re.compile(p) for p in others[pairs:]]
        self._is_bad: Any = None
        if settings.ftfy:
            from cleaner.badness import is_bad  # ftfy's own test, searched in windows around its key characters

            self._is_bad = is_bad
        if settings.odd_spaces:
            classes.append(_cls(ODD_SPACES))
        if settings.zero_width:
            classes.append(_cls(ZERO_WIDTH))
        self._checks = [re.compile(f"[{''.join(classes)}]")] * bool(classes) + [re.compile(p) for p in others]
        # ASCII text can only need: HTML entities, ASCII control characters, trailing spaces.
        ascii_parts = [r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"] if settings.ftfy else []
        if settings.ftfy and settings.unescape_html:
            ascii_parts.append(HTML_ENTITY)
        self._ascii_checks = [re.compile(p) for p in ascii_parts]
        self._fix_text = None
        if settings.ftfy:
            import ftfy

            self._fix_text = ftfy.fix_text
        self._gate = self._compiled_gate(settings) if compiled is not False else None
        if compiled and self._gate is None:
            raise RuntimeError("the C accelerator cleaner._accel is not installed")

    @staticmethod
    def _compiled_gate(settings: UnicodeSettings) -> Any:
        """The whole gate in one C pass (cleaner._accel.CharGate), or None where it is not built."""
        if _accel is None:
            return None
        singles, leads, conts, spaced = (
            _ftfy_gate_chars(settings.fix_latin_ligatures, settings.fix_character_width)
            if settings.ftfy
            else ("", "", "", "")
        )
        if settings.ftfy:  # what the Python gate flags in ASCII text (form feed too), so C flags no fewer lines
            singles += "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]))
        if settings.ftfy and settings.uncurl_quotes:
            singles += CURLY_QUOTES
        if settings.odd_spaces:
            singles += ODD_SPACES
        if settings.zero_width:
            singles += ZERO_WIDTH
        entity = bool(settings.ftfy and settings.unescape_html)
        if settings.ftfy and settings.normalization == "NFC":
            nfc, safe = _nfc_relevant()
            return _accel.CharGate(singles, leads, conts, spaced, entity, settings.strip_trailing, nfc, safe)
        return _accel.CharGate(singles, leads, conts, spaced, entity, settings.strip_trailing)

    def _needs_normalizing(self, text: str) -> bool:
        form = self.settings.normalization
        return bool(
            self.settings.ftfy and form and not text.isascii() and not unicodedata.is_normalized(form, text)  # type: ignore[arg-type]
        )

    def _has_trailing_space(self, text: str) -> bool:
        return self.settings.strip_trailing and (" \n" in text or "\t\n" in text or text.endswith((" ", "\t")))

    def ftfy_may_change(self, line: str) -> bool:
        """The gate: False only where ftfy.fix_text (with our settings) is known to change nothing."""
        if any(p.search(line) for p in self._direct) or self._needs_normalizing(line):
            return True
        # ftfy's encoding fix returns the text unchanged unless its badness test `is_bad` finds mojibake
        # (ftfy/__init__.py, _fix_encoding_one_step_and_explain); the other fixers act on single characters
        # and entities, tested above. A pair such as "ö" + "ß" (mac-roman continuation) in German prose
        # passes the pair test but not ftfy's, and ftfy.fix_text costs about 0.2 ms a line.
        return any(p.search(line) for p in self._mojibake) and bool(self._is_bad(line))

    def _lines_to_fix(
        self, text: str, lines: list[str], flagged: list[int] | None = None, nfc: bool = True
    ) -> list[int]:
        """Indices of lines some fix may change, from whole-document scans (no per-line loop);
        `flagged`: the compiled gate's lines, where it ran already; `nfc`: False where the gate found
        no character the NFC check must see."""
        if self._gate is not None:
            if flagged is None:
                flagged, nfc = self._gate.scan(text)
            if not (nfc and self._needs_normalizing(text)):
                return flagged
            return sorted(set(flagged).union(i for i, line in enumerate(lines) if self._needs_normalizing(line)))
        checks = self._ascii_checks if text.isascii() else self._checks
        positions = [m.start() for p in checks for m in p.finditer(text)]
        if self._has_trailing_space(text):
            positions.extend(m.start() for m in TRAILING.finditer(text))
        found: set[int] = set()
        if positions:
            starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
            found.update(bisect_right(starts, pos) - 1 for pos in positions)
        if self._needs_normalizing(text):
            found.update(i for i, line in enumerate(lines) if self._needs_normalizing(line))
        return sorted(found)

    def __call__(self, doc: Document) -> Document:
        text = doc.text
        flagged: list[int] | None = None
        nfc = True
        if self._gate is not None:
            flagged, nfc = self._gate.scan(text)
            if not flagged and not (nfc and self._needs_normalizing(text)):
                return doc
        elif not self._has_trailing_space(text):
            checks = self._ascii_checks if text.isascii() else self._checks
            if not any(p.search(text) for p in checks) and not self._needs_normalizing(text):
                return doc
        lines = text.split("\n")
        changed = False
        for i in self._lines_to_fix(text, lines, flagged, nfc):
            line = lines[i]
            fixed = self.fix_line(line, i + 1, doc.edits)
            if fixed != line:
                lines[i] = fixed
                changed = True
        if changed:
            doc.text = "\n".join(lines)
        return doc

    def fix_line(self, line: str, lineno: int, edits: list[Edit]) -> str:
        """ftfy first (it needs NBSP and soft hyphens to decode mojibake such as "Ã\\xa0" = "à"), then
        spaces and invisible characters; repeated until nothing changes, because removing a character can
        reveal mojibake ftfy did not see before (so cleaning twice changes nothing)."""
        s = self.settings
        for _ in range(4):
            before = line
            if self._fix_text is not None and self.ftfy_may_change(line):
                line = self._apply(line, self._fix_text(line, self._ftfy_config), "ftfy", lineno, edits)
            line = self._spaces(line, lineno, edits)
            if line == before:
                break
        if s.strip_trailing:
            line = self._apply(line, line.rstrip(" \t"), "trailing-space", lineno, edits)
        return line

    def _spaces(self, line: str, lineno: int, edits: list[Edit]) -> str:
        if self.settings.odd_spaces:
            line = self._apply(line, ODD_SPACE_RE.sub(" ", line), "odd-spaces", lineno, edits)
        if self.settings.zero_width:
            line = self._apply(line, ZERO_WIDTH_RE.sub("", line), "zero-width", lineno, edits)
        return line

    def _apply(self, before: str, after: str, rule: str, lineno: int, edits: list[Edit]) -> str:
        if after != before:
            edits.append(Edit(self.name, rule, "fix", lineno, before, after))
        return after

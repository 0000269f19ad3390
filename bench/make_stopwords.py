"""Regenerate rules/stopwords.toml from jusText's stoplists (BSD 2-Clause): `pip download justext`, then
python bench/make_stopwords.py path/to/justext-*.whl
"""

import re
import sys
import zipfile

LANGS = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
}


def main(wheel: str) -> None:
    z = zipfile.ZipFile(wheel)
    out = [
        "# Stopword lists for the web pack's block classifier, one per language.",
        "# Source: jusText 3.0.2 (https://github.com/miso-belica/jusText), justext/stoplists/*.txt,",
        "# BSD 2-Clause License, Copyright (c) 2011 Jan Pomikalek. Regenerate with bench/make_stopwords.py.",
        "[meta]",
        'name = "stopwords"',
        'description = "stopword lists (jusText) for en, de, fr, es, it, nl, pt, pl"',
        "",
        "[stopwords]",
    ]
    for code, name in LANGS.items():
        # jusText splits on whitespace; our words are \w+ runs, so keep the entries that are one such run.
        words = sorted(
            {
                w.strip().lower()
                for w in z.read(f"justext/stoplists/{name}.txt").decode().splitlines()
                if re.fullmatch(r"\w+", w.strip())
            }
        )
        out.append(
            f"{code} = [" + ", ".join('"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"' for w in words) + "]"
        )
    with open("rules/stopwords.toml", "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])

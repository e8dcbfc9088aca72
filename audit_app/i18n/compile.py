"""``python -m audit_app.i18n.compile``: the ``.po`` catalogues compiled to ``.mo`` (Babel).

``pybabel compile`` would do the same, but its check for %-style placeholders takes the
"90 % interval" of our sentences for one ("% i") and refuses the Catalan word order. Our
words use brace placeholders only; ``tests/i18n`` checks those in every translation.
"""

from __future__ import annotations

import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from audit_app.i18n.catalogue import DOMAIN, LANGUAGES, LOCALES


def compile_catalogues() -> list[str]:
    """Compile every language's catalogue; one line of figures per language."""
    lines = []
    for language in LANGUAGES:
        source = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not source.exists():
            continue
        with source.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        done = sum(
            1
            for m in catalog
            if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
        )
        with source.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
        lines.append(f"{language}: {done} of {len(catalog)} words translated")
    return lines


if __name__ == "__main__":
    for line in compile_catalogues():
        print(line)
    sys.exit(0)

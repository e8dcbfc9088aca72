"""Every word people read, through gettext catalogues (en, ca, ro, tr) compiled with Babel.

``_("Save draft")`` translates into the current language: the one a caller chose with
``use_language`` (a report, a template, an import checked in its template's language), else
the one the app's session reports, else English. ``N_`` only marks a word for the catalogue
(a label table built at import time is translated when it is shown).
"""

from audit_app.i18n.catalogue import LANGUAGES, PSEUDO, language_name, supported
from audit_app.i18n.current import (
    current_language,
    set_session_language_source,
    use_language,
)
from audit_app.i18n.translate import N_, _, ngettext, pgettext

__all__ = [
    "LANGUAGES",
    "N_",
    "PSEUDO",
    "_",
    "current_language",
    "language_name",
    "ngettext",
    "pgettext",
    "set_session_language_source",
    "supported",
    "use_language",
]

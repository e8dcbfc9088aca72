"""Which column of a questions sheet holds what: found by the words chains write as headers
(English, Catalan, Spanish, Romanian, Turkish), with a language in the header where a text
comes per language (``Question (ca)``, ``Pregunta``, ``Soru``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from audit_app.domain.intake.vocabulary import fold

Role = Literal[
    "section",
    "section_id",
    "section_weight",
    "section_applies_if",
    "number",
    "item_id",
    "question",
    "type",
    "options",
    "weight",
    "critical",
    "na_allowed",
    "required",
    "applies_if",
    "guidance",
    "min",
    "max",
    "target",
    "direction",
    "zero_at",
    "unit",
    "action",
    "photo_on_fail",
]
LOCALIZED: frozenset[str] = frozenset({"section", "question", "options", "guidance"})
"""Roles whose texts come per language, one column each."""
LANGUAGES: tuple[str, ...] = ("en", "ca", "es", "ro", "tr")

# fmt: off
SYNONYMS: dict[str, tuple[str, ...]] = {
    "section": (
        "section", "section title", "section name", "area", "category", "chapter", "block",
        "group", "seccion", "apartado", "categoria", "bloque", "seccio", "apartat",
        "sectiune", "sectiunea", "capitol", "categorie", "zona", "bolum", "kategori", "alan",
    ),
    "section_id": (
        "section id", "section code", "id seccion", "seccion id", "codigo seccion", "id seccio",
        "codi seccio", "id sectiune", "cod sectiune", "bolum kodu", "bolum id",
    ),
    "section_weight": (
        "section weight", "section weighting", "peso seccion", "peso de la seccion",
        "pes seccio", "pes de la seccio", "pondere sectiune", "bolum agirligi",
    ),
    "section_applies_if": (
        "section applies if", "section condition", "section only if", "condicion seccion",
        "condicio seccio", "conditie sectiune", "bolum kosulu",
    ),
    "number": ("no", "nr", "n", "num", "number", "question number", "numero", "num pregunta",
               "sira", "sira no"),
    "item_id": (
        "id", "item id", "question id", "item code", "question code", "code", "ref",
        "reference", "qid", "codigo", "id pregunta", "codi", "id pregunta", "cod", "cod intrebare",
        "kod", "soru kodu", "soru id",
    ),
    "question": (
        "question", "questions", "question text", "item", "criterion", "standard",
        "requirement", "statement", "pregunta", "preguntas", "criterio", "requisito",
        "enunciado", "criteri", "requisit", "intrebare", "intrebarea", "intrebari", "criteriu",
        "cerinta", "soru", "sorular", "kriter", "madde",
    ),
    "type": (
        "type", "question type", "answer type", "response type", "format", "answer format",
        "tipo", "tipo de pregunta", "tipo de respuesta", "tipus", "tipus de pregunta",
        "tip", "tip intrebare", "tip raspuns", "tur", "soru tipi", "cevap tipi",
    ),
    "options": (
        "options", "answer options", "answers", "choices", "possible answers", "responses",
        "answers points", "options points", "options with points", "answers with points",
        "answer options points", "choices points",
        "scoring", "opciones", "respuestas", "respuestas posibles", "opcions", "respostes",
        "optiuni", "variante", "raspunsuri", "secenekler", "cevaplar", "yanitlar",
    ),
    "weight": (
        "weight", "weighting", "points", "max points", "maximum points", "peso", "ponderacion",
        "puntos", "pes", "ponderacio", "punts", "pondere", "greutate", "puncte", "agirlik",
        "puan",
    ),
    "critical": (
        "critical", "critical item", "knock out", "ko", "fatal", "key item", "critico",
        "critica", "critic", "kritik",
    ),
    "na_allowed": (
        "n a allowed", "na allowed", "n a", "na", "allow n a", "allow na", "n a ok",
        "not applicable allowed", "admite n a", "permite n a", "admet n a", "accepta n a",
        "permite na", "u d", "uygulanamaz", "na izinli",
    ),
    "required": (
        "required", "mandatory", "obligatory", "obligatorio", "obligatoria", "requerido",
        "obligatori", "obligatoriu", "obligatorie", "zorunlu",
    ),
    "applies_if": (
        "applies if", "condition", "only if", "show if", "ask if", "ask only if", "skip logic",
        "depends on", "condicion", "solo si", "se aplica si", "condicio", "nomes si",
        "conditie", "doar daca", "kosul", "sadece",
    ),
    "guidance": (
        "guidance", "guide", "instructions", "help", "how to score", "explanation",
        "definition", "auditor notes", "notes for the auditor", "guia", "instrucciones",
        "ayuda", "orientacion", "instruccions", "ajuda", "ghid", "indrumari", "instructiuni",
        "rehber", "aciklama", "talimat", "yonerge",
    ),
    "min": ("min", "minimum", "lowest", "minimo", "minim", "en az"),
    "max": ("max", "maximum", "highest", "maximo", "maxim", "en cok"),
    "target": ("target", "goal", "objetivo", "meta", "objectiu", "tinta", "hedef"),
    "direction": ("direction", "target direction", "direccion", "direccio", "directie", "yon"),
    "zero_at": ("zero at", "zero score at", "0 at", "cero en", "zero a", "zero la", "sifir"),
    "unit": ("unit", "units", "unidad", "unitat", "unitate", "birim"),
    "action": (
        "action rule", "corrective action rule", "opens an action", "regla de accion",
        "regla d'accio", "regula actiunii", "regula de actiune", "aksiyon kurali",
    ),
    "photo_on_fail": (
        "photo on fail", "photo when failed", "photo required", "photo evidence", "evidence",
        "foto si falla", "foto obligatoria", "foto en cas de suspens", "fotografie la esec",
        "fotografie obligatorie", "basarisizlikta fotograf", "fotograf zorunlu",
    ),
}
WORD_LANGUAGE: dict[str, str] = {
    "pregunta": "es", "preguntas": "es", "criterio": "es", "requisito": "es", "enunciado": "es",
    "criteri": "ca", "requisit": "ca",
    "intrebare": "ro", "intrebarea": "ro", "intrebari": "ro", "criteriu": "ro", "cerinta": "ro",
    "soru": "tr", "sorular": "tr", "kriter": "tr", "madde": "tr",
    "seccion": "es", "apartado": "es", "seccio": "ca", "apartat": "ca",
    "sectiune": "ro", "sectiunea": "ro", "capitol": "ro", "bolum": "tr",
    "opciones": "es", "respuestas": "es", "opcions": "ca", "respostes": "ca",
    "optiuni": "ro", "variante": "ro", "raspunsuri": "ro", "secenekler": "tr", "cevaplar": "tr",
    "guia": "es", "instrucciones": "es", "instruccions": "ca", "ghid": "ro", "rehber": "tr",
    "aciklama": "tr", "talimat": "tr",
}
# fmt: on
_BY_KEY: dict[str, str] = {}
for _role, _words in SYNONYMS.items():
    for _word in _words:
        _BY_KEY.setdefault(_word, _role)

_NOT_WORD = re.compile(r"[^\w]+")
_LANGUAGE_SUFFIX = re.compile(r"^(?P<base>.*?)[\s_\-]*[(\[]\s*(?P<lang>[A-Za-z]{2})\s*[)\]]\s*$")


def header_key(text: str) -> str:
    """``  N/A allowed? `` -> ``n a allowed``: what two headers must share to be one."""
    return " ".join(_NOT_WORD.sub(" ", fold(text).replace("_", " ")).split())


@dataclass(frozen=True)
class Column:
    index: int
    role: str
    language: str | None = None
    """The language a header names (``Question (ca)``) or its word implies (``Soru``)."""
    header: str = ""


def read_header(text: str) -> tuple[str, str | None] | None:
    """(role, language or None) of one header text, or None when it is no known column."""
    raw = text.strip()
    if not raw:
        return None
    suffix = _LANGUAGE_SUFFIX.match(raw)
    if suffix and suffix["lang"].lower() in LANGUAGES:
        found = read_header(suffix["base"])
        if found is not None and found[0] in LOCALIZED:
            return found[0], suffix["lang"].lower()
        return None
    key = header_key(raw)
    words = key.split()
    if len(words) > 1 and words[-1] in LANGUAGES:
        role = _BY_KEY.get(" ".join(words[:-1]))
        if role in LOCALIZED:
            return role, words[-1]
    role = _BY_KEY.get(key)
    if role is None:
        return None
    return role, WORD_LANGUAGE.get(key) if role in LOCALIZED else None


def header_score(texts: Sequence[str]) -> int:
    """How much a row looks like the header of a questions sheet: its known columns,
    and nothing at all without a question column (a banner or a data row scores 0)."""
    roles = [found[0] for text in texts if (found := read_header(text)) is not None]
    return len(set(roles)) if "question" in roles else 0


def find_columns(texts: Sequence[str]) -> list[Column]:
    """The known columns of a header row, left to right (the first of a repeated role
    and language wins; the others are reported by the caller as unknown columns)."""
    columns: list[Column] = []
    seen: set[tuple[str, str | None]] = set()
    for index, text in enumerate(texts):
        found = read_header(str(text))
        if found is None or found in seen:
            continue
        seen.add(found)
        columns.append(Column(index, found[0], found[1], str(text).strip()))
    return columns

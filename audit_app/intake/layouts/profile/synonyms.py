"""The words spreadsheets use as column headers for a visit's branch, date, auditor and
for a long layout's question, answer and comment, in English, Spanish, Catalan,
Romanian and Turkish. Written as ``header_key`` gives them: lower case, no accents, no
punctuation (``Mağaza kodu`` -> ``magaza kodu``)."""

from __future__ import annotations

# fmt: off
VISIT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "branch_code": (
        "code", "id", "store code", "branch code", "shop code", "site code", "location code",
        "store id", "branch id", "store no", "store number",
        "codigo", "codigo tienda", "cod tienda",  # es
        "codi", "codi botiga",  # ca
        "cod", "cod magazin",  # ro
        "kod", "sube kodu", "magaza kodu",  # tr
    ),
    "branch_name": (
        "store", "branch", "shop", "location", "site", "store name", "branch name", "shop name",
        "tienda", "sucursal", "local", "nombre tienda",
        "botiga", "nom botiga",
        "magazin", "denumire magazin",
        "magaza", "magaza adi", "sube", "sube adi",
    ),
    "visit_date": (
        "date", "visit date", "date of visit", "audit date",
        "fecha", "fecha visita", "fecha de visita",
        "data", "data visita", "data de la visita",
        "data vizitei", "data vizita",
        "tarih", "ziyaret tarihi", "denetim tarihi",
    ),
    "visit_time": (
        "time", "visit time", "hora", "hora visita", "ora", "ora vizitei", "saat", "ziyaret saati",
    ),
    "auditor": (
        "auditor", "shopper", "mystery shopper", "evaluator", "inspector", "auditor name",
        "shopper name",
        "evaluador", "evaluadora", "auditora",
        "avaluador", "avaluadora",
        "evaluatorul",
        "denetci", "degerlendirici", "denetci adi",
    ),
    "channel": ("channel", "canal", "kanal"),
    "kind": (
        "visit type", "audit type", "type of visit", "evaluation type", "inspection type",
        "survey type", "tipo de visita", "tipus de visita",
        "tip vizita", "ziyaret turu",
    ),
    "visit_reference": (
        "review number", "review id", "review no", "review nr", "review ref",
        "visit id", "visit number", "visit no", "visit ref", "visit reference",
        "survey id", "survey number", "survey no", "evaluation id", "audit id", "audit number",
        "ref", "ref no", "reference", "reference number", "reference no", "external id",
        "numero de visita", "numero visita", "n visita", "id visita", "referencia",  # es, ca
        "numero de revision", "id de visita", "codigo de visita",
        "numar vizita", "id vizita", "referinta", "numar evaluare",  # ro
        "ziyaret no", "ziyaret numarasi", "ziyaret id", "referans", "referans no",  # tr
    ),
}
LONG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "item_column": (
        "question", "item", "item id", "question text", "criterion",
        "pregunta", "criterio", "criteri", "intrebare", "intrebarea", "soru", "kriter",
    ),
    "value_column": (
        "answer", "value", "result", "response",
        "respuesta", "resposta", "valor", "raspuns", "valoare", "cevap", "yanit", "deger", "sonuc",
    ),
    "comment_column": (
        "comment", "comments", "remarks", "notes", "observations",
        "comentario", "comentarios", "observaciones", "comentari", "observacions",
        "comentariu", "observatii", "yorum", "aciklama",
    ),
}
# fmt: on

"""The headers branch lists use for each field of a branch, written as ``field_key``
gives them: lower case, no accents or punctuation, camel case split (``StoreCode`` ->
``store code``). ``WEAK`` words name a field only when nothing better does: a bare
``Name`` or ``ID`` is as often a person's as a store's."""

from __future__ import annotations

# fmt: off
BRANCH_SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": (
        "code", "store code", "branch code", "shop code", "site code", "location code",
        "outlet code", "facility code", "store id", "branch id", "shop id", "site id",
        "location id", "outlet id", "facility id", "store no", "store number", "store nr",
        "branch no", "branch number", "site no", "site number", "store ref", "unit code",
        "codigo", "codigo tienda", "cod tienda", "codigo sucursal", "codigo local",
        "numero tienda", "id tienda",  # es
        "codi", "codi botiga", "codi establiment", "numero botiga",  # ca
        "cod", "cod magazin", "cod locatie", "numar magazin", "id magazin",  # ro
        "kod", "sube kodu", "magaza kodu", "magaza no", "sube no", "magaza id",  # tr
    ),
    "name": (
        "store name", "branch name", "shop name", "site name", "location name", "outlet",
        "outlet name", "facility name", "store", "branch", "shop", "site", "location",
        "facility", "unit name",
        "nombre tienda", "nombre de la tienda", "tienda", "sucursal", "local",
        "nombre sucursal", "nombre local",  # es
        "nom botiga", "nom de la botiga", "botiga", "establiment", "nom establiment",  # ca
        "denumire magazin", "nume magazin", "magazin", "denumire", "locatie",  # ro
        "magaza adi", "magaza", "sube adi", "sube",  # tr
    ),
    "region": (
        "region", "zone", "territory", "region name", "regio", "regiune", "bolge",
        "bolge adi", "zona",
    ),
    "area": (
        "area", "cluster", "district", "sub region", "subregion", "area name", "sector",
        "comarca", "judet", "il", "ilce", "arie",
    ),
    "country": (
        "country", "country code", "pais", "codigo pais", "codi pais", "tara", "cod tara",
        "ulke", "ulke kodu",
    ),
    "address": (
        "address", "street", "street address", "full address", "direccion", "domicilio",
        "adreca", "adresa", "adres", "acik adres",
    ),
    "status": (
        "status", "state", "store status", "active", "estado", "estat", "situacion",
        "situacio", "stare", "status magazin", "durum", "aktif", "activo", "actiu", "activ",
    ),
    "language": ("language", "idioma", "llengua", "limba", "dil", "locale"),
    "manager": (
        "manager", "area manager", "store manager", "branch manager", "district manager",
        "regional manager", "responsable", "gerente", "encargado", "encarregat", "director",
        "manager magazin", "sef magazin", "manager zonal", "mudur", "magaza muduru",
        "bolge muduru", "sorumlu",
    ),
    "franchisee": (
        "franchisee", "franchise partner", "franchise owner", "franquiciado", "franquiciat",
        "francizat", "bayi", "franchise alan",
    ),
}
WEAK: dict[str, tuple[str, ...]] = {
    "code": ("id", "no", "nr", "number", "ref"),
    "name": ("name", "nombre", "nom", "nume", "ad", "adi", "isim"),
}
PERSON_WORDS = frozenset(
    {
        "employee", "employees", "staff", "person", "surname", "firstname", "lastname",
        "first", "last", "given", "family", "job", "position", "role", "hire", "hired",
        "salary", "payroll", "email", "mail", "phone", "mobile", "birth",
        "empleado", "empleada", "apellido", "apellidos", "puesto", "cargo",  # es
        "empleat", "cognom", "cognoms", "carrec",  # ca
        "angajat", "angajati", "prenume", "functie", "salariu",  # ro
        "calisan", "personel", "soyad", "soyadi", "gorev", "unvan", "maas",  # tr
    }
)
"""Words in a header that say the sheet lists people, not stores."""
# fmt: on

FIELDS = tuple(BRANCH_SYNONYMS)

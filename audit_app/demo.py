"""The demo chain: a natural-food grocer with branches in Catalonia, Romania and Turkey.

Deterministic (fixed seed, fixed period) so that the demo, the sample files in
``sample_data/demo/`` and the tests all see the same data. The data has the structure a
real programme shows, so that comparisons have something to find: lasting differences
between branches, a region that lags, auditors who mark more kindly than others, summer
and Christmas dips, a branch that improves after a poor start, a few critical failures,
N/A where the checklist allows it, and branches with too few visits to rank.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from audit_app.domain.answers import parse_answer
from audit_app.domain.audit import (
    Answer,
    AuditKind,
    AuditRecord,
    AuditStatus,
    Branch,
    Channel,
    Visit,
)
from audit_app.domain.checklist import (
    Checklist,
    ChoiceItem,
    Item,
    NumberItem,
    PercentageItem,
    ScaleItem,
    YesNoItem,
)

SEED = 20_261_123
FIRST_MONTH = date(2025, 12, 1)
MONTHS = 12
LAST_DAY = date(2026, 11, 20)
DEMO_SOURCE = "demo"

# region, country, language, region effect, {area: [(town, street)]}
_REGIONS: list[tuple[str, str, str, float, dict[str, list[tuple[str, str]]]]] = [
    (
        "Catalonia",
        "ES",
        "ca",
        0.35,
        {
            "Barcelona": [
                ("Barcelona Gràcia", "Carrer Gran de Gràcia 112"),
                ("Barcelona Sants", "Carrer de Sants 88"),
                ("Barcelona Poblenou", "Rambla del Poblenou 45"),
                ("Badalona", "Carrer del Mar 21"),
                ("L'Hospitalet", "Rambla Just Oliveras 30"),
                ("Sant Cugat", "Carrer de Santiago Rusiñol 9"),
            ],
            "Catalunya Nord i Sud": [
                ("Girona", "Carrer de la Força 14"),
                ("Figueres", "Rambla de Figueres 7"),
                ("Tarragona", "Rambla Nova 55"),
                ("Reus", "Carrer de Monterols 18"),
                ("Lleida", "Carrer Major 63"),
                ("Mataró", "Carrer de la Riera 40"),
            ],
        },
    ),
    (
        "Bucharest & South",
        "RO",
        "ro",
        0.0,
        {
            "București": [
                ("București Unirii", "Bulevardul Unirii 27"),
                ("București Floreasca", "Calea Floreasca 159"),
                ("București Drumul Taberei", "Bulevardul Timișoara 26"),
                ("București Titan", "Bulevardul 1 Decembrie 1918 33"),
            ],
            "Sud": [
                ("Ploiești", "Strada Republicii 12"),
                ("Constanța", "Bulevardul Tomis 141"),
                ("Craiova", "Calea Unirii 52"),
                ("Pitești", "Strada Victoriei 24"),
            ],
        },
    ),
    (
        "Transylvania",
        "RO",
        "ro",
        0.1,
        {
            "Transilvania": [
                ("Cluj-Napoca", "Strada Memorandumului 28"),
                ("Brașov", "Strada Republicii 40"),
                ("Sibiu", "Strada Nicolae Bălcescu 17"),
                ("Târgu Mureș", "Piața Trandafirilor 31"),
                ("Oradea", "Calea Republicii 9"),
                ("Alba Iulia", "Bulevardul Transilvaniei 5"),
                ("Timișoara", "Strada Alba Iulia 3"),
                ("Arad", "Bulevardul Revoluției 64"),
            ],
        },
    ),
    (
        "Istanbul",
        "TR",
        "tr",
        -0.05,
        {
            "İstanbul Anadolu": [
                ("Kadıköy", "Moda Caddesi 54"),
                ("Üsküdar", "Hakimiyeti Milliye Caddesi 21"),
                ("Ataşehir", "Atatürk Mahallesi 3"),
                ("Maltepe", "Bağdat Caddesi 402"),
            ],
            "İstanbul Avrupa": [
                ("Beşiktaş", "Çarşı Caddesi 11"),
                ("Şişli", "Halaskargazi Caddesi 180"),
                ("Bakırköy", "İstanbul Caddesi 37"),
                ("Beyoğlu", "İstiklal Caddesi 210"),
                ("Sarıyer", "Yeniköy Caddesi 8"),
                ("Beylikdüzü", "Cumhuriyet Caddesi 61"),
                ("Fatih", "Fevzipaşa Caddesi 90"),
                ("Eyüpsultan", "Eyüp Sultan Bulvarı 14"),
            ],
        },
    ),
    (
        "Aegean",
        "TR",
        "tr",
        -0.45,
        {
            "Ege": [
                ("İzmir Alsancak", "Kıbrıs Şehitleri Caddesi 77"),
                ("Karşıyaka", "Cemal Gürsel Caddesi 300"),
                ("Bornova", "Mustafa Kemal Caddesi 19"),
                ("Manisa", "Mustafa Kemal Paşa Caddesi 45"),
                ("Aydın", "Adnan Menderes Bulvarı 12"),
                ("Denizli", "Saltak Caddesi 8"),
                ("Muğla", "Cumhuriyet Caddesi 25"),
                ("Çeşme", "İnkılap Caddesi 4"),
            ],
        },
    ),
]

_COMPANY_FORM = {"ES": "SL", "RO": "SRL", "TR": "Ltd. Şti."}
_CODE_PREFIX = {
    "Catalonia": "ES-CAT",
    "Bucharest & South": "RO-BUC",
    "Transylvania": "RO-TRA",
    "Istanbul": "TR-IST",
    "Aegean": "TR-EGE",
}

_MANAGERS = {
    "ES": ["Núria Soler", "Pau Ferrer", "Laia Roca", "Marc Serra", "Anna Vila", "Oriol Puig"],
    "RO": [
        "Elena Dumitru",
        "Radu Georgescu",
        "Ana Constantin",
        "Vlad Munteanu",
        "Irina Șerban",
        "Bogdan Țurcanu",
    ],
    "TR": ["Ayşe Çelik", "Emre Şahin", "Gül Öztürk", "Burak Aydın", "Selin Doğan", "Kağan Güneş"],
}

# auditor: (regions covered, leniency on the logit scale)
_AUDITORS: dict[str, tuple[tuple[str, ...], float]] = {
    "Marta Puig": (("Catalonia",), 0.05),
    "Jordi Vidal": (("Catalonia",), -0.3),
    "Ioana Popescu": (("Bucharest & South", "Transylvania"), 0.1),
    "Andrei Ionescu": (("Bucharest & South",), -0.1),
    "Mihaela Stan": (("Transylvania",), 0.0),
    "Elif Yılmaz": (("Istanbul", "Aegean"), -0.05),
    "Mehmet Kaya": (("Istanbul",), 0.8),
    "Zeynep Demir": (("Aegean",), -0.15),
    "Laura Fernández": (
        ("Catalonia", "Bucharest & South", "Transylvania", "Istanbul", "Aegean"),
        0.0,
    ),
}

# auditor: (kind, organisation, the demo user this auditor is): the people behind the names
AUDITOR_PEOPLE: dict[str, tuple[str, str, str | None]] = {
    "Marta Puig": ("staff", "Area management", "marta"),
    "Jordi Vidal": ("agency", "Client Ocult SL", None),
    "Ioana Popescu": ("agency", "Client Misterios SRL", None),
    "Andrei Ionescu": ("agency", "Client Misterios SRL", None),
    "Mihaela Stan": ("staff", "Quality team", None),
    "Elif Yılmaz": ("agency", "Gizli Müşteri Ltd.", None),
    "Mehmet Kaya": ("agency", "Gizli Müşteri Ltd.", None),
    "Zeynep Demir": ("staff", "Quality team", None),
    "Laura Fernández": ("staff", "Quality team", None),
}


def auditor_regions(name: str) -> tuple[str, ...]:
    """The regions a demo auditor covers."""
    return _AUDITORS[name][0]


# checklist id -> (every Nth month, kind)
_SCHEDULE: dict[str, tuple[int, AuditKind]] = {
    "greeting_in_person": (2, AuditKind.MYSTERY_SHOP),
    "greeting_phone": (2, AuditKind.MYSTERY_SHOP),
    "greeting_email": (3, AuditKind.MYSTERY_SHOP),
    "greeting_social": (3, AuditKind.MYSTERY_SHOP),
    "complaints": (2, AuditKind.MYSTERY_SHOP),
    "returns": (3, AuditKind.MYSTERY_SHOP),
    "sourcing": (3, AuditKind.INSPECTION),
    "charter": (6, AuditKind.INSPECTION),
}
_SEASON = {8: -0.55, 12: -0.4, 1: -0.15, 7: -0.2}
_NOTES = [
    "Staff were restocking and did not look up at first.",
    "Queue of four customers at the desk.",
    "Very helpful; knew the product range well.",
    "Answer came from a shared mailbox without a name.",
    "Manager stepped in quickly.",
    "Signage partly hidden behind a promotion stand.",
]


@dataclass(frozen=True)
class DemoData:
    branches: tuple[Branch, ...]
    audits: tuple[AuditRecord, ...]


@dataclass(frozen=True)
class _BranchProfile:
    branch: Branch
    quality: float
    trend: float
    opened: int
    """Index of the month the branch opened (0 = open all year)."""
    closed: int | None


def generate(checklists: list[Checklist], seed: int = SEED) -> DemoData:
    """The demo branches and audits; the same inputs always give the same data."""
    rng = np.random.default_rng(seed)
    by_id = {checklist.id: checklist for checklist in checklists}
    profiles = _branches(rng)
    audits: list[AuditRecord] = []
    for b_index, profile in enumerate(profiles):
        region = profile.branch.region
        auditors = [name for name, (regions, _) in _AUDITORS.items() if region in regions]
        for month in range(MONTHS):
            if month < profile.opened or (profile.closed is not None and month >= profile.closed):
                continue
            month_start = _add_months(FIRST_MONTH, month)
            for c_index, (checklist_id, (every, kind)) in enumerate(_SCHEDULE.items()):
                checklist = by_id.get(checklist_id)
                if checklist is None or (month + b_index + c_index) % every:
                    continue
                auditor = auditors[int(rng.integers(len(auditors)))]
                visited_at = _visit_time(rng, month_start)
                mood = (
                    profile.quality
                    + profile.trend * (month - MONTHS / 2) / MONTHS
                    + _SEASON.get(month_start.month, 0.0)
                    + _AUDITORS[auditor][1]
                    + rng.normal(0, 0.35)
                )
                answers = tuple(_answer(rng, item, mood) for item in checklist.items)
                channel = _channel(checklist, rng)
                visit = Visit(
                    branch_code=profile.branch.code,
                    checklist_id=checklist.id,
                    checklist_version=checklist.version,
                    visited_at=visited_at,
                    auditor=auditor,
                    kind=kind,
                    channel=channel,
                    language=profile.branch.language,
                )
                audits.append(
                    AuditRecord(visit, answers, AuditStatus.SUBMITTED, DEMO_SOURCE, None, "demo")
                )
    audits.sort(key=lambda record: (record.visit.visited_at, record.visit.branch_code))
    return DemoData(tuple(p.branch for p in profiles), tuple(audits))


def branch_codes() -> frozenset[str]:
    """The demo branches' codes, known without generating a year of audits (the log-in page
    asks whether a database holds the demo alone)."""
    return frozenset(
        f"{_CODE_PREFIX[region]}-{number:02d}"
        for region, _country, _language, _effect, areas in _REGIONS
        for number in range(1, sum(len(towns) for towns in areas.values()) + 1)
    )


def _branches(rng: np.random.Generator) -> list[_BranchProfile]:
    profiles = []
    for region, country, language, region_effect, areas in _REGIONS:
        number = 0
        for area, towns in areas.items():
            for town, street in towns:
                number += 1
                manager_pool = _MANAGERS[country]
                quality = region_effect + rng.normal(0.9, 0.55)
                profiles.append(
                    _BranchProfile(
                        branch=Branch(
                            code=f"{_CODE_PREFIX[region]}-{number:02d}",
                            name=f"Verd Natural {town}",
                            region=region,
                            area=area,
                            country=country,
                            language=language,
                            manager=manager_pool[int(rng.integers(len(manager_pool)))],
                            franchisee=f"{town.split()[0]} Natural {_COMPANY_FORM[country]}",
                            address=f"{street}, {town}",
                            active=True,
                        ),
                        quality=quality,
                        trend=float(rng.normal(0, 0.3)),
                        opened=0,
                        closed=None,
                    )
                )
    # A branch that turned itself around, two that opened late, one that closed.
    profiles[3] = _replace(profiles[3], quality=0.1, trend=2.2)
    profiles[10] = _replace(profiles[10], opened=9)
    profiles[-2] = _replace(profiles[-2], opened=10)
    closed = profiles[20]
    profiles[20] = _replace(
        closed, closed=7, branch=closed.branch.model_copy(update={"active": False})
    )
    return profiles


def _replace(profile: _BranchProfile, **changes: object) -> _BranchProfile:
    data = {**profile.__dict__, **changes}
    return _BranchProfile(**data)


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, 1)


def _visit_time(rng: np.random.Generator, month_start: date) -> datetime:
    last = 28 if month_start.replace(day=1) != LAST_DAY.replace(day=1) else LAST_DAY.day
    day = month_start + timedelta(days=int(rng.integers(1, last)))
    return datetime(
        day.year, day.month, day.day, int(rng.integers(9, 20)), 5 * int(rng.integers(12))
    )


def _channel(checklist: Checklist, rng: np.random.Generator) -> Channel | None:
    if checklist.id == "greeting_email":
        return Channel.EMAIL if rng.random() < 0.7 else Channel.WEB_FORM
    if checklist.id == "greeting_social":
        return Channel.REVIEW_SITE if rng.random() < 0.5 else Channel.SOCIAL_MEDIA
    if checklist.channel:
        return Channel(checklist.channel)
    return Channel.IN_PERSON if rng.random() < 0.6 else Channel.PHONE


def _difficulty(item: Item) -> float:
    """A stable per-item difficulty: some standards are harder to keep than others."""
    return (zlib.crc32(item.id.encode()) % 1000) / 1000 * 1.6 - 0.5


def _answer(rng: np.random.Generator, item: Item, mood: float) -> Answer:
    if item.na_allowed and rng.random() < 0.08:
        return Answer(item.id, None, True)
    if not item.scored:
        note = _NOTES[int(rng.integers(len(_NOTES)))] if rng.random() < 0.3 else None
        return Answer(item.id, note if item.type == "text" else None)
    logit = 1.1 + mood - _difficulty(item) + (2.3 if item.critical else 0.0)
    chance = 1 / (1 + math.exp(-logit))
    good = rng.random() < chance
    comment = _NOTES[int(rng.integers(len(_NOTES)))] if not good and rng.random() < 0.15 else None
    raw: object
    if isinstance(item, YesNoItem):
        raw = good
    elif isinstance(item, ScaleItem):
        level = min(1.0, max(0.0, chance + rng.normal(0, 0.18)))
        raw = item.min + round(level * (item.max - item.min))
    elif isinstance(item, ChoiceItem):
        ranked = sorted(item.options, key=lambda option: -option.points)
        raw = ranked[0].value if good else ranked[int(rng.integers(1, len(ranked)))].value
    elif isinstance(item, NumberItem | PercentageItem):
        raw = _measured(rng, item, good)
    else:  # pragma: no cover - every scored type is handled above
        raise TypeError(item.type)
    return parse_answer(item, raw, comment=comment)


def _measured(rng: np.random.Generator, item: NumberItem | PercentageItem, good: bool) -> float:
    target = item.target
    far = (
        item.zero_at
        if item.zero_at is not None
        else (target * 2 + 5 if item.direction == "at_most" else target / 2)
    )
    if good:
        value = (
            rng.uniform(target * 0.3, target)
            if item.direction == "at_most"
            else rng.uniform(
                target,
                min(100.0, target + (target - far) * 0.3)
                if isinstance(item, PercentageItem)
                else target * 1.3,
            )
        )
    else:
        value = target + (far - target) * rng.uniform(0.05, 1.1)
    if isinstance(item, PercentageItem):
        return round(min(100.0, max(0.0, value)), 1)
    low = item.min if item.min is not None else 0.0
    high = item.max if item.max is not None else math.inf
    return float(round(min(high, max(low, value))))

"""Worlds shaped like the ones issue 17's analyst compared, generated with fixed seeds.

Every checklist here is "target-based": percentage items scored linearly from 0 to the
target 100, so an audit's overall score is the weighted mean of its item values and the
generator knows every score it writes (no scoring rule to re-derive in the tests).

- :func:`programme`: a five-wave mystery-shop programme (wave means rising 76.7 -> 85.7),
  stores visited in 1 to 5 waves, 1 to 20 audits each; wave 3 visits every store once
  except one store visited twice; two planted pairs (the same store seen only in good
  waves or only in bad ones; two stores with the very same audits).
- :func:`inspections`: chains (the region) whose means run from about 92.6 to 96.8, most
  locations at 100 on every audit (the ceiling), some audited once.
- :func:`no_difference`: every branch the same true level; codes follow the means upward.
- :func:`versions`: early audits on version 2, the latest on version 1, loaded latest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from audit_app.checklists import dump_checklist
from audit_app.domain.audit import Answer, AuditKind, AuditRecord, Branch, Channel, Visit
from audit_app.domain.checklist import Checklist

CHECKLIST_ID = "target_visit"
ITEMS = (
    ("floor", "floor.clean"),
    ("floor", "floor.stock"),
    ("till", "till.greet"),
    ("till", "till.wait"),
)
WAVES = (
    datetime(2025, 3, 3),
    datetime(2025, 6, 2),
    datetime(2025, 9, 1),
    datetime(2025, 12, 1),
    datetime(2026, 3, 2),
)
WAVE_MEANS = (76.7, 79.0, 81.5, 83.2, 85.7)
ONE_VISIT_WAVE = 2
"""Wave 3 (index 2): every store once, except :data:`TWICE_IN_WAVE_3`."""
TWICE_IN_WAVE_3 = "ST-TWICE"
GOOD_WAVES_ONLY = "ST-GOOD"
BAD_WAVES_ONLY = "ST-BAD"
TWINS = ("ST-TWIN1", "ST-TWIN2")
PROGRAMME_REGIONS = ("Java", "Sumatra", "Bali", "Sulawesi")
AREAS = {"Java": "Jakarta", "Sumatra": "Medan", "Bali": "Denpasar", "Sulawesi": "Makassar"}
"""The area (an area manager's scope) of each region's stores."""


def checklist(
    version: int = 1,
    weights: dict[str, float] | None = None,
    items: tuple[tuple[str, str], ...] = ITEMS,
) -> Checklist:
    weights = weights or {}
    sections: dict[str, list[dict[str, Any]]] = {}
    for section, item in items:
        sections.setdefault(section, []).append(
            {
                "id": item,
                "type": "percentage",
                "target": 100,
                "direction": "at_least",
                "zero_at": 0,
                "weight": weights.get(item, 1),
                "text": {"en": f"Share of {item} kept"},
            }
        )
    return Checklist.model_validate(
        {
            "id": CHECKLIST_ID,
            "version": version,
            "title": {"en": "Target-based visit"},
            "languages": ["en"],
            "pass_mark": 80,
            "sections": [
                {"id": s, "title": {"en": s.title()}, "items": listed}
                for s, listed in sections.items()
            ],
        }
    )


def write_checklists(folder: Path, *checklists: Checklist) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for c in checklists or (checklist(),):
        (folder / f"{c.id}.v{c.version}.yaml").write_text(dump_checklist(c), encoding="utf-8")
    return folder


@dataclass
class World:
    branches: list[Branch]
    records: list[AuditRecord]
    overall: dict[str, list[float]] = field(default_factory=dict)
    """Per branch code the overall score of each audit (as the checklist scores it)."""
    truth: dict[str, float] = field(default_factory=dict)


def _record(
    code: str,
    when: datetime,
    auditor: str,
    values: np.ndarray,
    version: int = 1,
    items: tuple[tuple[str, str], ...] = ITEMS,
) -> AuditRecord:
    answers = tuple(Answer(item, float(v)) for (_, item), v in zip(items, values, strict=True))
    visit = Visit(
        code, CHECKLIST_ID, version, when, auditor, AuditKind.MYSTERY_SHOP, Channel.IN_PERSON
    )
    return AuditRecord(visit, answers)


def _values(
    rng: np.random.Generator, score: float, spread: float = 3.0, n: int = len(ITEMS)
) -> np.ndarray:
    """Item values around an audit's score, clipped to the scale, one decimal."""
    return np.round(np.clip(score + rng.normal(0, spread, n), 0, 100), 1)


def _add(world: World, code: str, when: datetime, auditor: str, values: np.ndarray) -> None:
    world.records.append(_record(code, when, auditor, values))
    world.overall.setdefault(code, []).append(float(values.mean()))


def programme(stores: int = 120, seed: int = 1707) -> World:
    rng = np.random.default_rng(seed)
    auditors = [f"Shopper {i}" for i in range(8)]
    codes = [f"ST-{i:03d}" for i in rng.permutation(stores)]
    world = World([], [])
    for s, code in enumerate(codes):
        region = PROGRAMME_REGIONS[s % len(PROGRAMME_REGIONS)]
        world.branches.append(
            Branch(
                code=code, name=f"Store {code[3:]}", region=region, area=AREAS[region], country="ID"
            )
        )
        effect = float(rng.normal(0, 4))
        world.truth[code] = effect
        waves = np.sort(rng.choice(5, int(rng.integers(1, 6)), replace=False))
        total = int(rng.integers(len(waves), 21))
        repeatable = [w for w in waves if w != ONE_VISIT_WAVE]
        counts = {int(w): 1 for w in waves}
        for _ in range(total - len(waves)):
            if repeatable:
                counts[int(rng.choice(repeatable))] += 1
        for wave, count in counts.items():
            for k in range(count):
                when = WAVES[wave] + timedelta(days=int(rng.integers(0, 25)), hours=9 + k)
                score = WAVE_MEANS[wave] + effect + rng.normal(0, 6)
                _add(world, code, when, str(rng.choice(auditors)), _values(rng, score))
    _plant_programme(world, rng)
    return world


def _plant_programme(world: World, rng: np.random.Generator) -> None:
    region = PROGRAMME_REGIONS[0]
    # One store visited twice in wave 3: the only repeat of that wave.
    world.branches.append(
        Branch(
            code=TWICE_IN_WAVE_3,
            name="Store twice",
            region=region,
            area=AREAS[region],
            country="ID",
        )
    )
    for k, score in enumerate((78.0, 86.0)):
        _add(
            world,
            TWICE_IN_WAVE_3,
            WAVES[ONE_VISIT_WAVE] + timedelta(days=3, hours=9 + k),
            "Shopper 0",
            _values(rng, score),
        )
    # The same store, seen only in the two best waves or only in the two worst.
    residuals = [_values(rng, 0.0, spread=4.0) for _ in range(6)]
    for code, waves in ((GOOD_WAVES_ONLY, (3, 4)), (BAD_WAVES_ONLY, (0, 1))):
        world.branches.append(
            Branch(
                code=code,
                name=f"Store {code[3:].lower()}",
                region=region,
                area=AREAS[region],
                country="ID",
            )
        )
        world.truth[code] = 0.0
        for i, residual in enumerate(residuals):
            wave = waves[i % 2]
            when = WAVES[wave] + timedelta(days=5 + i, hours=10)
            _add(world, code, when, "Shopper 1", np.clip(WAVE_MEANS[wave] + residual, 0, 100))
    # Two stores with the very same audits.
    audits = [(w, _values(rng, WAVE_MEANS[w] + 1.0 + rng.normal(0, 5))) for w in (0, 1, 3, 4)]
    for code in TWINS:
        world.branches.append(
            Branch(
                code=code,
                name=f"Store {code[3:].lower()}",
                region=region,
                area=AREAS[region],
                country="ID",
            )
        )
        for w, values in audits:
            _add(world, code, WAVES[w] + timedelta(days=12, hours=11), "Shopper 2", values)


CHAIN_MEANS = (92.6, 93.4, 94.2, 95.0, 95.9, 96.8)


def inspections(per_chain: int = 45, seed: int = 1708) -> World:
    """Locations that are either spotless (true level far above 100: every audit 100) or
    ordinary (about 80); a chain's share of spotless locations sets its mean."""
    rng = np.random.default_rng(seed)
    world = World([], [])
    for c, chain_mean in enumerate(CHAIN_MEANS):
        chain = f"Chain {chr(65 + c)}"
        spotless = round(per_chain * (chain_mean - 80) / 20)
        for i in range(per_chain):
            code = f"IN-{c}{i:03d}"
            level = 130.0 if i < spotless else 80.0 + rng.normal(0, 2)
            world.truth[code] = min(level, 100.0)
            world.branches.append(
                Branch(code=code, name=f"{chain} {i}", region=chain, country="US")
            )
            audits = 1 if i % 7 == 3 else int(rng.integers(2, 7))
            for k in range(audits):
                when = datetime(2025, 1, 6) + timedelta(days=int(rng.integers(0, 360)), hours=k)
                _add(world, code, when, f"Inspector {c}", _values(rng, level + rng.normal(0, 4)))
    return world


def no_difference(branches: int = 40, seed: int = 1709) -> World:
    """Every branch at 75; visit noise SD 7, each branch's residuals pulled halfway to their
    mean's opposite so the branch means spread less than the noise says (b <= 0)."""
    rng = np.random.default_rng(seed)
    drafts: list[tuple[int, list[tuple[datetime, np.ndarray]]]] = []
    for b in range(branches):
        n = int(rng.integers(2, 11))
        noise = rng.normal(0, 7, n)
        noise -= 0.8 * noise.mean()
        audits = [
            (
                datetime(2025, 1, 6) + timedelta(days=int(rng.integers(0, 300)), hours=k),
                np.round(np.full(len(ITEMS), 75.0 + e), 1),
            )
            for k, e in enumerate(noise)
        ]
        drafts.append((b, audits))
    means = [np.mean([v.mean() for _, v in audits]) for _, audits in drafts]
    world = World([], [])
    # Codes follow the means upward: ordering by code would put the lowest mean first.
    for rank, index in enumerate(np.argsort(means)):
        code = f"NB-{rank:03d}"
        region = f"Region {index % 4}"
        world.branches.append(Branch(code=code, name=f"Branch {rank}", region=region, country="ES"))
        world.truth[code] = 75.0
        for when, values in drafts[index][1]:
            _add(world, code, when, f"Auditor {index % 3}", values)
    return world


V2_ITEMS = (*ITEMS[:3], ("till", "till.bag"))
V1_WEIGHTS = {"floor.clean": 1.0}
V2_WEIGHTS = {"floor.clean": 4.0}


def version_checklists() -> tuple[Checklist, Checklist]:
    """Version 1 (the latest in time) and version 2 (loaded for the early wave): v2 drops
    till.wait, adds till.bag and weighs floor.clean four times."""
    return checklist(1, V1_WEIGHTS), checklist(2, V2_WEIGHTS, V2_ITEMS)


def versions(stores: int = 30, seed: int = 1710) -> tuple[World, dict[str, list[float]]]:
    """Latest audits (2026) on v1 first, then the early wave (2025) on v2; with the expected
    overall per branch by v1's rules on the shared items."""
    rng = np.random.default_rng(seed)
    world = World([], [])
    expected: dict[str, list[float]] = {}
    shared = [item for _, item in ITEMS if item in {i for _, i in V2_ITEMS}]
    late, early = [], []
    for s in range(stores):
        code = f"VS-{s:03d}"
        world.branches.append(Branch(code=code, name=f"Store {s}", region="Java", country="ID"))
        level = 80 + rng.normal(0, 5)
        for k in range(3):
            for when, version, items, out in (
                (datetime(2026, 2, 2) + timedelta(days=k, hours=s % 8), 1, ITEMS, late),
                (datetime(2025, 2, 3) + timedelta(days=k, hours=s % 8), 2, V2_ITEMS, early),
            ):
                values = _values(rng, level + rng.normal(0, 5))
                out.append(_record(code, when, "Shopper 0", values, version, items))
                by_item = dict(zip([i for _, i in items], values, strict=True))
                weights = [V1_WEIGHTS.get(i, 1.0) for i in shared]
                expected.setdefault(code, []).append(
                    float(np.average([by_item[i] for i in shared], weights=weights))
                )
    world.records = late + early
    return world, expected

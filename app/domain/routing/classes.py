"""The agency → TipDM first-level class map, for measuring the router on the TipDM 2020 C sample.

The TipDM messages carry a gold class (劳动和社会保障，城乡建设 …), not an agency of our five cities; an
agency agrees when its role's remit falls in the message's class. The map is written down in
docs/routing.md ("TipDM class map"); roles with no class there (税务, 海关 …) never agree.
"""
from __future__ import annotations

import zlib

LAB, BUILD, EDU, HEALTH, TRANS, TRADE, ENV = ("劳动和社会保障", "城乡建设", "教育文体", "卫生计生", "交通运输",
                                              "商贸旅游", "环境保护")
ROLE_CLASSES: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    "hr": {LAB}, "medinsure": {LAB, HEALTH}, "housingfund": {LAB, BUILD}, "civil": {LAB},
    "housing": {BUILD}, "natres": {BUILD}, "citymgmt": {BUILD}, "watersupply": {BUILD}, "gas": {BUILD},
    "power": {BUILD}, "telecom": {BUILD}, "water": {BUILD, ENV}, "agri": {BUILD}, "emergency": {BUILD},
    "fire": {BUILD}, "education": {EDU}, "culture": {EDU, TRADE}, "health": {HEALTH}, "transport": {TRANS},
    "port": {TRANS}, "police": {TRANS}, "commerce": {TRADE}, "market": {TRADE}, "ecology": {ENV},
    "forestry": {ENV},
}.items()}


def agrees(lexicon, jurisdiction: str, agency: str | None, gold: str) -> bool:
    """Does the agency's role fall in the gold class?"""
    e = lexicon.entry(jurisdiction, agency) if agency else None
    return bool(e) and gold in ROLE_CLASSES.get(e.role, ())


def half_of(message_id: str) -> str:
    """A fixed split of the corpus by message id: "even" (tuning, calibration) or "odd" (held out)."""
    return "even" if zlib.crc32(message_id.encode()) % 2 == 0 else "odd"

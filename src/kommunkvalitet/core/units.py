"""The unit of a KPI, derived from its Kolada title ("andel (%)", "antal", "kr/inv", "dagar" ...)."""

from __future__ import annotations

import re

# Ordered: the first pattern that matches the title wins. Kolada puts the unit after the last comma.
_RULES: tuple[tuple[str, str], ...] = (
    (r"andel \(%\)|\(%\)|procent|%", "percent"),
    (r"kr/inv", "kr_per_inhabitant"),
    (r"kr/elev|kr/barn|kr/brukare|kr/plats|kr/deltagare|kr/hushåll|kr/", "kr_per_unit"),
    (r"\bkr\b|tkr|mnkr", "kr"),
    (r"dagar|\bdag\b", "days"),
    (r"/1000|per 1 ?000", "per_1000"),
    (r"/inv|per inv", "per_inhabitant"),
    (r"index|\bNKI\b|betygsindex", "index"),
    (r"\bantal\b", "count"),
    (r"\btimmar\b", "hours"),
    (r"\bår\b", "years"),
    (r"poäng|meritvärde", "points"),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), unit) for p, unit in _RULES)

UNIT_LABELS_SV = {
    "percent": "%",
    "kr_per_inhabitant": "kr/inv",
    "kr_per_unit": "kr",
    "kr": "kr",
    "days": "dagar",
    "per_1000": "per 1 000",
    "per_inhabitant": "per inv",
    "index": "index",
    "count": "antal",
    "hours": "timmar",
    "years": "år",
    "points": "poäng",
    "": "",
}


def unit_from_title(title: str) -> str:
    """The unit code for a KPI title; the empty string when the title says nothing about it.

    The unit is looked for in the part after the last comma first (Kolada's habit: "Väntetid ...,
    dagar"), then in the whole title.
    """
    tail = title.rsplit(",", 1)[-1]
    for text in (tail, title):
        for pattern, unit in _COMPILED:
            if pattern.search(text):
                return unit
    return ""

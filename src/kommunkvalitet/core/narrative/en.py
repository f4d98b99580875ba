"""English phrases, mirroring ``sv`` sentence by sentence.

Lists are joined with commas and "and" with a serial (Oxford) comma ("A, B, and C"): many labels contain
"and" themselves ("individual and family care"), and the serial comma keeps such lists readable.
"""

from __future__ import annotations

import re

from kommunkvalitet.core.narrative.common import Item, capitalize, given, inline_label, join_list

BANDS = {
    "best": "among the 25 per cent best municipalities",
    "second": "among the 25 per cent second-best municipalities",
    "middle": "among the middle 50 per cent of municipalities",
    "third": "among the 25 per cent second-worst municipalities",
    "worst": "among the 25 per cent worst municipalities",
}
POSITIONS = {
    "far_above": "well above the national average",
    "slightly_above": "slightly above the national average",
    "level": "in line with the national average",
    "slightly_below": "slightly below the national average",
    "far_below": "well below the national average",
}
REASONS = {"-": "non-response", "..": "confidentiality", ".": "not applicable"}
_COST_PREFIX = re.compile(r"^(?:gross |net )?costs? (?:of|for) ", re.IGNORECASE)
_COST_UNIT = re.compile(r",\s*SEK\b.*?(aged\s+\S+)?$", re.IGNORECASE)


def _and(items: list[str]) -> str:
    return join_list(items, "and", oxford=True)


def cost_label(raw_label: str) -> str:
    """ "Cost of care for older people, SEK per inhabitant aged 80+" -> "care for older people (aged 80+)"."""
    match = _COST_UNIT.search(raw_label)
    text = raw_label
    if match:
        text = raw_label[: match.start()] + (f" ({match.group(1)})" if match.group(1) else "")
    return inline_label(_COST_PREFIX.sub("", text.strip())) or inline_label(raw_label)


def title(area: str) -> str:
    return area


def empty(area: str, edition_year: int | None) -> str:
    edition = f" in KKiK {edition_year}" if edition_year else ""
    return f"There are no results to report for the area {area}{edition}."


def subject(items: list[Item]) -> str:
    """ "the result for X", "the results for X and Y", "the cost of X", "the costs of X and Y"."""
    plural = len(items) > 1
    if all(i.is_cost for i in items):
        return f"the {'costs' if plural else 'cost'} of {_and([cost_label(i.raw_label) for i in items])}"
    return f"the {'results' if plural else 'result'} for {_and([i.label for i in items])}"


def period(item: Item) -> str:
    if item.previous_year is None:
        return ""
    return f" between {item.previous_year} and {item.year}"


_VERBS = {"improved": "improved", "worsened": "deteriorated", "increased": "increased", "decreased": "decreased"}


def change(item: Item, plural: bool) -> str:
    """ "has increased markedly between 2021 and 2022", "remains at the same level as in 2021"."""
    if item.trend == "unchanged":
        since = f" as in {item.previous_year}" if item.previous_year is not None else ""
        return f"{'remain' if plural else 'remains'} at the same level{since}"
    has = "have" if plural else "has"
    if item.is_marked_change:
        if item.direction == "higher" and item.trend in ("improved", "worsened"):
            verb = "increased" if item.trend == "improved" else "decreased"
        else:
            verb = _VERBS[given(item.trend, "trend")]
        return f"{has} {verb} markedly{period(item)}"
    return f"{has} {_VERBS[given(item.trend, 'trend')]}{period(item)}"


def band_clause(band: str, status: str, plural: bool) -> str:
    if status == "same":
        word = "remain" if plural else "remains"
    else:
        word = ("are" if plural else "is") + (" now" if status == "moved" else "")
    return f"{word} {BANDS[band]}"


def result(items: list[Item], conj: str) -> str:
    """ "The result for X has increased markedly between 2021 and 2022 and is now among the 25 per cent best
    municipalities." """
    first, plural = items[0], len(items) > 1
    parts = []
    if first.trend is not None:
        parts.append(change(first, plural))
    if first.band is not None:
        clause = band_clause(first.band, first.band_status, plural)
        if first.trend == "unchanged" and first.band_status != "moved":
            clause = BANDS[first.band]  # "remains at the same level as in 2021 and among the ..."
        parts.append(clause)
    joiner = " but " if conj == "but" else " and "
    return capitalize(f"{subject(items)} {joiner.join(parts)}.")


def position(item: Item, as_pronoun: bool) -> str:
    """ "The result for X is well above the national average (77 days compared with an unweighted mean of
    53 days)." or "It is ..."."""
    who = "It" if as_pronoun else capitalize(subject([item]))
    return f"{who} is {POSITIONS[given(item.position, 'position')]} ({item.value_txt} compared with an unweighted mean of {item.mean_txt})."


def unbanded(items: list[Item]) -> str:
    labels = _and([i.label for i in items])
    if len(items) > 1:
        return f"For {labels}, too few municipalities have a value to place the results in groups."
    return f"For {labels}, too few municipalities have a value to place the result in a group."


def _cost_clause(items: list[Item], with_period: bool) -> str:
    plural = len(items) > 1
    movement, marked = items[0].movement, items[0].is_marked_change
    if movement == "same":
        verb = "are unchanged" if plural else "is unchanged"
    else:
        verb = f"{'have' if plural else 'has'} {'increased' if movement == 'up' else 'decreased'}"
        verb += " markedly" if marked else ""
    return f"{subject(items)} {verb}{period(items[0]) if with_period else ''}"


def costs(groups: list[list[Item]], same_period: bool) -> str:
    """ "The costs of X and Y have increased between 2020 and 2021, while the cost of Z has decreased." """
    clauses = [_cost_clause(g, same_period and k == 0) for k, g in enumerate(groups)]
    ups = [c for c, g in zip(clauses, groups, strict=True) if g[0].movement == "up"]
    others = clauses[len(ups) :]
    text = f"{_and(ups)}, while {_and(others)}" if ups and others else _and(clauses)
    return capitalize(text) + "."


def missing(items: list[Item]) -> str:
    """ "For X, no value is available for 2022." """
    reason = items[0].reason
    why = f" (reason given by the source: {REASONS.get(reason, reason)})" if reason else ""
    what = "no values are" if len(items) > 1 else "no value is"
    return f"For {_and([i.label for i in items])}, {what} available for {items[0].year}{why}."


def measure(item: Item) -> str:
    """One finding in one or two sentences."""
    if not item.has_value:
        return missing([item])
    first = f"{capitalize(subject([item]))} was {item.value_txt} in {item.year}"
    if item.band is not None:
        first += f" and is {BANDS[item.band]}"
    if item.rank_txt is not None:
        first += f" (rank {item.rank_txt} of {item.n_txt})"
    parts = []
    if item.trend is not None:
        parts.append(_measure_change(item))
    if item.position is not None:
        parts.append(f"is {POSITIONS[given(item.position, 'position')]} (unweighted mean: {item.mean_txt})")
    second = f" It {' and '.join(parts)}." if parts else ""
    return f"{first}.{second}"


def _measure_change(item: Item) -> str:
    since = item.previous_year
    if item.trend == "unchanged":
        return f"remains at the same level as in {since}" if since is not None else "remains at the same level"
    if item.is_cost and item.movement in ("up", "down"):
        verb = "increased" if item.movement == "up" else "decreased"
    else:
        verb = _VERBS[given(item.trend, "trend")]
    verb = f"has {verb}" + (" markedly" if item.is_marked_change else "")
    if item.previous_txt is not None and since is not None:
        return f"{verb} from {item.previous_txt} in {since}"
    return f"{verb}{f' since {since}' if since is not None else ''}"

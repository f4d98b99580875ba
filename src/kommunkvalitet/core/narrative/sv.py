"""Swedish phrases, in the style of Örnsköldsvik's "Kommunen kommenterar" (seed 000).

Every function returns finished text for one sentence; the planner in ``__init__`` decides which
sentences to write and which findings go together. Lists are joined with commas and "och".
"""

from __future__ import annotations

import re

from kommunkvalitet.core.narrative.common import Item, capitalize, given, inline_label, join_list

BANDS = {
    "best": "bland de 25 procent bästa kommunerna",
    "second": "bland de 25 procent näst bästa kommunerna",
    "middle": "bland de 50 procent mellersta kommunerna",
    "third": "bland de 25 procent näst sämsta kommunerna",
    "worst": "bland de 25 procent sämsta kommunerna",
}
POSITIONS = {
    "far_above": "långt över rikssnittet",
    "slightly_above": "något över rikssnittet",
    "level": "i nivå med rikssnittet",
    "slightly_below": "något under rikssnittet",
    "far_below": "långt under rikssnittet",
}
REASONS = {"-": "bortfall", "..": "sekretess", ".": "ej tillämpligt"}
_COST_PREFIX = re.compile(r"^(?:brutto|netto)?kostnad(?:en|er|erna)?\s+(?:för\s+)?", re.IGNORECASE)
_COST_UNIT = re.compile(r",\s*(?:kr|tkr|mnkr)\b.*$", re.IGNORECASE)


def _and(items: list[str]) -> str:
    return join_list(items, "och")


def cost_label(raw_label: str) -> str:
    """ "Kostnad äldreomsorg (80+)" -> "äldreomsorg (80+)"; "Kostnad förskola, kr/inskrivet barn" -> "förskola"."""
    text = _COST_UNIT.sub("", raw_label).strip()
    return inline_label(_COST_PREFIX.sub("", text)) or inline_label(raw_label)


def title(area: str) -> str:
    return f"Området {area}"


def empty(area: str, edition_year: int | None) -> str:
    edition = f" i KKiK {edition_year}" if edition_year else ""
    return f"För området {area} finns inga resultat att redovisa{edition}."


def subject(items: list[Item]) -> str:
    """ "resultatet för X", "resultaten för X och Y", "kostnaden för X", "kostnaderna för X och Y"."""
    plural = len(items) > 1
    if all(i.is_cost for i in items):
        head = "kostnaderna" if plural else "kostnaden"
        return f"{head} för {_and([cost_label(i.raw_label) for i in items])}"
    head = "resultaten" if plural else "resultatet"
    return f"{head} för {_and([i.label for i in items])}"


def pronoun(item: Item) -> str:
    return "Den" if item.is_cost else "Det"


def period(item: Item) -> str:
    if item.previous_year is None:
        return ""
    return f" mellan {item.previous_year} och {item.year}"


def change(item: Item) -> str:
    """The verb phrase of the trend, with its years: "har ökat markant mellan 2021 och 2022"."""
    if item.trend == "unchanged":
        since = f" som {item.previous_year}" if item.previous_year is not None else ""
        return f"ligger kvar på samma nivå{since}"
    if item.is_marked_change:
        if item.direction == "higher" and item.trend in ("improved", "worsened"):
            verb = "har ökat" if item.trend == "improved" else "har minskat"
        else:
            verb = _VERBS[given(item.trend, "trend")]
        return f"{verb} markant{period(item)}"
    return f"{_VERBS[given(item.trend, 'trend')]}{period(item)}"


_VERBS = {
    "improved": "har förbättrats",
    "worsened": "har försämrats",
    "increased": "har ökat",
    "decreased": "har minskat",
}


def band_clause(band: str, status: str) -> str:
    word = {"new": "ligger", "same": "ligger kvar", "moved": "ligger nu"}[status]
    return f"{word} {BANDS[band]}"


def result(items: list[Item], conj: str) -> str:
    """Results that share a change and a band, in one sentence: "Resultatet för X har ökat markant mellan
    2021 och 2022 och ligger nu bland de 25 procent bästa kommunerna." ``conj`` "but" when the band moved
    against the change ("har förbättrats ... men ligger nu bland ...")."""
    first = items[0]
    parts = []
    if first.trend is not None:
        parts.append(change(first))
    if first.band is not None:
        clause = band_clause(first.band, first.band_status)
        if first.trend == "unchanged" and first.band_status != "moved":
            clause = BANDS[first.band]  # "ligger kvar på samma nivå och bland de 25 procent sämsta"
        parts.append(clause)
    joiner = " men " if conj == "but" else " och "
    return capitalize(f"{subject(items)} {joiner.join(parts)}.")


def position(item: Item, as_pronoun: bool) -> str:
    """ "Resultatet för X ligger långt över rikssnittet (77 dagar mot 53 dagar)." or "Det ligger ..."."""
    who = pronoun(item) if as_pronoun else capitalize(subject([item]))
    return f"{who} ligger {POSITIONS[given(item.position, 'position')]} ({item.value_txt} mot {item.mean_txt})."


def unbanded(items: list[Item]) -> str:
    labels = _and([i.label for i in items])
    whose = "resultaten" if len(items) > 1 else "resultatet"
    return f"För {labels} har för få kommuner uppgift för att {whose} ska delas in i grupper."


def _cost_clause(items: list[Item], with_period: bool) -> str:
    movement, marked = items[0].movement, items[0].is_marked_change
    if movement == "same":
        verb = "är oförändrade" if len(items) > 1 else "är oförändrad"
    else:
        verb = ("har ökat" if movement == "up" else "har minskat") + (" markant" if marked else "")
    return f"{subject(items)} {verb}{period(items[0]) if with_period else ''}"


def costs(groups: list[list[Item]], same_period: bool) -> str:
    """The cost trend in one sentence: "Kostnaderna för X och Y har ökat mellan 2020 och 2021, medan kostnaden
    för Z har minskat." ``groups`` are ordered increases first; each group shares movement and markedness."""
    clauses = [_cost_clause(g, same_period and k == 0) for k, g in enumerate(groups)]
    ups = [c for c, g in zip(clauses, groups, strict=True) if g[0].movement == "up"]
    others = clauses[len(ups) :]
    text = f"{_and(ups)}, medan {_and(others)}" if ups and others else _and(clauses)
    return capitalize(text) + "."


def missing(items: list[Item]) -> str:
    """ "För X saknas uppgift för 2022." (with the source's reason in parentheses when it gives one)."""
    reason = items[0].reason
    why = f" (orsak enligt källan: {REASONS.get(reason, reason)})" if reason else ""
    return f"För {_and([i.label for i in items])} saknas uppgift för {items[0].year}{why}."


def measure(item: Item) -> str:
    """One finding in one or two sentences (for tables and as the start of a per-measure comment)."""
    if not item.has_value:
        return missing([item])
    first = f"{capitalize(subject([item]))} var {item.value_txt} år {item.year}"
    if item.band is not None:
        first += f" och ligger {BANDS[item.band]}"
    if item.rank_txt is not None:
        first += f" (plats {item.rank_txt} av {item.n_txt})"
    parts = []
    if item.trend is not None:
        parts.append(_measure_change(item))
    if item.position is not None:
        parts.append(f"ligger {POSITIONS[given(item.position, 'position')]} ({item.mean_txt})")
    second = f" {pronoun(item)} {' och '.join(parts)}." if parts else ""
    return f"{first}.{second}"


def _measure_change(item: Item) -> str:
    since = item.previous_year
    if item.trend == "unchanged":
        return f"ligger kvar på samma nivå som {since}" if since is not None else "ligger kvar på samma nivå"
    if item.is_cost and item.movement in ("up", "down"):
        verb = "har ökat" if item.movement == "up" else "har minskat"
    else:
        verb = _VERBS[given(item.trend, "trend")]
    if item.is_marked_change:
        verb += " markant"
    if item.previous_txt is not None and since is not None:
        return f"{verb} från {item.previous_txt} år {since}"
    return f"{verb}{f' sedan {since}' if since is not None else ''}"

"""Draft texts about a municipality's KKiK results, in Swedish and English, from MeasureFindings.

Deterministic and template-based (no language model): the same findings always give the same text. The
style follows Örnsköldsvik's "Kommunen kommenterar" (seed 000). The drafts are a starting point that an
official edits; every sentence carries the measures it speaks of and the formatted numbers it cites, so
that a page can show the numbers next to the text and a test can check them.

What an area draft says, paragraph by paragraph (empty paragraphs are left out):

1. Results with a band (and marked changes), one sentence per group of measures that share the same
   change, years and band, marked changes first, then best band to worst: "Resultatet för X har ökat
   markant mellan 2021 och 2022 och ligger nu bland de 25 procent bästa kommunerna." / "Resultaten för
   X och Y ligger bland de 50 procent mellersta kommunerna." A measure with a marked position against
   rikssnittet (by default far above or far below: ``AREA_POSITIONS``) gets a sentence right after its
   own, with its value and the mean: "Det ligger långt över rikssnittet (77 dagar mot 53 dagar)."
2. Results without a band (direction none, or too few municipalities with a value): their change, their
   position, and a note that they are not placed in a group. Never a band sentence.
3. The costs (``is_cost``), in ONE sentence: "Kostnaderna för X och Y har ökat, medan kostnaden för Z har
   minskat.", followed by position sentences for costs with a marked position.
4. Missing values: "För X saknas uppgift för 2022." (with the source's reason when it gives one).

Words: direction "lower" measures (väntetid, personalkontinuitet) say "har förbättrats"/"har försämrats",
never "har ökat" as good news; a marked change of a "higher" measure says "har ökat/minskat markant" as
the seed does. The band moves are "ligger bland" (no earlier band), "ligger kvar bland" (same band) and
"ligger nu bland" (another band; joined with "men" when it moved against the change). The mean is always
called rikssnittet (the unweighted mean of the municipalities with a value); Riket is never mentioned.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable
from types import ModuleType

from kommunkvalitet.core.findings import MeasureFinding
from kommunkvalitet.core.narrative import en, sv
from kommunkvalitet.core.narrative.common import (
    BAND_ORDER,
    Draft,
    Item,
    Sentence,
    given,
    inline_label,
    join_list,
    make_item,
)

__all__ = [
    "AREA_POSITIONS",
    "Draft",
    "Sentence",
    "draft_area",
    "draft_measure",
    "inline_label",
    "join_list",
]

#: Positions against rikssnittet that an area draft mentions ("marked" positions). draft_measure names every position.
AREA_POSITIONS: frozenset[str] = frozenset({"far_above", "far_below"})
_LANGS: dict[str, ModuleType] = {"sv": sv, "en": en}
_TREND_ORDER = {t: k for k, t in enumerate(("improved", "increased", "unchanged", "decreased", "worsened"))}


def _phrases(lang: str) -> ModuleType:
    if lang not in _LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {tuple(_LANGS)}")
    return _LANGS[lang]


def _items(findings: Iterable[MeasureFinding], lang: str) -> list[Item]:
    return [make_item(f, lang) for f in findings]


def _numbers(*texts: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in texts if t))


def _group(items: list[Item], key: Callable[[Item], Hashable]) -> list[list[Item]]:
    """Group items by ``key``, groups in the order of their first member (stable, deterministic)."""
    groups: dict[Hashable, list[Item]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.values())


def _conj(item: Item) -> str:
    sign = item.trend_sign
    if item.band_move and sign is not None and sign != item.band_move:
        return "but"
    return "and"


def _position_sentence(p: ModuleType, item: Item, as_pronoun: bool) -> Sentence:
    return Sentence(p.position(item, as_pronoun), (item.kpi,), _numbers(item.value_txt, item.mean_txt))


def _results(
    p: ModuleType, items: list[Item], positions: Collection[str]
) -> tuple[list[list[Sentence]], list[Sentence]]:
    """The sentences about results (not costs) with a value: (one paragraph per band, best first,
    marked changes first within it; the sentences without a band)."""
    order = {item.kpi: k for k, item in enumerate(items)}
    groups = _group(
        [i for i in items if i.trend is not None or i.band is not None],
        lambda i: (i.is_marked_change, i.trend, i.previous_year, i.year, i.band, i.band_status, _conj(i)),
    )
    groups.sort(
        key=lambda g: (
            g[0].band is None,
            not g[0].is_marked_change,
            BAND_ORDER.index(g[0].band) if g[0].band else 0,
            _TREND_ORDER.get(g[0].trend or "", 9),
            order[g[0].kpi],
        )
    )
    by_band: dict[str, list[Sentence]] = {}
    unbanded: list[Sentence] = []
    mentioned: set[str] = set()
    for g in groups:
        out = by_band.setdefault(g[0].band, []) if g[0].band is not None else unbanded
        out.append(Sentence(p.result(g, _conj(g[0])), tuple(i.kpi for i in g)))
        for item in g:
            if item.position in positions:
                out.append(_position_sentence(p, item, as_pronoun=len(g) == 1))
            mentioned.add(item.kpi)
    for item in items:  # no band and no change: the position on its own
        if item.kpi not in mentioned and item.position in positions:
            unbanded.append(_position_sentence(p, item, as_pronoun=False))
    too_few = [i for i in items if i.band is None and i.direction in ("higher", "lower")]
    if too_few:
        unbanded.append(Sentence(p.unbanded(too_few), tuple(i.kpi for i in too_few)))
    return [by_band[b] for b in BAND_ORDER if b in by_band], unbanded


def _costs(p: ModuleType, items: list[Item], positions: Collection[str]) -> list[Sentence]:
    with_trend = [i for i in items if i.movement is not None]
    out: list[Sentence] = []
    if with_trend:
        rank = {"up": 0, "down": 1, "same": 2}
        groups = _group(with_trend, lambda i: (i.movement, i.is_marked_change))
        groups.sort(key=lambda g: (rank[given(g[0].movement, "movement")], not g[0].is_marked_change))
        periods = {(i.previous_year, i.year) for i in with_trend}
        same_period = len(periods) == 1 and with_trend[0].previous_year is not None
        kpis = tuple(i.kpi for g in groups for i in g)
        out.append(Sentence(p.costs(groups, same_period), kpis))
    out += [_position_sentence(p, i, as_pronoun=False) for i in items if i.position in positions]
    return out


def _missing(p: ModuleType, items: list[Item]) -> list[Sentence]:
    groups = _group(items, lambda i: (i.year, i.reason))
    return [Sentence(p.missing(g), tuple(i.kpi for i in g)) for g in groups]


def draft_area(
    area_name: str,
    findings: list[MeasureFinding],
    lang: str = "sv",
    edition_year: int | None = None,
    *,
    positions: Collection[str] = AREA_POSITIONS,
) -> Draft:
    """A draft text about one KKiK area (e.g. "Stöd och omsorg") for one municipality.

    ``findings`` in the order of the measure set (that order is kept within groups). ``area_name`` in the
    language of the draft. ``positions``: which positions against rikssnittet get a sentence.
    """
    p = _phrases(lang)
    items = _items(findings, lang)
    present = [i for i in items if i.has_value]
    banded, unbanded = _results(p, [i for i in present if not i.is_cost], positions)
    paragraphs = [
        *banded,
        unbanded,
        _costs(p, [i for i in present if i.is_cost], positions),
        _missing(p, [i for i in items if not i.has_value]),
    ]
    kept = tuple(tuple(par) for par in paragraphs if par)
    if not kept:
        kept = ((Sentence(p.empty(area_name, edition_year)),),)
    return Draft(paragraphs=kept, lang=lang, title=p.title(area_name))


def draft_measure(finding: MeasureFinding, lang: str = "sv") -> Sentence:
    """One measure in one or two sentences: its value, band and rank, then its change and its position
    against rikssnittet. Used in tables and as the starting point of a per-measure comment."""
    p = _phrases(lang)
    (item,) = _items([finding], lang)
    if not item.has_value:
        return Sentence(p.missing([item]), (item.kpi,))
    numbers = _numbers(item.value_txt, item.rank_txt, item.n_txt)
    if item.trend not in (None, "unchanged") and item.previous_year is not None:
        numbers += _numbers(item.previous_txt)
    if item.position is not None:
        numbers += _numbers(item.mean_txt)
    return Sentence(p.measure(item), (item.kpi,), tuple(dict.fromkeys(numbers)))

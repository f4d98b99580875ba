"""Draft texts about a municipality's KKiK results, in Swedish and English, from MeasureFindings.

Deterministic and template-based (no language model): the same findings always give the same text. The
structure follows Örnsköldsvik's "Kommunen kommenterar" (seed 000); the rules are in docs/method.md §15.
Every sentence carries the measures it names, the formatted numbers it cites and the verb it says of
each measure (``Sentence.claims``), so that a page can show the numbers and a test can check the verbs.

What an area draft says, paragraph by paragraph (empty paragraphs are left out):

0. For an earlier edition, which list of measures it applies ("KKiK 2022:s mått på 2017 års uppgifter")
   and why costs and register data are a year older.
1. The lead: the two or three findings that matter most (a move into or out of a band, a marked change,
   far from rikssnittet), all from one comparison period.
2. One paragraph per activity (the measure set's ``group``: individ- och familjeomsorg, LSS, särskilt
   boende ...) and comparison period, the period said once. Measures whose facts agree (the same verb,
   the same band and band move) share a clause; any other measure gets its own. A measure far from
   rikssnittet gets a verdict: "Det är långt sämre än rikssnittet (77 dagar mot 53 dagar)."
3. The costs in one sentence, in current prices.
4. Values that are "ej jämförbart" (findings.IMPLAUSIBLE), one sentence each; then every gap in ONE
   sentence, counted by reason (findings.GAPS), not listed.

Verbs come from each measure's own direction and change (:func:`common.verb_code`): a lower-is-better
measure says "har förbättrats"/"har försämrats", any other says "har ökat"/"har minskat". A change that
rounds to zero at the shown precision is "ligger kvar på samma nivå". A measure tied to elections
compares election with election ("valet 2018 → 2022"). Labels are the measure set's ``label_short``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable

from kommunkvalitet.core.findings import MeasureFinding
from kommunkvalitet.core.goals_text import number_word
from kommunkvalitet.core.narrative import phrases as ph
from kommunkvalitet.core.narrative.common import (
    Draft,
    Item,
    Sentence,
    capitalize,
    inline_label,
    join_list,
    make_item,
)
from kommunkvalitet.core.vocabulary import lang_index, word

__all__ = [
    "AREA_POSITIONS",
    "Draft",
    "Sentence",
    "draft_area",
    "draft_measure",
    "inline_label",
    "join_list",
]

#: Positions against rikssnittet that an area draft gives a verdict for. draft_measure names every position.
AREA_POSITIONS: frozenset[str] = frozenset({"far_above", "far_below"})
LEAD_SIZE = 3  # findings in the lead paragraph, at most
LEAD_SCORE = 2  # the least score (common.Item.score) that makes a finding a lead
MAX_SUBJECT_WORDS = 24  # above this, a clause counts its measures instead of naming them


def _numbers(*texts: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in texts if t))


def _group(items: list[Item], key: Callable[[Item], Hashable]) -> list[list[Item]]:
    """Group items by ``key``, groups in the order of their first member (stable, deterministic)."""
    groups: dict[Hashable, list[Item]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.values())


def _verdict_sentence(item: Item, lang: str, as_pronoun: bool) -> Sentence:
    who = ph.t("it_cost" if item.is_cost else "it", lang) if as_pronoun else ph.subject([item], lang)
    if item.verdict is not None:
        text = ph.t("verdict", lang, who=who, verdict=word("verdict", item.verdict, lang),
                    value=item.value_txt, mean=item.mean_txt)  # fmt: skip
    else:
        text = ph.t("position", lang, who=who, position=word("position", item.position or "level", lang),
                    value=item.value_txt, mean=item.mean_txt)  # fmt: skip
    return Sentence(capitalize(text), (item.kpi,), _numbers(item.value_txt, item.mean_txt))


def _clause(items: list[Item], lang: str, with_period: bool, say_verb: bool = True) -> tuple[str, tuple[str, ...]]:
    """One clause about measures whose facts agree: "Väntetiden till särskilt boende har förbättrats
    mellan 2021 och 2022 och ligger kvar bland de 50 procent mellersta kommunerna"; and its numbers.
    Without ``say_verb`` only what they share is said: their band."""
    first, plural = items[0], len(items) > 1
    labels = ph.subject(items, lang)
    if len(labels.split()) > MAX_SUBJECT_WORDS and first.group:
        labels = capitalize(ph.t("count", lang, n=number_word(len(items), lang), group=first.group))
    parts, numbers = [], ()
    verb = first.verb if say_verb else None
    if verb is not None:
        when = f" {ph.period(first, lang)}" if with_period and first.period else ""
        parts.append(ph.verb(verb, first.marked, lang, plural) + when)
    if first.band is not None:
        after_unchanged = verb == "unchanged" and first.band_status != "moved"
        parts.append(ph.band(first, lang, plural, after_unchanged))
    if not parts:  # neither a change nor a band: the value itself
        year = ph.t("in_election", lang, year=first.election) if first.election else first.year
        return ph.t("value_only", lang, subject=labels, value=first.value_txt, year=year,
                    was="were" if plural else "was").replace("  ", " "), (first.value_txt,)  # fmt: skip
    if first.election and verb is None:
        labels += ph.t("in_election", lang, year=first.election)
    joiner = " " + ph.t("and", lang) + " "
    return f"{labels} {joiner.join(parts)}", numbers


def _agree(item: Item, far: Collection[str]) -> Hashable:
    """Measures share a clause only when everything the clause says of them is the same; one with a
    verdict of its own stands alone (the verdict sentence's "Det" must point at one measure), and so
    does one with neither a change nor a band (its clause cites its own value)."""
    alone = item.kpi if item.position in far or (item.verb is None and item.band is None) else ""
    return (item.verb, item.marked, item.band, item.band_status, item.election, alone)


def _clusters(items: list[Item], far: Collection[str]) -> list[tuple[list[Item], bool]]:
    """The clauses of a paragraph, as (measures, whether their verb is said). Notable measures (a band
    move, a marked change, far from rikssnittet, or no band to sum them up by) come first, each clause
    sharing all its facts. The quiet rest is summed up by band, like seed 000's "Övriga tre resultat ...
    ligger bland de 50 procent mellersta kommunerna"; their verb is said only when they share it."""
    notable = [i for i in items if i.score or i.band is None]
    quiet = [i for i in items if not (i.score or i.band is None)]
    out = [(c, True) for c in _group(notable, lambda i: _agree(i, far))]
    for c in _group(quiet, lambda i: (i.band, i.band_status, i.election)):
        out.append((c, len({i.verb for i in c}) == 1))
    return out


def _paragraph(items: list[Item], lang: str, far: Collection[str]) -> list[Sentence]:
    """Sentences about results that share one comparison period, the period said once."""
    out: list[Sentence] = []
    said_period = False
    for cluster, say_verb in _clusters(items, far):
        verb = cluster[0].verb if say_verb else None
        with_period = not said_period and verb is not None
        text, numbers = _clause(cluster, lang, with_period, say_verb)
        said_period = said_period or (with_period and cluster[0].period is not None)
        claims = ((verb, tuple(i.kpi for i in cluster)),) if verb else ()
        out.append(Sentence(capitalize(text) + ".", tuple(i.kpi for i in cluster), numbers, claims))
        if len(cluster) == 1 and cluster[0].position in far and cluster[0].mean_txt:
            out.append(_verdict_sentence(cluster[0], lang, as_pronoun=True))
    return out


def _period_key(item: Item) -> Hashable:
    return item.period or ("none", item.year)


def _results(items: list[Item], lang: str, far: Collection[str]) -> list[list[Sentence]]:
    """The lead paragraph, then one paragraph per group and comparison period."""
    ranked = sorted((i for i in items if i.score >= LEAD_SCORE), key=lambda i: -i.score)  # stable
    lead = [i for i in ranked if _period_key(i) == _period_key(ranked[0])][:LEAD_SIZE] if ranked else []
    lead_kpis = {i.kpi for i in lead}
    # within the lead, each finding gets its own clause: they are chosen for different reasons
    paragraphs = [_paragraph_once(lead, lang, far)] if lead else []
    rest = [i for i in items if i.kpi not in lead_kpis]
    for group_items in _group(rest, lambda i: i.group):
        for same_period in _group(group_items, _period_key):
            paragraphs.append(_paragraph(same_period, lang, far))
    return paragraphs


def _paragraph_once(lead: list[Item], lang: str, far: Collection[str]) -> list[Sentence]:
    out: list[Sentence] = []
    for k, item in enumerate(lead):
        sentences = _paragraph([item], lang, far)
        if k > 0 and item.verb is not None:  # said in the first sentence already
            text, numbers = _clause([item], lang, with_period=False)
            sentences[0] = Sentence(capitalize(text) + ".", (item.kpi,), numbers, sentences[0].claims)
        out += sentences
    return out


def _costs(items: list[Item], lang: str, far: Collection[str]) -> list[Sentence]:
    """The cost trend in one sentence: "Kostnaderna för X och Y har ökat mellan 2020 och 2021, medan
    kostnaden för Z har minskat, i löpande priser." Then a position sentence for a cost far from the mean."""
    with_trend = [i for i in items if i.movement is not None]
    out: list[Sentence] = []
    if with_trend:
        rank = {"up": 0, "down": 1, "same": 2}
        groups = _group(with_trend, lambda i: (i.movement, i.marked))
        groups.sort(key=lambda g: (rank[g[0].movement or "same"], not g[0].marked))
        same_period = len({i.period for i in with_trend}) == 1
        clauses = []
        for k, g in enumerate(groups):
            plural = len(g) > 1
            code = {"up": "increased", "down": "decreased"}.get(g[0].movement or "", "unchanged")
            verb = ph.verb(code, g[0].marked, lang, plural)
            when = f" {ph.period(g[0], lang)}" if k == 0 and same_period or not same_period else ""
            clauses.append(f"{ph.subject(g, lang)} {verb}{when}")
        ups = [c for c, g in zip(clauses, groups, strict=True) if g[0].movement == "up"]
        others = clauses[len(ups) :]
        joined = (
            f"{join_list(ups, ph.t('and', lang))}{ph.t('while', lang)}{join_list(others, ph.t('and', lang))}"
            if ups and others
            else join_list(clauses, ph.t("and", lang))
        )
        claims = tuple(
            ("increased" if g[0].movement == "up" else "decreased" if g[0].movement == "down" else "unchanged",
             tuple(i.kpi for i in g))
            for g in groups
        )  # fmt: skip
        text = capitalize(joined) + ph.t("current_prices", lang) + "."
        out.append(Sentence(text, tuple(i.kpi for g in groups for i in g), (), claims))
    out += [_verdict_sentence(i, lang, as_pronoun=False) for i in items if i.position in far and i.mean_txt]
    return out


def _not_comparable(items: list[Item], lang: str) -> list[Sentence]:
    return [
        Sentence(
            ph.t(
                "implausible",
                lang,
                subject=ph.subject([i], lang),  # "Värdet för öppettiden …": the value is what is not comparable
                value=i.value_txt,
                why=ph.t(f"why_{i.implausible}", lang),
            ),
            (i.kpi,),
            (i.value_txt,),
        )  # fmt: skip
        for i in items
    ]


def _edition_note(items: list[Item], lang: str, edition: int | None, set_edition: int | None) -> list[Sentence]:
    if edition is None or set_edition is None or edition >= set_edition:
        return []
    out = [Sentence(ph.t("edition", lang, set=set_edition, year=edition))]
    if any(i.year < edition for i in items):
        out.append(Sentence(ph.t("older", lang, year=edition - 1)))
    return out


def draft_area(
    area_name: str,
    findings: list[MeasureFinding],
    lang: str = "sv",
    edition_year: int | None = None,
    *,
    positions: Collection[str] = AREA_POSITIONS,
    set_edition: int | None = None,
) -> Draft:
    """A draft text about one KKiK area (e.g. "Stöd och omsorg") for one municipality.

    ``findings`` in the order of the measure set (that order is kept within groups). ``area_name`` in the
    language of the draft. ``positions``: which positions against rikssnittet get a verdict.
    ``set_edition``: the edition of the measure set applied, when it is not ``edition_year`` itself."""
    lang_index(lang)
    items = [make_item(f, lang) for f in _unique_kpis(findings)]
    comparable = [i for i in items if i.has_value and i.implausible is None]
    paragraphs = [
        _edition_note(items, lang, edition_year, set_edition),
        *_results([i for i in comparable if not i.is_cost], lang, positions),
        _costs([i for i in comparable if i.is_cost], lang, positions),
        _not_comparable([i for i in items if i.implausible is not None], lang)
        + ([Sentence(ph.gap_sentence(gaps, lang), tuple(i.kpi for i in gaps))] if (gaps := [i for i in items if not i.has_value]) else []),
    ]  # fmt: skip
    kept = tuple(tuple(par) for par in paragraphs if par)
    if not kept:
        edition = ph.t("in_edition", lang, year=edition_year) if edition_year else ""
        kept = ((Sentence(ph.t("empty", lang, area=area_name, edition=edition)),),)
    return Draft(paragraphs=kept, lang=lang, title=ph.t("title", lang, area=area_name))


def _unique_kpis(findings: Iterable[MeasureFinding]) -> list[MeasureFinding]:
    """One finding per measure (the first): a measure named twice would be said twice."""
    seen: dict[str, MeasureFinding] = {}
    for f in findings:
        seen.setdefault(f.kpi, f)
    return list(seen.values())


def draft_measure(finding: MeasureFinding, lang: str = "sv") -> Sentence:
    """One measure in one or two sentences: its value, band and rank, then its change and its verdict
    against rikssnittet. Used in tables and as the starting point of a per-measure comment."""
    lang_index(lang)
    item = make_item(finding, lang)
    if not item.has_value:
        return Sentence(ph.gap_sentence([item], lang), (item.kpi,))
    if item.implausible is not None:
        (s,) = _not_comparable([item], lang)
        return s
    who = ph.subject([item], lang)
    first = ph.t("measure_value", lang, subject=capitalize(who), value=item.value_txt, year=item.year)
    numbers = _numbers(item.value_txt)
    if item.band is not None:
        first += ph.t("measure_band", lang, band=word("band", item.band, lang))
    if item.rank_txt is not None:
        first += ph.t("measure_rank", lang, rank=item.rank_txt, n=item.n_txt)
        numbers += _numbers(item.rank_txt, item.n_txt)
    parts: list[str] = []
    claims: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if item.verb is not None:
        verb = ph.verb(item.verb, item.marked, lang)
        if item.verb != "unchanged" and item.previous_txt is not None and item.period is not None:
            since = ph.period(item, lang) if item.period[0] == "election" else item.period[1]
            parts.append(ph.t("measure_from", lang, verb=verb, previous=item.previous_txt, year=since))
            numbers += _numbers(item.previous_txt)
        else:
            parts.append(verb)
        claims = ((item.verb, (item.kpi,)),)
    if item.position is not None and item.mean_txt is not None:
        name = word("verdict", item.verdict, lang) if item.verdict else word("position", item.position, lang)
        parts.append(ph.t("measure_mean", lang, verdict=name, mean=item.mean_txt))
        numbers += _numbers(item.mean_txt)
    pronoun = ph.t("it_cost" if item.is_cost else "it", lang)
    joiner = " " + ph.t("and", lang) + " "
    second = f" {pronoun} {joiner.join(parts)}." if parts else ""
    return Sentence(f"{first}.{second}", (item.kpi,), numbers, claims)

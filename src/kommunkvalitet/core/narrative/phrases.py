"""The sentence patterns of the drafts, Swedish and English side by side in one table, and the few
functions that fill them. The words of codes (bands, positions, verdicts, verbs, gaps) come from
:mod:`core.vocabulary`; this module only adds the grammar around them. The planner in ``__init__``
decides which sentences to write and which measures go together.
"""

from __future__ import annotations

import re

from kommunkvalitet.core.goals_text import number_word
from kommunkvalitet.core.narrative.common import Item, capitalize, inline_label, join_list
from kommunkvalitet.core.vocabulary import word

#: pattern name -> (Swedish, English). English "{is}"/"{has}" take the number of the subject.
PATTERNS: dict[str, tuple[str, str]] = {
    "and": ("och", "and"),
    "title": ("Området {area}", "{area}"),
    "empty": ("För området {area} finns inga resultat att redovisa{edition}.",
              "There are no results to report for the area {area}{edition}."),
    "in_edition": (" i KKiK {year}", " in KKiK {year}"),
    "years": ("mellan {a} och {b}", "between {a} and {b}"),
    "election": ("(valet {a} → {b})", "(election {a} → {b})"),
    "unchanged_since": ("som {a}", "as in {a}"),
    "marked": (" markant", " markedly"),
    "band_new": ("ligger {band} kommunerna", "{is} {band} of municipalities"),
    "band_same": ("ligger kvar {band} kommunerna", "{remains} {band} of municipalities"),
    "band_moved": ("ligger nu {band} kommunerna", "{is} now {band} of municipalities"),
    "band_after_unchanged": ("{band} kommunerna", "{band} of municipalities"),
    "value_only": ("{subject} var {value} {year}", "{subject} {was} {value} in {year}"),
    "in_election": (" (valet {year})", " (the {year} election)"),
    "verdict": ("{who} är {verdict} ({value} mot {mean}).", "{who} is {verdict} ({value} against {mean})."),
    "position": ("{who} ligger {position} ({value} mot {mean}).", "{who} is {position} ({value} against {mean})."),
    "it": ("Det", "It"),
    "it_cost": ("Den", "It"),
    "count": ("{n} resultat inom {group}", "{n} results in {group}"),
    "cost_one": ("kostnaden för {x}", "the cost of {x}"),
    "cost_many": ("kostnaderna för {x}", "the costs of {x}"),
    "while": (", medan ", ", while "),
    "current_prices": (", i löpande priser", ", in current prices"),
    "implausible": ("Värdet för {subject} ({value}) är ej jämförbart eftersom det {why} och ingår inte i rikssnittet.",
                    "The value of {subject} ({value}) is not comparable because it {why} and is left out of the "
                    "national average."),
    "why_impossible": ("ligger utanför vad enheten tillåter", "lies outside what its unit allows"),
    "why_outlier": ("avviker extremt från övriga kommuners", "is an extreme outlier"),
    "gap_one": ("För {label} saknas uppgift för {year}: {reason}.", "For {label}, there is no value for {year}: {reason}."),
    "gap_many": ("För {n} av måtten saknas uppgift för {years}: {reasons}.",
                 "{n} of the measures have no value for {years}: {reasons}."),
    "gap_count": ("{n} {reason}", "{n} {reason}"),
    "edition": ("Texten gäller KKiK {set}:s mått på {year} års uppgifter.",
                "The text applies the measures of KKiK {set} to the data of {year}."),
    "older": ("Kostnader och registeruppgifter avser {year}, eftersom de publiceras för sent för att hinna med "
              "årets utgåva.",
              "Costs and register data are for {year}, as they are published too late for the year's edition."),
    "measure_value": ("{subject} var {value} {year}", "{subject} was {value} in {year}"),
    "measure_band": (" och ligger {band} kommunerna", " and is {band} of municipalities"),
    "measure_rank": (" (plats {rank} av {n})", " (rank {rank} of {n})"),
    "measure_from": ("{verb} från {previous} {year}", "{verb} from {previous} in {year}"),
    "measure_mean": ("är {verdict} ({mean})", "is {verdict} ({mean})"),
}  # fmt: skip

#: A gap reason as it reads after a count ("två samlades inte in i landet det året") or for one measure.
GAP_REASONS: dict[str, tuple[str, str]] = {
    "not_collected": ("samlades inte in i landet det året", "were not collected nationally that year"),
    "not_yet_measured": ("fanns inte ännu", "did not exist yet"),
    "not_reported": ("har kommunen inte redovisat", "were not reported by the municipality"),
    "withheld": ("har källan inte publicerat", "were withheld by the source"),
    "unknown": ("saknas utan angiven orsak", "are missing without a stated reason"),
}
GAP_ONE: dict[str, tuple[str, str]] = {
    "not_collected": ("uppgiften samlades inte in i landet det året", "it was not collected nationally that year"),
    "not_yet_measured": ("måttet fanns inte ännu", "the measure did not exist yet"),
    "not_reported": ("kommunen har inte redovisat någon uppgift", "the municipality did not report it"),
    "withheld": ("källan har inte publicerat uppgiften", "the source withheld it"),
    "unknown": ("orsaken är inte känd", "the reason is not known"),
}
GAP_ALL: dict[str, tuple[str, str]] = {
    "not_collected": ("uppgifterna samlades inte in i landet det året", "they were not collected nationally that year"),
    "not_yet_measured": ("måtten fanns inte ännu", "the measures did not exist yet"),
    "not_reported": ("kommunen har inte redovisat dem", "the municipality did not report them"),
    "withheld": ("källan har inte publicerat dem", "the source withheld them"),
    "unknown": ("orsaken är inte känd", "the reason is not known"),
}
_COST_PREFIX_EN = re.compile(r"^(?:gross |net )?costs? (?:of|for) ", re.IGNORECASE)
_COST_UNIT_EN = re.compile(r",\s*SEK\b.*?(aged\s+\S+)?$", re.IGNORECASE)


def t(name: str, lang: str, **kw: object) -> str:
    return PATTERNS[name][0 if lang == "sv" else 1].format(**kw)


def _english_number(text: str, plural: bool) -> str:
    if not plural:
        return text
    return text.replace("has ", "have ").replace("remains ", "remain ")


def verb(code: str, marked: bool, lang: str, plural: bool = False) -> str:
    """ "har ökat markant", "has improved" / "have improved", "ligger kvar på samma nivå"."""
    text = word("verb", code, lang) + (t("marked", lang) if marked else "")
    return _english_number(text, plural) if lang == "en" else text


def period(item: Item, lang: str) -> str:
    if item.period is None:
        return ""
    kind, a, b = item.period
    if item.verb == "unchanged" and kind == "years":
        return t("unchanged_since", lang, a=a)
    return t(kind, lang, a=a, b=b)


def band(item: Item, lang: str, plural: bool, after_unchanged: bool = False) -> str:
    name = word("band", item.band or "none", lang)
    key = "band_after_unchanged" if after_unchanged else f"band_{item.band_status}"
    return t(
        key, lang, band=name, **({"is": "are", "remains": "remain"} if plural else {"is": "is", "remains": "remains"})
    )


def cost_label(item: Item, lang: str) -> str:
    """ "äldreomsorg (80+)" (the short label of a cost is its activity); English from the label."""
    if lang == "sv" or not _COST_PREFIX_EN.match(item.label):  # a short label is the activity already
        return inline_label(item.label)
    match = _COST_UNIT_EN.search(item.label)
    text = item.label
    if match:
        text = item.label[: match.start()] + (f" ({match.group(1)})" if match.group(1) else "")
    return inline_label(_COST_PREFIX_EN.sub("", text.strip())) or inline_label(item.label)


def subject(items: list[Item], lang: str) -> str:
    """The labels of the items as the subject of a sentence: "Väntetiden till särskilt boende och
    andelen ..."; costs "kostnaderna för X och Y"."""
    if all(i.is_cost for i in items):
        names = join_list([cost_label(i, lang) for i in items], t("and", lang))
        return t("cost_many" if len(items) > 1 else "cost_one", lang, x=names)
    first, *rest = [i.label for i in items]
    return join_list([first] + [inline_label(x) for x in rest], t("and", lang))


def gap_sentence(items: list[Item], lang: str) -> str:
    """Every gap of a draft in one sentence: the count per reason, not the list of measures."""
    k = 0 if lang == "sv" else 1
    years = join_list([str(y) for y in sorted({i.year for i in items})], t("and", lang))
    if len(items) == 1:
        return t("gap_one", lang, label=inline_label(items[0].label), year=years, reason=GAP_ONE[items[0].gap][k])
    counts: dict[str, int] = {}
    for i in items:
        counts[i.gap] = counts.get(i.gap, 0) + 1
    reasons = [t("gap_count", lang, n=number_word(n, lang), reason=GAP_REASONS[g][k]) for g, n in counts.items()]
    if len(counts) == 1:
        reasons = [GAP_ALL[next(iter(counts))][k]]
    text = t("gap_many", lang, n=number_word(len(items), lang), years=years, reasons=join_list(reasons, t("and", lang)))
    return capitalize(text)

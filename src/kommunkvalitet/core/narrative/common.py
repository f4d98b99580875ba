"""Language-independent pieces of the narrative: the output types, the reading of a finding into the
facts a sentence needs (:class:`Item`), and small text helpers."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kommunkvalitet.core import pages
from kommunkvalitet.core.findings import IMPLAUSIBLE, TRENDS, MeasureFinding
from kommunkvalitet.core.formatting import format_number, format_value

# Bands from best to worst, both the three-group and the four-group (quartile) variant.
BAND_ORDER = ("best", "second", "middle", "third", "worst")
MOVEMENT_TRENDS = ("improved", "worsened", "increased", "decreased")

# Words that keep their capital inside a sentence (a label starting with an abbreviation such as "LSS"
# or "IFO" keeps it anyway: see inline_label).
PROPER_NOUNS = frozenset(
    {
        "Sverige",
        "Sveriges",
        "Sweden",
        "Swedish",
        "Kolada",
        "Insikt",
        "Riket",
        "Socialstyrelsen",
        "Socialstyrelsens",
        "Skolverket",
        "Skolverkets",
        "Försäkringskassan",
        "Försäkringskassans",
        "Arbetsförmedlingen",
        "Arbetsförmedlingens",
    }
)
_FIRST_WORD = re.compile(r"[^\s\-/:,;()–]+")


@dataclass(frozen=True)
class Sentence:
    """One sentence (or two short ones) of a draft, with what it speaks of.

    ``kpis``: the measures it is about, in the order named. ``numbers``: every formatted number it cites
    (values, means, ranks, counts, exactly as they stand in ``text``; years are not counted as numbers).
    """

    text: str
    kpis: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    claims: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (verb code of core.vocabulary, the kpis it is said of)


@dataclass(frozen=True)
class Draft:
    """A drafted text: paragraphs of sentences. ``title`` is a heading, not part of ``text``."""

    paragraphs: tuple[tuple[Sentence, ...], ...]
    lang: str = "sv"
    title: str = ""

    @property
    def text(self) -> str:
        return "\n\n".join(" ".join(s.text for s in paragraph) for paragraph in self.paragraphs)

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for paragraph in self.paragraphs for s in paragraph)

    @property
    def kpis(self) -> tuple[str, ...]:
        return _unique(k for s in self.sentences for k in s.kpis)

    @property
    def numbers(self) -> tuple[str, ...]:
        return _unique(n for s in self.sentences for n in s.numbers)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def given(text: str | None, what: str) -> str:
    """``text`` where the caller has made sure it is there (a sentence is only built for items that
    have it); a missing one is a bug, not something to write around."""
    if text is None:
        raise ValueError(f"a sentence about a {what} needs one")
    return text


def inline_label(label: str) -> str:
    """A label as it stands inside a sentence: the first letter lower-cased unless the first word is an
    abbreviation ("LSS", "IFO-kostnad", "NKI") or a proper noun ("Sverige"). "Brukarbedömning hemtjänst" ->
    "brukarbedömning hemtjänst", "Åk 3 ..." -> "åk 3 ..."."""
    if not label or not label[0].isupper():
        return label
    match = _FIRST_WORD.match(label)
    word = match.group(0) if match else label[:1]
    if len(word) > 1 and word[1].isupper():
        return label
    if word in PROPER_NOUNS:
        return label
    return label[0].lower() + label[1:]


def capitalize(text: str) -> str:
    """Upper-case the first letter only (str.capitalize would lower-case "LSS")."""
    return text[:1].upper() + text[1:]


def join_list(items: list[str], conj: str, oxford: bool = False) -> str:
    """ "A", "A och B", "A, B och C". Items that contain a comma themselves are separated by semicolons
    ("A, x; B och C"), so that the list stays readable. ``oxford`` puts the separator before ``conj`` too."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    sep = "; " if any("," in item for item in items[:-1]) else ", "
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    last = f"{sep.rstrip()} {conj} " if oxford else f" {conj} "
    return sep.join(items[:-1]) + last + items[-1]


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def election_year(year: int) -> int:
    """The latest Swedish general election in or before ``year`` (every fourth year: 2014, 2018, 2022)."""
    return year - (year - 2022) % 4


@dataclass(frozen=True)
class Item:
    """The facts about one finding that sentences are made of, numbers already formatted for ``lang``."""

    kpi: str
    label: str  # as at the start of a sentence ("Väntetiden till särskilt boende")
    is_cost: bool
    direction: str
    group: str
    year: int
    has_value: bool
    value_txt: str
    period: tuple[str, int, int] | None  # ("years", 2021, 2022) or ("election", 2018, 2022)
    previous_txt: str | None
    verb: str | None  # verb code of core.vocabulary: improved, worsened, increased, decreased, unchanged
    marked: bool  # a marked change ("markant")
    band: str | None
    band_status: str  # "new" (no earlier band), "same" (ligger kvar) or "moved" (ligger nu)
    band_move: int  # +1 into a better band, -1 into a worse one, 0 otherwise
    position: str | None  # findings.POSITIONS, by the size rule of core.pages
    verdict: str | None  # the position read with the direction (vocabulary kind "verdict")
    mean_txt: str | None
    rank_txt: str | None
    n_txt: str | None
    gap: str  # findings.GAPS or "unknown" (only read when has_value is False)
    implausible: str | None
    election: int | None  # the election a value belongs to, for a measure tied to elections

    @property
    def movement(self) -> str | None:
        """Which way the value went, whatever is better: "up", "down", "same" or None."""
        if self.verb is None:
            return None
        if self.verb in ("increased", "decreased", "unchanged"):
            return {"increased": "up", "decreased": "down", "unchanged": "same"}[self.verb]
        return "down" if (self.verb == "improved") == (self.direction == "lower") else "up"

    @property
    def score(self) -> int:
        """How much a finding matters for the lead: a move into or out of a band 3, a marked change 2,
        far from rikssnittet 1."""
        far = self.position in ("far_above", "far_below") and not self.is_cost
        return 3 * (self.band_move != 0) + 2 * self.marked + far


def verb_code(trend: str | None, direction: str, movement_up: bool | None) -> str | None:
    """The verb of one measure's change, from its own direction and change: a lower-is-better measure
    says improved/worsened ("väntetiden har förbättrats"), any other says which way the value went
    ("andelen har ökat"), so the verb is never good news for a value that got worse."""
    if trend is None:
        return None
    if trend == "unchanged":
        return "unchanged"
    if direction == "lower":
        return trend if trend in ("improved", "worsened") else ("worsened" if movement_up else "improved")
    if movement_up is None:
        return None
    return "increased" if movement_up else "decreased"


def _moved_up(f: MeasureFinding) -> bool | None:
    if f.change is not None and f.change != 0:
        return f.change > 0
    if f.trend in ("increased", "decreased"):
        return f.trend == "increased"
    if f.trend in ("improved", "worsened") and f.direction in ("higher", "lower"):
        return (f.trend == "improved") == (f.direction == "higher")
    return None


def make_item(f: MeasureFinding, lang: str) -> Item:
    label = (f.label_short or f.label) if lang == "sv" else (f.label_short_en or f.label_en or f.label)
    value = _finite(f.value)
    previous = _finite(f.previous_value)
    implausible = f.implausible if value is not None and f.implausible in IMPLAUSIBLE else None
    comparable = value is not None and implausible is None
    mean = _finite(f.national_mean) if comparable else None
    band = f.band if comparable and f.band in BAND_ORDER else None
    previous_band = f.previous_band if f.previous_band in BAND_ORDER else None
    status = "new" if previous_band is None or band is None else ("same" if previous_band == band else "moved")
    move = 0
    if band is not None and previous_band is not None and status == "moved":
        move = 1 if BAND_ORDER.index(band) < BAND_ORDER.index(previous_band) else -1
    trend = f.trend if value is not None and f.trend in TRENDS else None
    period: tuple[str, int, int] | None = ("years", f.previous_year, f.year) if f.previous_year else None
    election = election_year(f.year) if f.event == "election" else None
    if election is not None:  # the value is that of the latest election: compare election with election
        period = ("election", election - 4, election) if election == f.year else None
        trend = trend if period else None
    verb = verb_code(trend, f.direction, _moved_up(f)) if period else None
    position = pages.position_against_mean(value, mean, f.unit) if mean is not None else None
    has_rank = comparable and f.rank is not None and f.rank > 0 and f.n > 0
    return Item(
        kpi=f.kpi,
        label=label,
        is_cost=f.is_cost,
        direction=f.direction,
        group=(f.group if lang == "sv" else f.group_en) or "",
        year=f.year,
        has_value=value is not None,
        value_txt=format_value(value, f.unit, f.decimals, lang),
        period=period if verb else None,
        previous_txt=format_value(previous, f.unit, f.decimals, lang) if previous is not None else None,
        verb=verb,
        marked=f.marked and verb not in (None, "unchanged"),
        band=band,
        band_status=status,
        band_move=move,
        position=position,
        verdict=pages.verdict(position, f.direction),
        mean_txt=format_value(mean, f.unit, f.decimals, lang) if mean is not None else None,
        rank_txt=format_number(f.rank, 0, lang) if has_rank else None,
        n_txt=format_number(f.n, 0, lang) if has_rank else None,
        gap=f.gap or ("withheld" if (f.missing_reason or "").strip() else "unknown"),  # a source status: withheld
        implausible=implausible,
        election=election,
    )

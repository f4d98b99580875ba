"""Language-independent pieces of the narrative: the output types, the reading of a finding into the
facts a sentence needs (:class:`Item`), and small text helpers shared by ``sv`` and ``en``."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kommunkvalitet.core.findings import POSITIONS, TRENDS, MeasureFinding
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


@dataclass(frozen=True)
class Item:
    """The facts about one finding that sentences are made of, numbers already formatted for ``lang``."""

    kpi: str
    label: str  # as inside a sentence (inline_label of the language's label)
    raw_label: str  # as in the measure set
    is_cost: bool
    direction: str
    year: int
    has_value: bool
    value_txt: str
    previous_year: int | None
    previous_txt: str | None
    trend: str | None
    marked: bool
    band: str | None
    previous_band: str | None
    position: str | None
    mean_txt: str | None
    rank_txt: str | None
    n_txt: str | None
    reason: str | None

    @property
    def band_status(self) -> str:
        """ "new" (no earlier band), "same" (ligger kvar) or "moved" (ligger nu)."""
        if self.previous_band is None or self.band is None:
            return "new"
        return "same" if self.previous_band == self.band else "moved"

    @property
    def band_move(self) -> int:
        """+1 into a better band, -1 into a worse one, 0 otherwise."""
        if self.band_status != "moved":
            return 0
        return 1 if BAND_ORDER.index(self.band) < BAND_ORDER.index(self.previous_band) else -1

    @property
    def trend_sign(self) -> int | None:
        return {"improved": 1, "worsened": -1, "unchanged": 0}.get(self.trend or "")

    @property
    def movement(self) -> str | None:
        """Which way the value went, whatever is better: "up", "down", "same" or None."""
        if self.trend in ("increased", "decreased", "unchanged"):
            return {"increased": "up", "decreased": "down", "unchanged": "same"}[self.trend]
        if self.trend in ("improved", "worsened"):
            better_is_up = {"higher": True, "lower": False}.get(self.direction)
            if better_is_up is None:
                return None
            return "up" if (self.trend == "improved") == better_is_up else "down"
        return None

    @property
    def is_marked_change(self) -> bool:
        return self.marked and self.trend in MOVEMENT_TRENDS


def make_item(f: MeasureFinding, lang: str) -> Item:
    label = (f.label if lang == "sv" else f.label_en) or f.label or f.label_en or f.kpi
    value = _finite(f.value)
    previous = _finite(f.previous_value)
    mean = _finite(f.national_mean)
    band = f.band if f.band in BAND_ORDER else None
    previous_band = f.previous_band if f.previous_band in BAND_ORDER else None
    has_rank = value is not None and f.rank is not None and f.rank > 0 and f.n > 0
    reason = (f.missing_reason or "").strip() or None
    return Item(
        kpi=f.kpi,
        label=inline_label(label),
        raw_label=label,
        is_cost=f.is_cost,
        direction=f.direction,
        year=f.year,
        has_value=value is not None,
        value_txt=format_value(value, f.unit, f.decimals, lang),
        previous_year=f.previous_year,
        previous_txt=format_value(previous, f.unit, f.decimals, lang) if previous is not None else None,
        trend=f.trend if value is not None and f.trend in TRENDS else None,
        marked=f.marked,
        band=band if value is not None else None,
        previous_band=previous_band,
        position=f.position if value is not None and mean is not None and f.position in POSITIONS else None,
        mean_txt=format_value(mean, f.unit, f.decimals, lang) if mean is not None else None,
        rank_txt=format_number(f.rank, 0, lang) if has_rank else None,
        n_txt=format_number(f.n, 0, lang) if has_rank else None,
        reason=reason,
    )

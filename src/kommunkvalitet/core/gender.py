"""Women and men beside the total: one measure's K and M figures, whether their gap is large, and the
drafted sentence about it (sv, en). Pure functions.

A gap is **large** (project decision, docs/method.md §7) when ``|K − M|`` reaches the threshold of a
*marked* change for the same unit (``ComparisonSettings``): 5 percentage points for shares, otherwise
20 % of the mean of the two values. The same yardstick as for a marked change over time keeps the two
words "markant" and "stor" about equally rare.
"""

from __future__ import annotations

from dataclasses import dataclass

from kommunkvalitet.core.comparison import DEFAULT_SETTINGS, ComparisonSettings
from kommunkvalitet.core.formatting import format_value
from kommunkvalitet.core.narrative.common import Draft, Sentence, inline_label


@dataclass(frozen=True)
class GenderFigure:
    """One gender's figures for a measure: the municipality's value, the rikssnitt and the band."""

    gender: str  # K | M
    value: float | None
    national_mean: float | None
    n: int
    band: str | None
    rank: int | None


@dataclass(frozen=True)
class GenderFinding:
    kpi: str
    label: str
    label_en: str
    unit: str
    decimals: int
    year: int
    women: GenderFigure
    men: GenderFigure

    @property
    def gap(self) -> float | None:
        """Women minus men, as ``core.comparison.gender_gap``; None when either value is missing."""
        if self.women.value is None or self.men.value is None:
            return None
        return self.women.value - self.men.value


def is_large_gap(finding: GenderFinding, settings: ComparisonSettings = DEFAULT_SETTINGS) -> bool:
    gap = finding.gap
    if gap is None:
        return False
    if finding.unit == "percent":
        return abs(gap) >= settings.marked_change_pp
    scale = (abs(finding.women.value) + abs(finding.men.value)) / 2  # type: ignore[arg-type]
    if scale == 0:
        return False
    return 100 * abs(gap) / scale >= settings.marked_change_percent


def gap_sentence(finding: GenderFinding, lang: str = "sv") -> Sentence:
    """ "Skillnaden mellan kvinnor och män är stor för X: 78 % för kvinnor och 88 % för män (2022)." """
    w = format_value(finding.women.value, finding.unit, finding.decimals, lang)
    m = format_value(finding.men.value, finding.unit, finding.decimals, lang)
    numbers = [w, m]  # both stand in the page's table beside the total; the difference is left to the reader
    if lang == "sv":
        text = (f"Skillnaden mellan kvinnor och män är stor för {inline_label(finding.label)}: {w} för kvinnor "
                f"och {m} för män ({finding.year}).")  # fmt: skip
    else:
        text = (f"The gap between women and men is large for {inline_label(finding.label_en)}: {w} for women "
                f"and {m} for men ({finding.year}).")  # fmt: skip
    return Sentence(text, (finding.kpi,), tuple(dict.fromkeys(numbers)))


def gap_sentences(findings: list[GenderFinding], lang: str = "sv",
                  settings: ComparisonSettings = DEFAULT_SETTINGS) -> tuple[Sentence, ...]:  # fmt: skip
    """A sentence for each measure whose gap is large, in the order given."""
    return tuple(gap_sentence(f, lang) for f in findings if is_large_gap(f, settings))


def with_gender_gaps(
    draft: Draft, findings: list[GenderFinding], settings: ComparisonSettings = DEFAULT_SETTINGS
) -> Draft:
    """``draft`` (a ``core.narrative`` Draft) with one more paragraph naming the large gaps, if any."""
    sentences = gap_sentences(findings, draft.lang, settings)
    if not sentences:
        return draft
    return Draft(paragraphs=(*draft.paragraphs, sentences), lang=draft.lang, title=draft.title)

"""Women and men beside the total: when a gap is large, and the sentence about it (core.gender)."""

from __future__ import annotations

from kommunkvalitet.core.comparison import ComparisonSettings
from kommunkvalitet.core.gender import GenderFigure, GenderFinding, gap_sentences, is_large_gap


def _finding(women, men, unit="percent", decimals=0):
    return GenderFinding("U21468", "Brukarbedömning hemtjänst", "Home care rating", unit, decimals, 2022,
                         GenderFigure("K", women, 88.0, 284, "middle", 181),
                         GenderFigure("M", men, 88.4, 284, "middle", 77))  # fmt: skip


def test_a_gap_is_large_from_the_marked_change_thresholds():
    assert is_large_gap(_finding(86.0, 92.0))  # 6 percentage points >= 5
    assert is_large_gap(_finding(85.0, 90.0))  # exactly 5: inclusive, like a marked change
    assert not is_large_gap(_finding(86.0, 90.9))
    assert is_large_gap(_finding(12.0, 9.0, "days"))  # 3 of a mean of 10.5 = 29 %
    assert not is_large_gap(_finding(12.0, 10.0, "days"))  # 2 of 11 = 18 %
    assert not is_large_gap(_finding(None, 90.0))  # a missing value is not assessed
    assert not is_large_gap(_finding(0.0, 0.0, "days"))
    assert is_large_gap(_finding(86.0, 89.0), ComparisonSettings(marked_change_pp=3))  # follows the setting


def test_the_sentence_cites_both_values():
    (sv,) = gap_sentences([_finding(86.0, 92.0), _finding(86.0, 88.0)], "sv")
    assert sv.text == ("Skillnaden mellan kvinnor och män är stor för brukarbedömning hemtjänst: 86\xa0% för kvinnor "
                       "och 92\xa0% för män (2022).")  # fmt: skip
    assert sv.numbers == ("86\xa0%", "92\xa0%") and sv.kpis == ("U21468",)
    (en,) = gap_sentences([_finding(86.0, 92.0)], "en")
    assert (
        en.text == "The gap between women and men is large for home care rating: 86% for women and 92% for men (2022)."
    )

"""Which comparison group fits a measure: the Kolada "liknande kommuner" theme, and the group's year."""

from __future__ import annotations

from collections.abc import Iterable

# (substring of the KPI title or operating area, lower-cased) -> Kolada theme; first match wins.
_THEMES: tuple[tuple[str, str], ...] = (
    ("lss", "LSS"),
    ("försörjningsstöd", "ekonomiskt bistånd"),
    ("ekonomiskt bistånd", "ekonomiskt bistånd"),
    ("individ- och familjeomsorg", "IFO"),
    ("äldreomsorg", "äldreomsorg"),
    ("hemtjänst", "äldreomsorg"),
    ("särskilt boende", "äldreomsorg"),
    ("äldre och funktionshinder", "äldreomsorg"),
    ("fritidshem", "fritidshem"),
    ("förskol", "förskola"),
    ("grundskol", "grundskola"),
    ("åk ", "grundskola"),
    ("gymnasie", "gymnasieskola"),
    ("räddningstjänst", "räddningstjänst"),
    ("arbetsmarknad", "arbetsmarknad"),
)
DEFAULT_THEME = "övergripande"


def similar_theme(title: str, operating_area: str = "") -> str:
    """The Kolada *liknande kommuner* theme for a KPI, from its title, then its operating area."""
    for text in (title.lower(), operating_area.lower()):
        for needle, theme in _THEMES:
            if needle in text:
                return theme
    return DEFAULT_THEME


def group_year(available: Iterable[int], data_year: int) -> int | None:
    """The group year to use for a data year: the latest not after it, else the latest there is.

    Kolada publishes the groups per year; the snapshot has only 2023-2025 groups, so for older data
    years the latest group stands in (and the page says which year it is).
    """
    years = sorted(set(available))
    if not years:
        return None
    earlier = [y for y in years if y <= data_year]
    return earlier[-1] if earlier else years[-1]

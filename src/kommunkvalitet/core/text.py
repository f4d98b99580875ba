"""Swedish text helpers: alphabetical order as a Swede expects it (å, ä, ö after z)."""

from __future__ import annotations

_FOLD = str.maketrans(
    {
        "å": "z\u0001",
        "ä": "z\u0002",
        "æ": "z\u0002",
        "ö": "z\u0003",
        "ø": "z\u0003",
        "é": "e",
        "è": "e",
        "ü": "y",
        "á": "a",
        "à": "a",
    }
)


def swedish_sort_key(text: str) -> str:
    """A key that sorts Swedish names in Swedish order: "Håbo" < "Hässleholm" < "Höganäs", "Ö" last."""
    return text.casefold().translate(_FOLD)

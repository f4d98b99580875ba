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


_SEARCH_FOLD = str.maketrans({"å": "a", "ä": "a", "æ": "a", "ö": "o", "ø": "o", "é": "e", "è": "e", "ü": "u"})


def search_fold(text: str) -> str:
    """Text as search compares it: case and Swedish letters forgiven ("Väntetid" ~ "vantetid")."""
    return " ".join(text.casefold().translate(_SEARCH_FOLD).split())


def matches(query: str, text: str) -> bool:
    """Every word of ``query`` occurs in ``text``, forgiving case and å/ä/ö written as a/a/o."""
    haystack = search_fold(text)
    return all(word in haystack for word in search_fold(query).split())

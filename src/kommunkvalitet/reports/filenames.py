"""The one rule that names every download of a page: its CSV, plain CSV, Excel and PDF forms (and the
files the ``pdf`` command writes into its folder).

``<kind>-<year>-<who>[-<part>...]<extension>``, ASCII and lower case, so that a folder of downloads sorts
by what they are, then by year, then by municipality: ``kkik-2022-ornskoldsvik-2284-stod_och_omsorg.csv``,
``kkik-2022-ornskoldsvik-2284.pdf``, ``mal-2017-mark-1463-mal-12.xlsx``, ``nyckeltal-2022-u21401.plain.csv``.
All forms of one page share the stem; only the extension differs. A municipality is its name and its code
(:func:`who`): the names alone are not unique once made ASCII (Håbo and Habo are both "habo").
"""

from __future__ import annotations

from django.utils.text import slugify

#: A page's other forms (web.formats' keys) -> the extension of their URL and file.
EXTENSIONS = {"csv": ".csv", "plain_csv": ".plain.csv", "xlsx": ".xlsx", "pdf": ".pdf"}


def stem(kind: str, year: int, *parts: str) -> str:
    """``kind`` (``kkik``, ``mal``, ``nyckeltal``), the year, then the municipality's name or the KPI and
    any narrower parts (an area id, ``mal-12``), each made ASCII ("Örnsköldsvik" -> "ornskoldsvik")."""
    return "-".join([slugify(kind), str(year), *(slugify(p) for p in parts)])


def who(m) -> str:
    """A municipality in a file name: its ASCII name, then its code (``ornskoldsvik-2284``)."""
    return f"{slugify(m.name)}-{m.id}"


def filename(fmt: str, kind: str, year: int, *parts: str) -> str:
    """The file name of the page's form ``fmt`` (a key of :data:`EXTENSIONS`)."""
    return stem(kind, year, *parts) + EXTENSIONS[fmt]

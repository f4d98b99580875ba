"""Why a value is missing (issue 10): the reason a reader understands, from what the data shows.

Pure; no Django, no I/O. The codes are ``core.findings.GAPS``; the rule, in this order, with
examples, is in docs/method.md §18:

1. ``withheld``: the source gives a status for the missing value (Kolada's "..", sekretess);
   a status that says the value is simply missing ("-", bortfall) counts as not reported (4).
2. ``not_yet_measured``: no kommun has a value that year or in any earlier year (the measure did
   not exist yet).
3. ``not_collected``: no kommun has a value that year, but some had one earlier (the surveys of
   elderly care in 2021, the year-3 tests in 2020-2021).
4. ``not_reported``: other kommuner have a value: this one did not take part or did not report.
"""

from __future__ import annotations

from kommunkvalitet.core.findings import GAPS

NOT_COLLECTED, NOT_YET_MEASURED, NOT_REPORTED, WITHHELD = GAPS

# Statuses that only say that the value is missing (Kolada's "- Bortfall"), not that it is withheld.
_MISSING_STATUSES = frozenset({"-", "bortfall", "missing", "saknas"})


def gap_reason(status: str | None, n_that_year: int, first_year: int | None, year: int) -> str:
    """The gap code of a missing value.

    ``status``: the source's status of the missing value ("" or None when it gives none);
    ``n_that_year``: kommuner with a value for the KPI that year (comparable or not);
    ``first_year``: the first year any kommun has a value for the KPI (None: never)."""
    text = (status or "").strip().lower()
    if text and text not in _MISSING_STATUSES:
        return WITHHELD
    if n_that_year == 0:
        return NOT_YET_MEASURED if first_year is None or first_year >= year else NOT_COLLECTED
    return NOT_REPORTED

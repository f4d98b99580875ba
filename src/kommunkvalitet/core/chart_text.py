"""The one-sentence description of each chart and map in the page's language (``ValueFormat.lang``; the
words are core.chart_words', the band phrases core.vocabulary's), written from the same data the chart
draws. It is the figure's caption: what a reader who does not see the picture needs to know first.
Every number in it is in the chart's data table. Pure functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from kommunkvalitet.core import vocabulary
from kommunkvalitet.core.chart_words import t
from kommunkvalitet.core.charts import BAND_ORDER, BarRow, SeriesLine, ValueFormat
from kommunkvalitet.core.formatting import format_value
from kommunkvalitet.core.narrative import phrases


def _years(years: Sequence[int], lang: str = "sv") -> str:
    """2018, 2020 och 2021 -> "2018, 2020 och 2021" ("and" in English); consecutive runs as ranges: "2018–2020"."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [p for r in runs for p in ([f"{r[0]}–{r[-1]}"] if len(r) > 2 else [str(y) for y in r])]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {phrases.t('and', lang)} " + parts[-1]


def describe_bar(rows: list[BarRow], fmt: ValueFormat, *, year: int, direction: str, mean: float | None,
                 highlight: str | None = None, highlight_name: str | None = None) -> str:  # fmt: skip
    lang = fmt.lang
    n = len(rows)
    if n == 0:
        return t("bar.none", lang, year=year)
    order = t("bar.ranked" if direction in ("higher", "lower") else "bar.sorted", lang)
    head = t("bar.head", lang, n=n, year=year, order=order)
    chosen = next((r for r in rows if r.id == highlight), None)
    mean_txt = t("bar.mean", lang, v=fmt.text(mean)) if mean is not None else t("bar.no_mean", lang)
    if chosen is not None:
        where = t("bar.place", lang, rank=chosen.rank, n=n) if chosen.rank else ""
        band = f", {vocabulary.word('band', chosen.band, lang)}" if chosen.band in BAND_ORDER else ""
        return t("bar.chosen", lang, head=head, name=chosen.name, v=fmt.text(chosen.value), where=where, band=band,
                 mean=mean_txt)  # fmt: skip
    if highlight_name:
        return t("bar.chosen_missing", lang, head=head, name=highlight_name, year=year, mean=mean_txt)
    return t("bar.plain", lang, head=head, mean=mean_txt)


def describe_series(lines: list[SeriesLine], fmt: ValueFormat) -> str:
    """The first line's movement from its first to its last value, the rikssnitt's over the same years,
    and the years the first line has no value. The lines' labels are already in ``fmt.lang``."""
    lang = fmt.lang
    if not lines:
        return t("series.none", lang)
    years = [y for y, _ in lines[0].points]
    main = lines[0]
    present = [(y, v) for y, v in main.points if v is not None]
    head = t("series.head", lang, y0=years[0], y1=years[-1])
    if not present:
        return t("series.empty", lang, head=head, name=main.label)
    (y0, v0), (y1, v1) = present[0], present[-1]
    text = t("series.main", lang, head=head, name=main.label, v0=fmt.text(v0), y0=y0, v1=fmt.text(v1), y1=y1)
    national = next((line for line in lines[1:] if line.key == "national_mean"), None)
    if national is not None:
        ref = dict(national.points)
        if ref.get(y0) is not None and ref.get(y1) is not None:
            text += t("series.mean", lang, v0=fmt.text(ref[y0]), v1=fmt.text(ref[y1]))
    gaps = [y for y, v in main.points if v is None and y0 < y < y1]
    if gaps:
        text += t("series.gaps", lang, years=_years(gaps, lang))
    return text + "."


def describe_sparkline(points: list[tuple[int, float | None]], fmt: ValueFormat, lang: str = "sv") -> str:
    def text(value: float | None) -> str:
        return format_value(value, fmt.unit, fmt.decimals, lang)

    present = [(y, v) for y, v in points if v is not None]
    if not present:
        return t("spark.none", lang)
    (y0, v0), (y1, v1) = present[0], present[-1]
    if len(present) == 1:
        return t("spark.one", lang, v=text(v1), y=y1)
    low = min(present, key=lambda p: p[1])
    high = max(present, key=lambda p: p[1])
    out = t("spark.span", lang, y0=y0, y1=y1, v0=text(v0), v1=text(v1))
    if len(present) > 2:
        out += t("spark.range", lang, lo=text(low[1]), ly=low[0], hi=text(high[1]), hy=high[0])
    gaps = [y for y, v in points if v is None and y0 < y < y1]
    if gaps:
        out += t("spark.gaps", lang, years=_years(gaps, lang))
    return out + "."


def describe_map(*, year: int, bands: dict[str, str | None], mode: str, place: str, total: int,
                 fmt: ValueFormat | None = None, low: float | None = None, high: float | None = None,
                 highlight_name: str | None = None, lang: str = "sv") -> str:  # fmt: skip
    """``bands``: municipality id -> band (None: a value without band); ids not in it have no value.
    ``mode``: ``band`` or ``scale`` (coloured by value from ``low`` to ``high``). ``place``: "Sveriges" or
    "Västernorrlands läns" ("Sweden", "Västernorrlands län" in English)."""
    missing = total - len(bands)
    head = t("map.head", lang, place=place, total=total)
    if mode == "scale" and fmt is not None and low is not None and high is not None:
        text = t("map.scale", lang, head=head, year=year, lo=fmt.text(low), hi=fmt.text(high))
    else:
        counts = Counter(b for b in bands.values() if b)
        if counts:
            parts = [f"{counts[b]} {vocabulary.word('band', b, lang)}" for b in BAND_ORDER if counts.get(b)]
            listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {phrases.t('and', lang)} " + parts[-1]
            text = t("map.bands", lang, head=head, year=year, listed=listed)
        else:
            text = t("map.no_bands", lang, head=head, n=len(bands), year=year)
    text += t("map.missing", lang, n=missing) if missing else t("map.all", lang)
    if highlight_name:
        text += t("map.chosen", lang, name=highlight_name)
    return text + "."

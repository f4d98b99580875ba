"""The words inside the charts and maps (axis titles, legends, labels, band names, accessible names) and
their one-sentence descriptions, in Swedish and in English: a chart follows the language of the page
that shows it. Pure data and one lookup; no Django (core), so the figures, the map writer and the
descriptions share one list. Band phrases in running text are core.vocabulary's."""

from __future__ import annotations

#: key -> (Swedish, English); ``{name}`` fields are filled by :func:`t`.
WORDS: dict[str, tuple[str, str]] = {
    # band names over their part of the bar chart and in the map's legend
    "band.best": ("25 % bästa", "best 25%"),
    "band.second": ("25 % näst bästa", "second-best 25%"),
    "band.middle": ("50 % mellersta", "middle 50%"),
    "band.third": ("25 % näst sämsta", "second-worst 25%"),
    "band.worst": ("25 % sämsta", "worst 25%"),
    "band.none": ("Värde utan placering", "Value without placing"),
    "band.missing": ("Uppgift saknas", "No data"),
    "chosen": ("Vald kommun", "Chosen municipality"),
    "highest": ("{v} (högst)", "{v} (highest)"),
    "lowest": ("{v} (lägst)", "{v} (lowest)"),
    # the time series' reference lines (the municipality and the groups keep their names)
    "line.national_mean": ("Rikssnitt (ovägt medel)", "National average (unweighted mean)"),
    "line.riket": ("Riket (viktat)", "National total (weighted)"),
    "line.skr": ("Kommungrupp: {g}", "Municipality group: {g}"),
    # labels and titles
    "mean_label": ("Rikssnitt {v}", "National average {v}"),
    "axis.ranked": ("Kommuner från bästa till sämsta ({n} med värde)",
                    "Municipalities from best to worst ({n} with a value)"),
    "axis.sorted": ("Kommuner från lägsta till högsta värde ({n} med värde)",
                    "Municipalities from lowest to highest value ({n} with a value)"),
    "name.bar": ("Stapeldiagram: {label}, {year}, alla kommuner", "Bar chart: {label}, {year}, every municipality"),
    "name.series": ("Linjediagram: {label}, {who} över tid", "Line chart: {label}, {who} over time"),
    "name.map": ("Karta: {place} kommuner efter {what}, {label}, {year}",
                 "Map: the municipalities of {place} by {what}, {label}, {year}"),
    "national_mean": ("rikssnittet", "the national average"),
    "by.band": ("placering", "placing"),
    "by.value": ("värde", "value"),
    "country": ("Sveriges", "Sweden"),
    "cell.missing": ("{name}: uppgift saknas", "{name}: no data"),
    "cell.flagged": ("{name}: {v} – ej jämförbart", "{name}: {v} – not comparable"),
    # the descriptions (core.chart_text)
    "bar.none": ("Ingen kommun har något värde för {year}.", "No municipality has a value for {year}."),
    "bar.ranked": ("från bästa till sämsta", "from best to worst"),
    "bar.sorted": ("från lägsta till högsta värde", "from lowest to highest value"),
    "bar.head": ("Stapeldiagrammet visar de {n} kommuner som har ett värde för {year}, {order}",
                 "The bar chart shows the {n} municipalities with a value for {year}, {order}"),
    "bar.mean": ("rikssnittet är {v}", "the national average is {v}"),
    "bar.no_mean": ("inget rikssnitt finns", "there is no national average"),
    "bar.place": (", plats {rank} av {n}", ", rank {rank} of {n}"),
    "bar.chosen": ("{head}; {name} (svart stapel) har {v}{where}{band}, och {mean}.",
                   "{head}; {name} (black bar) has {v}{where}{band}, and {mean}."),
    "bar.chosen_missing": ("{head}; {name} saknar värde för {year}, och {mean}.",
                           "{head}; {name} has no value for {year}, and {mean}."),
    "bar.plain": ("{head}; {mean}.", "{head}; {mean}."),
    "series.none": ("Det finns inga värden att visa över tid.", "There are no values to show over time."),
    "series.head": ("Linjediagrammet visar {y0}–{y1}", "The line chart shows {y0}–{y1}"),
    "series.empty": ("{head}; {name} har inget värde under de åren.", "{head}; {name} has no value in those years."),
    "series.main": ("{head}: {name} från {v0} ({y0}) till {v1} ({y1})", "{head}: {name} from {v0} ({y0}) to {v1} ({y1})"),
    "series.mean": (", rikssnittet från {v0} till {v1}", ", the national average from {v0} to {v1}"),
    "series.gaps": ("; uppgift saknas för {years}, och där är linjen bruten",
                    "; no data for {years}, where the line is broken"),
    "map.head": ("Kartan visar {place} {total} kommuner", "The map shows the {total} municipalities of {place}"),
    "map.scale": ("{head} färgade efter värdet {year}, från ljust för det lägsta ({lo}) till mörkt för det högsta ({hi})",
                  "{head}, coloured by value in {year}, from light for the lowest ({lo}) to dark for the highest ({hi})"),
    "map.bands": ("{head} färgade efter placering {year}: {listed}", "{head}, coloured by placing in {year}: {listed}"),
    "map.no_bands": ("{head}; {n} har ett värde för {year} men ingen placering",
                     "{head}; {n} have a value for {year} but no placing"),
    "map.missing": ("; {n} saknar värde", "; {n} have no value"),
    "map.all": ("; alla har ett värde", "; all have a value"),
    "map.chosen": (", och {name} har en tjock svart kant", ", and {name} has a thick black outline"),
    # the sparkline's sentence (the area page)
    "spark.none": ("Inga värden över tid.", "No values over time."),
    "spark.one": ("Utveckling: bara ett värde, {v} ({y}).", "Trend: only one value, {v} ({y})."),
    "spark.span": ("Utveckling {y0}–{y1}: från {v0} till {v1}", "Trend {y0}–{y1}: from {v0} to {v1}"),
    "spark.range": (", lägst {lo} ({ly}) och högst {hi} ({hy})", ", lowest {lo} ({ly}) and highest {hi} ({hy})"),
    "spark.gaps": ("; uppgift saknas för {years}", "; no data for {years}"),
}  # fmt: skip


def t(key: str, lang: str = "sv", **kw: object) -> str:
    """The words of ``key`` in ``lang`` ("sv" or "en"), with its fields filled in."""
    text = WORDS[key][1 if lang == "en" else 0]
    return text.format(**kw) if kw else text


def line_label(key: str, label: str, lang: str = "sv") -> str:
    """A time-series line's name in ``lang``: the reference lines by what they are, a kommungrupp with its
    name ("Kommungrupp: Större stad"), the municipality and the other groups by their own names."""
    if key in ("national_mean", "riket"):
        return t(f"line.{key}", lang)
    if key == "skr":
        return t("line.skr", lang, g=label.partition(": ")[2])
    return label

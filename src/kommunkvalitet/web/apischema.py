"""The open JSON API's one source of truth: every JSON twin's keys, their types and meaning.

From this module come the OpenAPI 3.1 description served at ``/api/openapi.json`` (:func:`openapi`)
and the key tables of ``docs/api.md`` (:func:`markdown`; ``python -m kommunkvalitet.web.apischema
docs/api.md`` rewrites them between their markers). ``tests/test_api.py`` checks that the served JSON
has exactly these keys (every object is closed: ``additionalProperties`` false) and that the tables in
docs/api.md are the ones written here. To change a key: change it here, run the command, and say it
in docs/api.md's changelog. Plain data, no Django.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

API_VERSION = "1.0"

# --- the building blocks: JSON Schema with a description on every key -----------------------------


def _t(kind: str, text: str, null: str | None = None, **extra) -> dict:
    """A scalar: ``null`` says what null means (and makes the key nullable)."""
    out = {"type": [kind, "null"] if null else kind, "description": text + (f" Null: {null}" if null else "")}
    return out | extra


def text(d: str, null: str | None = None, **kw) -> dict:
    return _t("string", d, null, **kw)


def integer(d: str, null: str | None = None, **kw) -> dict:
    return _t("integer", d, null, **kw)


def number(d: str, null: str | None = None, **kw) -> dict:
    return _t("number", d, null, **kw)


def boolean(d: str) -> dict:
    return _t("boolean", d)


def code(d: str, codes: tuple[str, ...] | list[str], null: str | None = None) -> dict:
    """A code from a closed list (the words for it are in the vocabulary)."""
    return _t("string", f"{d} One of: {', '.join(codes)}.", null, enum=[*codes, None] if null else list(codes))


def obj(d: str, props: dict, *, null: str | None = None, optional: tuple[str, ...] = ()) -> dict:
    """An object with exactly ``props`` (all present except ``optional``)."""
    return {
        "type": ["object", "null"] if null else "object",
        "description": d + (f" Null: {null}" if null else ""),
        "properties": props,
        "required": [k for k in props if k not in optional],
        "additionalProperties": False,
    }


def array(d: str, items: dict) -> dict:
    return {"type": "array", "description": d, "items": items}


def mapping(d: str, keys: str, values: dict, null: str | None = None) -> dict:
    """An object whose keys are data (``keys`` says which), all with the same kind of value."""
    return {"type": ["object", "null"] if null else "object",
            "description": f"{d} Keys: {keys}." + (f" Null: {null}" if null else ""),
            "additionalProperties": values}  # fmt: skip


def opaque(d: str, null: str | None = None) -> dict:
    """An object passed through as it is (a Vega-Lite spec): no promise about its keys."""
    return {"type": ["object", "null"] if null else "object", "description": d + (f" Null: {null}" if null else "")}


def ref(name: str, d: str, null: str | None = None) -> dict:
    target = {"$ref": f"#/components/schemas/{name}"}
    if null:
        return {"description": f"{d} Null: {null}", "anyOf": [target, {"type": "null"}]}
    return {"description": d, **target}


# --- the shared vocabulary ------------------------------------------------------------------------

BANDS = ("best", "second", "middle", "third", "worst")
POSITIONS = ("far_above", "slightly_above", "level", "slightly_below", "far_below")
VERDICTS = ("far_better", "slightly_better", "level", "slightly_worse", "far_worse")
TRENDS = ("improved", "unchanged", "worsened", "increased", "decreased")
GAPS = ("not_collected", "not_yet_measured", "not_reported", "withheld")
IMPLAUSIBLE = ("impossible", "outlier")
DIRECTIONS = ("higher", "lower", "none")
ASSESSMENTS = ("met", "partly_met", "not_met", "not_assessable")
TARGET_KINDS = ("level", "better_than_national", "best_25", "not_worst_25", "better_than_skr",
                "better_than_similar", "improved")  # fmt: skip
UNIT = "The measure set's unit code: percent, days, count, kr_per_inhabitant, ... (values are in this unit)."
YEAR_VALUE = obj("One year's value.", {
    "year": integer("The data year."),
    "value": number("The value, in the measure's unit.", "no value that year."),
})  # fmt: skip
SOURCE = text("Where the figures come from, to quote with them.")
MUNICIPALITY = obj(
    "The municipality (kommun), region or Riket the page is about.",
    {
        "id": text("Kolada's four-digit id (2284; 0000 is Riket)."),
        "name": text("Its name."),
        "type": code("What it is.", ("kommun", "region", "national")),
        "note": text("Only for a region or Riket: that ranks and bands are computed for kommuner only."),
    },
    optional=("note",),
)

FINDING = {
    "kpi": text("Kolada's KPI id (N00005, U21468)."),
    "label": text("The measure's Swedish label from the measure set."),
    "label_en": text("The English label."),
    "unit": text(UNIT),
    "decimals": integer("How many decimals the value is shown with."),
    "direction": code("Which way is better.", DIRECTIONS),
    "is_cost": boolean("The measure is a cost (shown without a verdict of better or worse in the text)."),
    "year": integer("The data year shown (an edition shows data of its own or the previous year)."),
    "value": number("The municipality's value for the data year.", "no value (see gap and missing_reason)."),
    "missing_reason": text("The source's status for a missing value.", "none given."),
    "gap": code("Why the value is missing.", GAPS, "there is a value, or the reason is unknown."),
    "implausible": code(
        "The value is shown but not comparable: left out of rikssnitt, rank and bands.",
        IMPLAUSIBLE,
        "the value is comparable (or missing).",
    ),  # fmt: skip
    "previous_year": integer("The latest earlier year with a value (may be before year - 1).", "none."),
    "previous_value": number("The value in previous_year.", "no earlier value."),
    "change": number("value - previous_value, in the unit.", "nothing to compare."),
    "change_pct": number("The change in percent of previous_value.", "nothing to compare, or previous 0."),
    "change_pp": number("The change in percentage points (percent units only).", "not a percent unit."),
    "trend": code("The change read with the direction.", TRENDS, "nothing to compare with."),
    "marked": boolean("The change is marked (markant): beyond the documented threshold (docs/method.md)."),
    "band": code(
        "The municipality's band among all kommuner.",
        BANDS,
        "no band: no value, too few values, no direction, or not a kommun.",
    ),  # fmt: skip
    "previous_band": code("The band in previous_year.", BANDS, "none then."),
    "rank": integer("1 = best; ties share the best rank.", "no rank (as for band)."),
    "n": integer("Kommuner with a (comparable) value that year."),
    "national_mean": number("Rikssnitt: the unweighted mean of the kommuner with a value.", "no values."),
    "sd": number("The spread (population standard deviation) of the kommuner's values.", "too few values."),
    "position": code("The value against national_mean.", POSITIONS, "no value or no mean."),
    "riket": number("Riket (0000) as Kolada gives it, weighted by population.", "Kolada gives none."),
    "label_short": text("A Swedish label for running text (a sentence subject)."),
    "label_short_en": text("The English one."),
    "group": text("The activity as named in a Swedish sentence (särskilt boende)."),
    "group_en": text("The English one."),
    "event": text("election: the value changes only in election years.", "an ordinary yearly measure."),
}
GENDER = {
    "gender": code("K women, M men.", ("K", "M")),
    "value": number("The municipality's value for that gender.", "none."),
    "national_mean": number("Rikssnitt for that gender.", "none."),
    "n": integer("Kommuner with a value for that gender."),
    "band": code("The band among that gender's values.", BANDS, "none."),
    "rank": integer("The rank among that gender's values.", "none."),
}
AREA_MEASURE = obj("One measure of the area, in the measure set's order.", FINDING | {
    "verdict": code("position read with the direction.", VERDICTS, "no position or no direction."),
    "rank_text": text('The rank in Swedish words ("plats 37 av 286").', "no rank."),
    "gap_text": text("Why the value is missing, in words.", "there is a value."),
    "comparable": boolean("There is a value and it is comparable (implausible is null)."),
    "series": array("The municipality's values by year, up to the data year.", YEAR_VALUE),
    "groups": array("The comparison groups' means.", obj("A group.", {
        "title": text("The group's name."),
        "kind": code("Which group.", ("skr", "similar", "county")),
        "year": integer("The year of the mean.", "no year with values."),
        "mean": number("The unweighted mean of the members with a value.", "no member has a value."),
        "n": integer("Members with a value."),
        "n_members": integer("Members in all."),
    })),
    "women": obj("Women's figures.", GENDER, null="the KPI is not divided by gender."),
    "men": obj("Men's figures.", GENDER, null="the KPI is not divided by gender."),
})  # fmt: skip
PUBLISHED_TEXT = {
    "html": text("The published text as sanitised HTML (what the page shows)."),
    "plain": text("The same as plain text."),
}
WORDS = mapping("Words for codes.", "the codes", text("The word."))

AREA = obj("A municipality's area report for one KKiK edition.", {
    "municipality": MUNICIPALITY,
    "measure_set": text("The measure set's name (KKiK 2022)."),
    "edition": integer("The KKiK edition (year)."),
    "area": obj("The area.", {"id": text("Its id in the URL."), "name": text("Swedish name."),
                              "name_en": text("English name.")}),
    "data_years": array("The data years the area's measures show.", integer("A year.")),
    "national_mean_definition": text("What rikssnitt means here."),
    "riket_definition": text("What riket means here."),
    "vocabulary": mapping("The words for the codes, per language.", "sv, en",
                          mapping("Per kind of code.", "band, position, verdict, trend, gap, implausible, "
                                  "direction", WORDS)),
    "measures": array("The area's measures.", AREA_MEASURE),
    "draft": mapping("The drafted text about the area (generated, not the municipality's own words).", "sv, en",
                     obj("A draft.", {"title": text("Its heading."), "text": text("Its text.")}),
                     null="a region or Riket: drafts are written about kommuner only."),
    "commentary": mapping("The municipality's published commentary (never drafts).",
                          "a KPI id, or _area for the text about the whole area", obj("A text.", PUBLISHED_TEXT)),
    "source": SOURCE,
})  # fmt: skip

CHANGE = obj(
    "A measure's change, biggest first.",
    {
        "kpi": text("The KPI id."),
        "label": text("The measure's label."),
        "change": number("The change in the measure's unit."),
        "change_sd": number("The change's size in standard deviations of the kommuner's values (unit-free)."),
    },
)
OVERVIEW = obj("A municipality's KKiK edition: per area the measures in each band, and the biggest changes.", {
    "municipality": MUNICIPALITY,
    "measure_set": text("The measure set's name."),
    "edition": integer("The KKiK edition (year)."),
    "areas": array("The areas in the measure set's order.", obj("An area.", {
        "id": text("Its id in the URL."),
        "name": text("Its name."),
        "bands": mapping("How many of its measures are in each band.", "the band codes and none",
                         integer("A count.")),
        "measures": integer("Its measures in all."),
        "data_years": array("The data years shown.", integer("A year.")),
    })),
    "biggest_improvements": array("Up to five biggest improvements.", CHANGE),
    "biggest_declines": array("Up to five biggest declines.", CHANGE),
})  # fmt: skip

STATS = obj("One gender's distribution over the kommuner, and the chosen kommun in it.", {
    "gender": code("T all, K women, M men.", ("T", "K", "M")),
    "n": integer("Kommuner with a comparable value."),
    "mean": number("Rikssnitt (unweighted mean).", "no values."),
    "median": number("The median.", "no values."),
    "min": number("The lowest value.", "no values."),
    "max": number("The highest value.", "no values."),
    "riket": number("Riket (weighted), as Kolada gives it.", "none."),
    "value": number("The chosen kommun's value.", "no kommun chosen, or no value."),
    "rank": integer("Its rank (1 = best).", "no kommun, value or direction."),
    "band": code("Its band.", BANDS, "no band."),
    "position": code("Its value against the mean.", POSITIONS, "none."),
    "implausible": code("Its value is not comparable.", IMPLAUSIBLE, "comparable or none."),
    "band_limit_best": number("The value a kommun must reach to be among the 25 % best.", "no bands."),
    "band_limit_worst": number("The value at which a kommun is among the 25 % worst.", "no bands."),
})  # fmt: skip
MEASURE = obj("A KPI in one year for all kommuner (the measure page).", {
    "kpi": obj("The KPI.", {
        "id": text("Kolada's id."),
        "title": text("Kolada's title."),
        "label": text("The label the pages use."),
        "description": text("Kolada's definition."),
        "operating_area": text("Kolada's operating area."),
        "perspective": text("Kolada's perspective."),
        "unit": text(UNIT),
        "decimals": integer("Decimals shown."),
        "direction": code("Which way is better.", DIRECTIONS),
        "is_divided_by_gender": boolean("Kolada has values for women and men too."),
        "measure_sets": array("The measure sets it belongs to.", obj("A membership.", {
            "name": text("The measure set."), "area": text("The area's id.")})),
    }),
    "year": integer("The data year."),
    "years": array("Every year with values.", integer("A year.")),
    "municipality": obj("The kommun chosen with ?kommun=.", {"id": text("Its id."), "name": text("Its name.")},
                        null="none chosen."),
    "distribution": mapping("The distribution per gender.", "T (all), K, M", STATS),
    "national_mean_definition": text("What the mean is."),
    "municipalities": array("The kommuner with a comparable value, best to worst (the bar chart).", obj("A kommun.", {
        "id": text("Its id."), "name": text("Its name."), "value": number("Its value."),
        "rank": integer("Its rank.", "no direction."), "band": code("Its band.", BANDS, "no band."),
    })),
    "missing": array("Kommuner without a value.", obj("A kommun.", {"id": text("Its id."), "name": text("Its name.")})),
    "not_comparable": array("Kommuner whose value is not comparable.", obj("A kommun.", {
        "id": text("Its id."), "name": text("Its name."), "value": number("The value as reported."),
        "implausible": code("Why.", IMPLAUSIBLE),
    })),
    "series": array("The time series' lines.", obj("A line.", {
        "key": text("Which line: the kommun, rikssnitt, riket, its groups."),
        "label": text("The line's name."),
        "points": array("Every year of the chart.", YEAR_VALUE),
    })),
    "charts": obj("The charts' descriptions and specs.", {
        "bar": obj("The bar chart.", {"description": text("Its one-sentence description."),
                                      "spec": opaque("Its Vega-Lite spec (may change without notice).",
                                                     "no kommun has a value.")}),
        "series": obj("The time series.", {"description": text("Its description."),
                                           "spec": opaque("Its Vega-Lite spec (may change without notice).")},
                      null="no line has a value."),
        "map": obj("The map.", {"description": text("Its description.")}, null="no boundaries imported."),
    }),
    "data_version": text("The data version the figures are from (also in the ETag)."),
    "source": SOURCE,
})  # fmt: skip

SEARCH = obj("KPIs and kommuner matching q (case and å/ä/ö forgiven).", {
    "q": text("The query as used (trimmed, at most 200 characters)."),
    "kpis": array("Up to 50 matching KPIs.", obj("A KPI.", {
        "id": text("Its id."), "title": text("Kolada's title."),
        "operating_area": text("Its operating area.", "none given."),
        "latest_year": integer("The latest year with values.", "no values."),
        "url": text("Its measure page.", "no values, so no page."),
    })),
    "kpis_total": integer("How many KPIs match in all."),
    "municipalities": array("Matching kommuner.", obj("A kommun.", {
        "id": text("Its id."), "name": text("Its name."), "url": text("Its page."),
    })),
})  # fmt: skip

# --- the goal follow-up ---------------------------------------------------------------------------

WORD = {"code": code("The assessment.", ASSESSMENTS), "word": text("It in words, in the page's language.")}
RESULT = obj("A column's result.", WORD | {
    "reason": text("Why, as a code (core.goals)."),
    "reason_text": text("Why, in words."),
    "n": integer("Indicators in the column."),
    "n_assessable": integer("Of them assessable."),
    "n_met": integer("Of them met."),
    "n_partly": integer("Of them partly met."),
    "share": number("The share met (0-1).", "nothing assessable."),
})  # fmt: skip
DECISION = obj("The council's decided assessment.", WORD | {
    "suggestion_then": text("The suggestion when it was decided."),
    "values_then": mapping("The goal's own indicator values when it was published, kept as they were.",
                           '"indicator:<id>:<year>"', number("The value.", "no value then.")),
    "motivation": text("Why it differs from the suggestion.", "not given."),
    "decided_by": text("Who recorded it.", "unknown."),
    "decided_at": text("When (ISO 8601).", "unknown."),
}, null="not decided.")  # fmt: skip
INDICATOR = obj("An indicator of a goal.", {
    "id": integer("Its id."),
    "name": text("Its name."),
    "kind": code("Where its values come from.", ("own", "external", "kpi")),
    "column": code("The report's column it counts in.", ("committee", "key_figure")),
    "committee": text("The committee (nämnd) responsible.", "none."),
    "kpi": text("The Kolada KPI.", "not a Kolada key figure."),
    "unit": text(UNIT),
    "decimals": integer("Decimals shown."),
    "direction": code("Which way is better.", DIRECTIONS),
    "data_year": integer("The year its value is from."),
    "value": number("Its value.", "none."),
    "target_kind": code("What its target is.", TARGET_KINDS),
    "target": number("The target level.", "no level (a comparison target, or none set)."),
    "target_text": text("The target in words."),
    "result": obj("Whether the target is met.", WORD | {
        "reason": text("Why, as a code."), "reason_text": text("Why, in words."),
        "reference": number("What the value was compared with.", "nothing."),
    }),
    "previous_year": integer("The previous year with a value.", "none."),
    "previous_value": number("Its value.", "none."),
    "trend": code("The change read with the direction.", TRENDS, "nothing to compare."),
    "national_mean": number("Rikssnitt (Kolada key figures).", "none."),
    "n": integer("Kommuner with a value.", "not a Kolada key figure."),
    "band": code("Its band.", BANDS, "none."),
    "rank": integer("Its rank.", "none."),
    "skr_mean": number("The SKR group's mean.", "none."),
    "similar_mean": number("The similar kommuner's mean.", "none."),
    "riket": number("Riket.", "none."),
    "series": array("Its values by year.", YEAR_VALUE),
    "source": text("Where its values come from.", "not given."),
})  # fmt: skip
GOAL = obj("A goal, with its sub-goals in children.", {
    "id": integer("Its id."),
    "title": text("Its title."),
    "perspective": text("Its perspective.", "none."),
    "description": text("Its description."),
    "depth": integer("0 for a council goal, 1 for its sub-goals, ..."),
    "parent": integer("The parent goal's id.", "a council goal."),
    "committees": array("The committees responsible.", text("A name.")),
    "url": text("Its page."),
    "assessment": obj("The goal's assessment.", {
        "committee": RESULT, "key_figures": RESULT,
        "suggestion": obj("The suggested assessment.", WORD | {"reason": text("Why, as a code."),
                                                                "reason_text": text("Why, in words.")}),
        "decision": DECISION,
        "decision_differs": boolean("The decision differs from the suggestion."),
        "overall": obj("The assessment shown: the decision, else the suggestion.", WORD),
    }),
    "indicators": array("Its indicators.", INDICATOR),
    "draft": mapping("The drafted text (generated).", "sv, en", text("The draft.", "no draft.")),
    "text": obj("The published text about the goal (never a draft).", PUBLISHED_TEXT | {
        "published_at": text("When it was published (ISO 8601).", "unknown.")}, null="none published."),
    "children": array("Its sub-goals (each a goal like this one).", ref("Goal", "A sub-goal.")),
})  # fmt: skip
HEAD = {
    "municipality": obj("The municipality.", {"id": text("Its id."), "name": text("Its name.")}),
    "year": integer("The year followed up."),
    "period": code("Which follow-up (?period=).", ("year", "interim")),
    "interim_end": text("The end of the interim period (ISO date).", "no interim follow-up."),
    "structure": obj("The goal structure.", {"id": integer("Its id."), "title": text("Its title."),
                                             "updated_at": text("Last change (ISO 8601).")}),
    "example_note": text("Says that the structure is an example (demo data).", "real data."),
    "rule": obj("How a goal's assessment follows from its indicators.", {
        "kind": code("The rule.", ("share", "all", "weighted")),
        "met_share": number("Share needed for met."),
        "partly_share": number("Share needed for partly met."),
        "min_assessable_share": number("Share of indicators that must be assessable."),
        "subgoals_feed": boolean("Sub-goals count towards their parent."),
        "text": text("The rule in words."),
    }),
    "legend": array("The assessments and their symbols.", obj("One.", WORD | {"symbol": text("Its symbol.")})),
}  # fmt: skip
GOAL_SOURCE = text("Where the figures come from.")
GOAL_REPORT = obj("A municipality's goal follow-up for a year.",
                  HEAD | {"goals": array("The council goals (sub-goals in children).", ref("Goal", "A goal.")),
                          "source": GOAL_SOURCE})  # fmt: skip
GOAL_PAGE = obj("One goal and its history.", HEAD | {
    "goal": ref("Goal", "The goal."),
    "history": array("The goal in other years (the same title).", obj("A year.", {
        "year": integer("The year."), "goal_id": integer("The goal's id that year."), "title": text("Its title."),
        "url": text("Its page."), "committee": obj("The committee column.", WORD),
        "key_figures": obj("The key-figure column.", WORD), "suggestion": obj("The suggestion.", WORD),
        "decision": DECISION, "overall": obj("The assessment shown.", WORD),
    })),
    "source": GOAL_SOURCE,
})  # fmt: skip

COMPONENTS = {"Goal": GOAL}

# --- the endpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # path | query
    description: str
    schema: dict = field(default_factory=lambda: {"type": "string"})


MID = Param("municipality_id", "path", "Kolada's four-digit id of the kommun (2284).")
YEAR = Param("year", "path", "The year.", {"type": "integer"})
KOMMUN = Param("kommun", "query", "A kommun to highlight (its id): its figures fill municipality.")
PERIOD = Param("period", "query", "year (default) or interim.", {"type": "string", "enum": ["year", "interim"]})


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL name of the JSON twin (web:<name>)
    path: str  # OpenAPI path template
    title: str
    schema: dict
    example: str  # a real URL to try
    params: tuple[Param, ...] = ()
    page: str = ""  # the HTML page it is the twin of


ENDPOINTS = (
    Endpoint("area_json", "/kommun/{municipality_id}/{year}/{area_id}.json", "Area report", AREA,
             "/kommun/2284/2022/stod_och_omsorg.json",
             (MID, YEAR, Param("area_id", "path", "The area's id (stod_och_omsorg).")),
             "/kommun/{municipality_id}/{year}/{area_id}/"),
    Endpoint("overview_json", "/kommun/{municipality_id}/{year}.json", "KKiK overview", OVERVIEW,
             "/kommun/2284/2022.json", (MID, YEAR), "/kommun/{municipality_id}/{year}/"),
    Endpoint("measure_json", "/nyckeltal/{kpi_id}/{year}.json", "Measure (KPI) for all kommuner", MEASURE,
             "/nyckeltal/N00640/2022.json?kommun=2284",
             (Param("kpi_id", "path", "Kolada's KPI id (N00640)."), YEAR, KOMMUN), "/nyckeltal/{kpi_id}/{year}/"),
    Endpoint("goal_report_json", "/kommun/{municipality_id}/mal/{year}.json", "Goal report", GOAL_REPORT,
             "/kommun/1463/mal/2017.json", (MID, YEAR, PERIOD), "/kommun/{municipality_id}/mal/{year}/"),
    Endpoint("goal_json", "/kommun/{municipality_id}/mal/{year}/mal-{goal_id}.json", "Goal", GOAL_PAGE,
             "/kommun/1463/mal/2017/mal-1.json",
             (MID, YEAR, Param("goal_id", "path", "The goal's id.", {"type": "integer"}), PERIOD),
             "/kommun/{municipality_id}/mal/{year}/mal-{goal_id}/"),
    Endpoint("search_json", "/sok.json", "Search", SEARCH, "/sok.json?q=ornskoldsvik",
             (Param("q", "query", "What to look for (KPI words or id, kommun name)."),), "/sok/"),
)  # fmt: skip


def schema_of(endpoint: Endpoint) -> dict:
    """The endpoint's JSON Schema, self-contained (for jsonschema)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **copy.deepcopy(endpoint.schema),
            "$defs": copy.deepcopy(COMPONENTS)} | {"$id": f"kommunkvalitet:{endpoint.name}"}  # fmt: skip


def _defs_refs(node):
    """The schema with ``#/components/schemas/`` refs pointing at ``#/$defs/`` (for a standalone schema)."""
    if isinstance(node, dict):
        return {k: (v.replace("#/components/schemas/", "#/$defs/") if k == "$ref" else _defs_refs(v))
                for k, v in node.items()}  # fmt: skip
    if isinstance(node, list):
        return [_defs_refs(v) for v in node]
    return node


def standalone(endpoint: Endpoint) -> dict:
    return _defs_refs(schema_of(endpoint))


NOT_FOUND = {"description": "No such municipality, year, area, KPI or goal (a goal twin answers JSON: "
             '{"error": "not_found", "message": ...}).'}  # fmt: skip
CACHE_HEADERS = {
    "ETag": {"description": "The data version and language: send it as If-None-Match to get 304.",
             "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the data version last advanced (whole seconds).",
                      "schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"description": "Always *: any site may read.", "schema": {"type": "string"}},
}  # fmt: skip


def openapi(server: str = "/") -> dict:
    """The OpenAPI 3.1 description of the JSON twins."""
    paths = {}
    for e in ENDPOINTS:
        parameters = [{"name": p.name, "in": p.where, "required": p.where == "path", "description": p.description,
                       "schema": p.schema} for p in e.params]  # fmt: skip
        headers = {k: v for k, v in CACHE_HEADERS.items() if e.name != "search_json" or k.startswith("Access")}
        paths[e.path] = {"get": {
            "operationId": e.name,
            "summary": e.title,
            "description": f"The JSON twin of the page {e.page}. Example: {e.example}",
            "parameters": parameters,
            "responses": {
                "200": {"description": e.title, "headers": headers,
                        "content": {"application/json": {"schema": copy.deepcopy(e.schema)}}},
                "304": {"description": "Not modified: the If-None-Match or If-Modified-Since copy is current."},
                "404": NOT_FOUND,
            },
        }}  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kommunkvalitet open data",
            "version": API_VERSION,
            "description": "The JSON twins of kommunkvalitet's public pages. Keys, types and the stability "
            "promise: docs/api.md. Källa: Kolada; bearbetning: kommunkvalitet.",
            "license": {"name": "Data: Kolada (RKA), CC BY 4.0", "url": "https://www.kolada.se"},
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": copy.deepcopy(COMPONENTS)},
    }


# --- docs/api.md's tables -------------------------------------------------------------------------

BEGIN, END = "<!-- keys: generated by kommunkvalitet.web.apischema -->", "<!-- /keys -->"


def _type(node: dict) -> str:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1].lower()
    if "anyOf" in node:
        return " or ".join(_type(n) for n in node["anyOf"])
    kinds = node.get("type", "object")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    out = []
    for k in kinds:
        if k == "array":
            out.append(f"array of {_type(node['items'])}")
        elif k == "object" and "additionalProperties" in node and node["additionalProperties"] is not False:
            out.append(f"map of {_type(node['additionalProperties'])}")
        else:
            out.append(k)
    return " or ".join(out)


def _rows(node: dict, key: str, out: list[tuple[str, str, str]]) -> None:
    out.append((key, _type(node), node.get("description", "").replace("|", "\\|")))
    _children(node, key, out)


def _children(node: dict, key: str, out: list[tuple[str, str, str]]) -> None:
    """The rows of what ``node`` holds: an array's items' keys as ``key[].name``, a map's as ``key.*``."""
    if "anyOf" in node:
        node = next(n for n in node["anyOf"] if n.get("type") != "null")
    if "$ref" in node:
        return  # a shared component: its own table
    if "items" in node:
        _children(node["items"], f"{key}[]", out)
    for name, child in node.get("properties", {}).items():
        _rows(child, f"{key}.{name}" if key else name, out)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and _has_children(extra):
        _rows(extra, f"{key}.*", out)


def _has_children(node: dict) -> bool:
    return bool(node.get("properties") or node.get("items") or isinstance(node.get("additionalProperties"), dict))


def table(schema: dict) -> str:
    rows: list[tuple[str, str, str]] = []
    _children(schema, "", rows)
    lines = ["| key | type | meaning |", "|---|---|---|"]
    lines += [f"| `{k}` | {t} | {d} |" for k, t, d in rows]
    return "\n".join(lines)


def markdown() -> str:
    """The key tables of docs/api.md, one per endpoint and one per shared component."""
    parts = [BEGIN]
    for e in ENDPOINTS:
        params = "".join(f"\n- `{p.name}` ({p.where}): {p.description}" for p in e.params)
        parts.append(f"### {e.title}: `{e.path}`\n\nThe twin of `{e.page}`. Try `{e.example}`.\n"
                     f"Parameters:{params}\n\n{table(e.schema)}\n")  # fmt: skip
    for name, schema in COMPONENTS.items():
        parts.append(f"### {name.lower()} (shared)\n\n{schema['description']}\n\n{table(schema)}\n")
    parts.append(END)
    return "\n".join(parts)


def rewrite(path: Path) -> bool:
    """Put :func:`markdown` between the markers in ``path``; True when that changed the file."""
    old = path.read_text(encoding="utf-8")
    head, rest = old.split(BEGIN, 1)
    new = head + markdown() + rest.split(END, 1)[1]
    path.write_text(new, encoding="utf-8")
    return new != old


if __name__ == "__main__":  # python -m kommunkvalitet.web.apischema docs/api.md [--openapi]
    if "--openapi" in sys.argv:
        print(json.dumps(openapi(), ensure_ascii=False, indent=2))
    else:
        print("changed" if rewrite(Path(sys.argv[1])) else "unchanged")

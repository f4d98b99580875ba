"""One vocabulary: every code that core hands to the narrative, the pages and the JSON twins, with its
Swedish and its English phrase. Pure data and two lookups; no Django.

The phrases are written as they stand inside a sentence (lower case); a page heading or a table cell
capitalises the first letter (:func:`label`). The codes are those of :mod:`core.findings` (bands,
positions, trends, gaps, implausibility) and :mod:`core.goals` (assessments, reasons, target kinds).
A code without a phrase is a bug: :func:`word` raises rather than print the code.
"""

from __future__ import annotations

from kommunkvalitet.core import goals as g

LANGS = ("sv", "en")

#: kind -> code -> (Swedish, English)
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    # KKiK bands: relative position among the municipalities, not a verdict
    "band": {
        "best": ("bland de 25 procent bästa", "among the best 25 per cent"),
        "second": ("bland de 25 procent näst bästa", "among the second-best 25 per cent"),
        "middle": ("bland de 50 procent mellersta", "among the middle 50 per cent"),
        "third": ("bland de 25 procent näst sämsta", "among the second-worst 25 per cent"),
        "worst": ("bland de 25 procent sämsta", "among the worst 25 per cent"),
        "none": ("ingen placering", "no placing"),
    },
    # Position against rikssnittet, by the size rule of core.pages.position_against_mean
    "position": {
        "far_above": ("långt över rikssnittet", "well above the national average"),
        "slightly_above": ("något över rikssnittet", "slightly above the national average"),
        "level": ("i nivå med rikssnittet", "in line with the national average"),
        "slightly_below": ("något under rikssnittet", "slightly below the national average"),
        "far_below": ("långt under rikssnittet", "well below the national average"),
    },
    # The same position read with the measure's direction: a verdict in words
    "verdict": {
        "far_better": ("långt bättre än rikssnittet", "much better than the national average"),
        "slightly_better": ("något bättre än rikssnittet", "slightly better than the national average"),
        "level": ("i nivå med rikssnittet", "in line with the national average"),
        "slightly_worse": ("något sämre än rikssnittet", "slightly worse than the national average"),
        "far_worse": ("långt sämre än rikssnittet", "much worse than the national average"),
    },
    # Trend of a measure as a table cell says it
    "trend": {
        "improved": ("förbättrat", "improved"),
        "worsened": ("försämrat", "worsened"),
        "unchanged": ("oförändrat", "unchanged"),
        "increased": ("ökat", "increased"),
        "decreased": ("minskat", "decreased"),
        "none": ("ingen jämförelse", "no comparison"),
    },
    # Verb phrases of a change in running text (perfect tense; English singular, see core.narrative)
    "verb": {
        "improved": ("har förbättrats", "has improved"),
        "worsened": ("har försämrats", "has deteriorated"),
        "increased": ("har ökat", "has increased"),
        "decreased": ("har minskat", "has decreased"),
        "unchanged": ("ligger kvar på samma nivå", "remains at the same level"),
    },
    # Why a value is missing (findings.GAPS): short word for a table cell
    "gap": {
        "not_collected": ("samlades inte in i landet", "not collected nationally"),
        "not_yet_measured": ("fanns inte ännu", "did not exist yet"),
        "not_reported": ("ej redovisat av kommunen", "not reported by the municipality"),
        "withheld": ("ej publicerat av källan", "withheld by the source"),
        "unknown": ("uppgift saknas", "no data"),
    },
    # Why a value is not comparable (findings.IMPLAUSIBLE)
    "implausible": {
        "impossible": ("ej jämförbart: utanför vad enheten tillåter", "not comparable: outside what the unit allows"),
        "outlier": ("ej jämförbart: extremt avvikande värde", "not comparable: an extreme outlier"),
    },
    "direction": {
        "higher": ("högre värde är bättre", "a higher value is better"),
        "lower": ("lägre värde är bättre", "a lower value is better"),
        "none": ("ingen riktning", "no direction"),
    },
    # Goal follow-up (core.goals)
    "assessment": {
        g.MET: ("uppfyllt", "met"),
        g.PARTLY_MET: ("delvis uppfyllt", "partly met"),
        g.NOT_MET: ("inte uppfyllt", "not met"),
        g.NOT_ASSESSABLE: ("kan inte bedömas", "cannot be assessed"),
    },
    "goal_reason": {
        g.R_TARGET_MET: ("målnivån nås", "the target is reached"),
        g.R_WITHIN_TOLERANCE: ("nära målnivån, inom toleransen", "close to the target, within the tolerance"),
        g.R_TARGET_NOT_MET: ("målnivån nås inte", "the target is not reached"),
        g.R_MIDDLE_BAND: (
            "varken bland de 25 procent bästa eller de 25 procent sämsta",
            "neither among the best 25 per cent nor the worst 25 per cent",
        ),
        g.R_NO_VALUE: ("värde saknas", "no value"),
        g.R_NO_TARGET: ("målnivå saknas", "no target level"),
        g.R_NOT_PUBLISHED: ("uppgiften är inte publicerad ännu", "not published yet"),
        g.R_NOT_COMPARABLE: ("går inte att jämföra", "cannot be compared"),
        g.R_NO_PREVIOUS: ("inget tidigare värde", "no earlier value"),
        g.R_NO_INDICATORS: ("inga indikatorer", "no indicators"),
        g.R_TOO_FEW_ASSESSABLE: ("för få bedömbara indikatorer", "too few indicators can be assessed"),
        g.R_SHARE: ("andelen indikatorer som når målnivån", "the share of indicators that reach their target"),
        g.R_ALL: ("alla indikatorer ska nå målnivån", "every indicator must reach its target"),
        g.R_BOTH_AGREE: ("båda bedömningarna är lika", "both assessments agree"),
        g.R_ONLY_ONE: ("bara den ena bedömningen kan göras", "only one of the assessments can be made"),
        g.R_CAUTIOUS: (
            "bedömningarna skiljer sig, den försiktigare gäller",
            "the assessments differ, the more cautious applies",
        ),
    },
    "goal_target": {
        g.BETTER_THAN_NATIONAL: ("bättre än rikssnittet", "better than the national average"),
        g.BEST_25: ("bland de 25 procent bästa", "among the best 25 per cent"),
        g.NOT_WORST_25: ("inte bland de 25 procent sämsta", "not among the worst 25 per cent"),
        g.BETTER_THAN_SKR: ("bättre än kommungruppen", "better than the municipality group"),
        g.BETTER_THAN_SIMILAR: ("bättre än liknande kommuner", "better than similar municipalities"),
        g.IMPROVED: ("bättre än föregående värde", "better than the previous value"),
    },
}


def lang_index(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    return LANGS.index(lang)


def word(kind: str, code: str, lang: str = "sv") -> str:
    """The phrase of ``code`` as it stands inside a sentence: ``word("band", "best")`` ->
    "bland de 25 procent bästa". Raises KeyError for an unknown kind or code."""
    return WORDS[kind][code][lang_index(lang)]


def label(kind: str, code: str, lang: str = "sv") -> str:
    """The phrase with a capital first letter, for a table cell or a heading: "Bland de 25 procent bästa"."""
    text = word(kind, code, lang)
    return text[:1].upper() + text[1:]


def table(kind: str, lang: str = "sv") -> dict[str, str]:
    """code -> phrase of one kind, for a JSON twin that explains its codes."""
    k = lang_index(lang)
    return {code: pair[k] for code, pair in WORDS[kind].items()}

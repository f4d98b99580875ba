"""What the goal pages print, prepared once per request so that the templates only print strings.

The goal report of a large structure (30 goals, 300 indicators) has to render in well under 100 ms.
Django's template engine charges for every ``{% include %}``, filter, ``{% blocktranslate %}`` and
``get_language()``; per indicator row they added up to most of a second. So this module does the
per-row work once, in plain Python, with the same functions the templates used before:

- numbers through :func:`core.formatting.format_value` (each value/unit/decimals once per request),
  words through :mod:`core.goals_text` and :mod:`web.presentation`, in the request's language;
- the badges (``_assessment.html``, ``_trend.html``, ``_band.html``: word, symbol and class of a code)
  rendered once per code, and the words of the directions translated once per request;
- the per-row sentences of the former ``{% blocktranslate %}`` tags with the same message ids, so a
  translation of one applies here too.

Every row is a dict (the template engine looks up dict keys first) of strings; ``None`` means "not
shown". The markup stays in the templates (``_table.html``, ``_goal_section.html``, ``_indicators.html``).
"""

from __future__ import annotations

from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kommunkvalitet.core import goals as rules
from kommunkvalitet.core.formatting import format_value
from kommunkvalitet.core.goals_text import column_text, reason_text, target_text
from kommunkvalitet.web import presentation
from kommunkvalitet.web.markup import render as render_markup

# An indicator's result cell names the reason for these assessments.
_SHOW_REASON = (rules.NOT_ASSESSABLE, rules.PARTLY_MET)


def _render_each(template: str, codes) -> dict:
    """A badge template (word, symbol and class of a code) rendered once per code: {code: html}."""
    badge = get_template(template)
    return {code: badge.render({"code": code}) for code in codes}


class GoalPresenter:
    """One request's view of a goal report: ``node(n)`` gives what ``_goal_section.html`` and
    ``_table.html`` print of a goal (its rows with ``rows=True``), ``texts(n)`` the column sentences."""

    def __init__(self, report, lang: str):
        self.report = report
        self.lang = lang
        self.rule = report.structure.goal_rule()
        self.subgoals_feed = report.structure.subgoals_feed
        self.badges = _render_each("web/goals/_assessment.html", rules.ASSESSMENTS)
        self.trends = _render_each("web/goals/_trend.html", [*presentation.TRENDS, ""])
        self.bands = _render_each("web/goals/_band.html", [*presentation.BANDS, ""])
        self.directions = {code: str(word) for code, word in presentation.DIRECTIONS.items()}
        self.reasons: dict[str, str] = {}
        self.mean_notes: dict[int, str] = {}
        self.numbers: dict[tuple, str] = {}
        self.own_source = _("Kommunens egen uppgift")
        self.previous_text = _("från %(v)s (%(y)s)")
        self.rank_text = _("plats %(rank)s av %(n)s")
        self.comparison_value = _("jämförelsevärde")

    # --- words and numbers, each once per request ---------------------------------------------------

    def number(self, value, unit: str, decimals: int) -> str:
        key = (value, unit, decimals)
        text = self.numbers.get(key)
        if text is None:
            text = self.numbers[key] = format_value(value, unit, decimals, self.lang)
        return text

    def reason(self, code: str) -> str:
        text = self.reasons.get(code)
        if text is None:
            text = self.reasons[code] = reason_text(code, self.lang)
        return text

    def mean_note(self, n: int) -> str:
        """ "rikssnitt, ovägt medel av 290 kommuner" ("jämförelsevärde" for an entered reference, n 0)."""
        text = self.mean_notes.get(n)
        if text is None:
            text = self.comparison_value
            if n:
                text = ngettext(
                    "rikssnitt, ovägt medel av %(n)s kommun", "rikssnitt, ovägt medel av %(n)s kommuner", n
                ) % {"n": n}
            self.mean_notes[n] = text
        return text

    # --- a goal ---------------------------------------------------------------------------------------

    def texts(self, node) -> dict:
        """Why each column of a goal has its assessment, and the reason of the rules' suggestion."""
        a = node.assessment
        with_subgoals = bool(node.children) and self.subgoals_feed
        return {
            "committee_text": column_text(a.committee, rules.COMMITTEE, self.rule, with_subgoals, self.lang),
            "key_figures_text": column_text(a.key_figures, rules.KEY_FIGURE, self.rule, with_subgoals, self.lang),
            "suggestion_text": reason_text(a.suggestion_reason, self.lang),
        }

    def node(self, node, level: int | None = None, rows: bool = True) -> dict:
        """What the templates need of a goal beyond the node: heading levels, badges, column texts, its
        text or draft and (``rows``) its indicator rows. ``level``: the goal's heading level (council
        goals 2, sub-goals 3, deeper 4; 1 on its own page)."""
        a = node.assessment
        level = level or min(2 + node.depth, 4)
        view = {
            "node": node,
            "goal": node.goal,
            "a": a,
            # Numbers as text: the template engine localizes every number it prints, at a cost.
            "pk": str(node.goal.pk),
            "depth": str(node.depth),
            "h": str(level),
            "h2": str(level + 1),
            "badges": {
                "committee": self.badges[a.committee.assessment],
                "key_figures": self.badges[a.key_figures.assessment],
                "overall": self.badges[a.overall],
                "suggestion": self.badges[a.suggestion],
            },
            "committees": [c.name for c in node.goal.committees.all()],
        }
        if rows:
            text_html = render_markup(node.text.published_text) if node.text else ""
            committee_rows, key_figure_rows = [], []
            for r in node.indicators:
                if r.column == rules.COMMITTEE:
                    committee_rows.append(self.committee_row(r))
                elif r.column == rules.KEY_FIGURE:
                    key_figure_rows.append(self.key_figure_row(r))
            view.update(
                self.texts(node),
                text_html=text_html,
                # The draft is shown only without a published text: draft it only then.
                draft=(node.drafts.get(self.lang) if node.drafts else None) if not text_html else None,
                committee_rows=committee_rows,
                key_figure_rows=key_figure_rows,
            )
        return view

    # --- an indicator row -----------------------------------------------------------------------------

    def _row(self, r) -> dict:
        """The cells both tables share: name, value, target, result and trend."""
        ind = r.indicator
        unit, decimals = ind.unit, ind.decimals
        result = r.result.assessment
        return {
            "name": ind.name,
            "direction": self.directions.get(ind.direction or "", ""),
            "value": self.number(r.value, unit, decimals) if r.value is not None else None,
            "data_year": str(r.data_year),
            "target": target_text(ind.target_kind, r.target, unit, decimals, self.lang),
            "result": self.badges[result],
            "reason": self.reason(r.result.reason) if result in _SHOW_REASON else None,
            "trend": self.trends.get(r.trend or "", self.trends[""]),
            "previous": None
            if r.previous_value is None
            else self.previous_text % {"v": self.number(r.previous_value, unit, decimals), "y": r.previous_year},
            "source": ind.source,
        }

    def committee_row(self, r) -> dict:
        row = self._row(r)
        committee = r.indicator.committee
        row["committee"] = committee.name if committee else None
        return row

    def key_figure_row(self, r) -> dict:
        row = self._row(r)
        unit, decimals = r.indicator.unit, r.indicator.decimals

        def number(x):
            return self.number(x, unit, decimals) if x is not None else None

        row.update(
            kpi=r.indicator.kpi_id or "",
            mean=number(r.national_mean),
            mean_note=self.mean_note(r.n),
            band=self.bands.get(r.band, self.bands[""]) if r.band else None,
            rank=self.rank_text % {"rank": r.rank, "n": r.n} if r.band and r.rank else None,
            skr_mean=number(r.skr_mean),
            similar_mean=number(r.similar_mean),
            riket=number(r.riket),
        )
        return row

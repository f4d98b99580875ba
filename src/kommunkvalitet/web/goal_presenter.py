"""What the goal pages print, prepared once per request so that the templates only print strings.

The goal report of a large structure (30 goals, 300 indicators) has to render in well under 100 ms.
Django's template engine charges for every ``{% include %}``, filter, ``{% blocktranslate %}`` and
``get_language()``; per indicator row they added up to most of a second. So this module does the
per-row work once, in plain Python, with the same functions the templates used before:

- numbers through :func:`core.formatting.format_value` (each value/unit/decimals once per request),
  words through :mod:`core.goals_text` and :mod:`web.presentation`, in the request's language;
- the badges (``_assessment.html``, ``_trend.html``, ``_band.html``: word, symbol and class of a code)
  rendered once per code and language, and the fixed words and sentences translated once per language
  (:func:`_vocabulary`; they hold no data);
- the per-row sentences of the former ``{% blocktranslate %}`` tags with the same message ids, so a
  translation of one applies here too.

Even a lean template loop over 30 goal sections and 300 indicator rows cost more than the rest of the
page (a lookup, condition or escape per cell), so the goal sections and their indicator tables are
written here (:meth:`GoalPresenter.sections`: ``_SECTION``, ``_TABLE`` and the rows, at the end of this module), with the same markup as the template that printed them
before; the rarer parts of a section (a decision, the editing links, a published text) and the rest of
the page stay in templates (``report.html``, ``goal.html``, ``_table.html``, ``_goal_decision.html``,
``_goal_edit_links.html``, ``_goal_published.html``). Every string put into the markup is escaped as the
template engine would escape it (:func:`_html`, once per distinct string).
"""

from __future__ import annotations

import functools
import html
from types import SimpleNamespace

from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kommunkvalitet.core import goals as rules
from kommunkvalitet.core.formatting import format_value
from kommunkvalitet.core.goals_text import column_text, reason_text, target_text
from kommunkvalitet.web import presentation
from kommunkvalitet.web.markup import render as render_markup

# An indicator's result cell names the reason for these assessments.
_SHOW_REASON = (rules.NOT_ASSESSABLE, rules.PARTLY_MET)


def _html(text: str) -> SafeString:
    """``text`` escaped exactly as Django's ``escape`` does (``html.escape``), marked safe."""
    return SafeString(html.escape(text))


# A goal id no goal has: the goal pages' URL is reversed once per page with it, then each goal's id is
# put in its place (Django's reverse() costs a page of 30 goals several milliseconds).
_MARK = 987654321


def _goal_url(municipality_id: str, year: int):
    head, tail = reverse("web:goal", args=[municipality_id, year, _MARK]).rsplit(str(_MARK), 1)
    return lambda pk: f"{head}{pk}{tail}"


def _render_each(template: str, codes) -> dict:
    """A badge template (word, symbol and class of a code) rendered once per code: {code: html}."""
    badge = get_template(template)
    return {code: badge.render({"code": code}) for code in codes}


def _head(*columns: tuple[str, str]) -> SafeString:
    """A table's column heads, (word, attributes) each, one line each as the template had them."""
    return SafeString("\n".join(f'    <th scope="col"{attrs}>{_html(word)}</th>' for word, attrs in columns))


@functools.lru_cache(maxsize=4)
def _vocabulary(lang: str) -> SimpleNamespace:
    """What the pages print of codes, and their fixed sentences, in a language: the same for every
    request (no data), so made once per process, like the templates themselves."""
    with translation.override(lang):
        return SimpleNamespace(
            badges=_render_each("web/goals/_assessment.html", rules.ASSESSMENTS),
            trends=_render_each("web/goals/_trend.html", [*presentation.TRENDS, ""]),
            bands=_render_each("web/goals/_band.html", [*presentation.BANDS, ""]),
            directions={code: _html(str(word)) for code, word in presentation.DIRECTIONS.items()},
            no_direction=_html(""),
            # The sentences of the former {% blocktranslate %} tags (same message ids), escaped once: the
            # values put into them are escaped already.
            previous_text=_html(_("från %(v)s (%(y)s)")),
            rank_text=_html(_("plats %(rank)s av %(n)s")),
            comparison_value=_html(_("jämförelsevärde")),
            # A goal section's fixed words (the sections are written here, see _SECTION).
            section={
                key: _html(word)
                for key, word in (
                    ("subgoal_label", _("Delmål:")),
                    ("perspective_label", _("Perspektiv:")),
                    ("committees_label", _("Nämnder:")),
                    ("assessment_heading", _("Bedömning")),
                    ("committee_column", _("Bedömning utifrån nämndernas indikatorer")),
                    ("key_figure_column", _("Bedömning utifrån relevanta nyckeltal")),
                    ("combined_column", _("Sammanvägd bedömning")),
                    ("no_decision", _("regelns förslag; inget beslut är fattat")),
                    ("text_heading", _("Kommentar")),
                    ("draft_label", _("Automatiskt utkast utifrån siffrorna")),
                    (
                        "draft_note",
                        _(
                            "texten är skriven automatiskt med fasta regler. Den är ett underlag, inte kommunens bedömning."
                        ),
                    ),
                    ("no_text", _("Kommunen har inte publicerat någon kommentar till målet ännu.")),
                    ("indicators_heading", _("Indikatorer och nyckeltal")),
                    ("no_indicators", _("Målet har inga egna indikatorer eller nyckeltal.")),
                    ("from_subgoals", _("Det bedöms utifrån sina delmål.")),
                )
            },  # fmt: skip
            # The column heads of the two indicator tables (the tables are written here, see _TABLE).
            committee_head=_head(
                (_("Indikator"), ""),
                (_("Värde"), ' class="num"'),
                (_("Målnivå"), ""),
                (_("Resultat"), ""),
                (_("Förändring"), ""),
                (_("Källa"), ""),
            ),
            key_figure_head=_head(
                (_("Nyckeltal"), ""),
                (_("Värde"), ' class="num"'),
                (_("Rikssnitt eller jämförelsevärde"), ""),
                (_("Jämfört med andra kommuner"), ""),
                (_("Målnivå"), ""),
                (_("Resultat"), ""),
                (_("Förändring"), ""),
            ),
            value_missing=SafeString(f'<span class="missing">– {_html(_("uppgift saknas"))}</span>'),
            mean_missing=SafeString(f'<span class="missing">– {_html(_("saknas"))}</span>'),
            own_source=_html(_("Kommunens egen uppgift")),
            source_label=_html(_("Källa:")),
            skr_label=_html(_("Kommungrupp")),
            similar_label=_html(_("Liknande kommuner")),
            riket_label=_html(_("Riket")),
            weighted=_html(_("viktat")),
            # A goal's sentences with its title (HTML, as the template had them).
            title_texts={
                "history_link": _('Målets sida och historik<span class="visually-hidden">: %(title)s</span>'),
                "committee_caption": _("Nämndernas indikatorer: %(title)s"),
                "key_figure_caption": _("Relevanta nyckeltal: %(title)s"),
            },
        )


class GoalPresenter:
    """One request's view of a goal report: ``node(n)`` gives what ``_goal_sections.html`` and
    ``_table.html`` print of a goal (its rows with ``rows=True``), ``texts(n)`` the column sentences."""

    def __init__(self, report, lang: str):
        self.report = report
        self.lang = lang
        self.rule = report.structure.goal_rule()
        self.subgoals_feed = report.structure.subgoals_feed
        # Made anew in development (DEBUG), where the badge templates may be edited while the server runs.
        self.words = _vocabulary.__wrapped__(lang) if settings.DEBUG else _vocabulary(lang)
        self.goal_url = _goal_url(report.municipality.id, report.year)
        self._numbers: dict[tuple, SafeString] = {}
        self._targets: dict[tuple, str] = {}
        self._targets_html: dict[tuple, SafeString] = {}
        self._reasons: dict[str, str] = {}
        self._reasons_html: dict[str, SafeString] = {}
        self._mean_notes: dict[int, SafeString] = {}
        self._names: dict[str, SafeString] = {}

    # --- words and numbers, each once per request ---------------------------------------------------

    def number(self, value, unit: str, decimals: int) -> SafeString:
        key = (value, unit, decimals)
        text = self._numbers.get(key)
        if text is None:
            text = self._numbers[key] = _html(format_value(value, unit, decimals, self.lang))
        return text

    def target_text(self, kind: str, target, unit: str, decimals: int) -> str:
        """:func:`core.goals_text.target_text`, once per target: "målnivå 90 %", "bättre än rikssnittet" ..."""
        key = (kind, target, unit, decimals)
        text = self._targets.get(key)
        if text is None:
            text = self._targets[key] = target_text(kind, target, unit, decimals, self.lang)
        return text

    def reason_text(self, code: str) -> str:
        text = self._reasons.get(code)
        if text is None:
            text = self._reasons[code] = reason_text(code, self.lang)
        return text

    def target(self, kind: str, target, unit: str, decimals: int) -> SafeString:
        key = (kind, target, unit, decimals)
        text = self._targets_html.get(key)
        if text is None:
            text = self._targets_html[key] = _html(self.target_text(kind, target, unit, decimals))
        return text

    def reason(self, code: str) -> SafeString:
        text = self._reasons_html.get(code)
        if text is None:
            text = self._reasons_html[code] = _html(self.reason_text(code))
        return text

    def name(self, text: str) -> SafeString:
        """A committee's name or a source: a handful of distinct ones."""
        out = self._names.get(text)
        if out is None:
            out = self._names[text] = _html(text)
        return out

    def mean_note(self, n: int) -> SafeString:
        """ "rikssnitt, ovägt medel av 290 kommuner" ("jämförelsevärde" for an entered reference, n 0)."""
        text = self._mean_notes.get(n)
        if text is None:
            text = self.words.comparison_value
            if n:
                text = _html(
                    ngettext("rikssnitt, ovägt medel av %(n)s kommun", "rikssnitt, ovägt medel av %(n)s kommuner", n)
                    % {"n": n}
                )
            self._mean_notes[n] = text
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
            "pk": _html(str(node.goal.pk)),
            "depth": _html(str(node.depth)),
            "h": _html(str(level)),
            "h2": _html(str(level + 1)),
            "title": _html(node.goal.title),
            "badges": {
                "committee": self.words.badges[a.committee.assessment],
                "key_figures": self.words.badges[a.key_figures.assessment],
                "overall": self.words.badges[a.overall],
                "suggestion": self.words.badges[a.suggestion],
            },
            "committees": [c.name for c in node.committees],
        }
        if rows:
            title = {"title": view["title"]}
            view.update({key: SafeString(text % title) for key, text in self.words.title_texts.items()})
            view["url"] = self.goal_url(node.goal.pk)
            text_html = render_markup(node.text.published_text) if node.text else ""
            committee = [r for r in node.indicators if r.column == rules.COMMITTEE]
            key_figures = [r for r in node.indicators if r.column == rules.KEY_FIGURE]
            view.update(
                self.texts(node),
                text_html=text_html,
                # The draft is shown only without a published text: draft it only then.
                draft=(node.drafts.get(self.lang) if node.drafts else None) if not text_html else None,
                indicator_tables=self.indicator_tables(view, committee, key_figures),
            )
        return view

    def sections(self, views: list[dict], context: dict, own_page: bool = False) -> SafeString:
        """Each goal of ``views`` (from :meth:`node` with rows) as its section of the page: assessment, text
        or draft, indicator tables and history link. ``context``: the page's (``can_edit``, ``query``,
        ``municipality``, ``year``). The rarer parts (a decision, the editing links, a published text)
        come from their own templates; the rest is written here (``_SECTION``): a template over 30 goals
        cost the report a sixth of its time."""
        words = self.words.section
        can_edit, query = context.get("can_edit"), context.get("query", "")
        out = []
        for v in views:
            node, goal, pk = v["node"], v["goal"], v["pk"]
            heading = ""
            if not own_page:
                hidden = f'<span class="visually-hidden">{words["subgoal_label"]} </span>' if node.depth else ""
                heading = f'<h{v["h"]} id="mal-{pk}-rubrik">{hidden}{v["title"]}</h{v["h"]}>'
            meta = []
            if goal.perspective:
                meta.append(f"{words['perspective_label']} {_html(goal.perspective)}")
            if v["committees"]:
                meta.append(f"{words['committees_label']} {', '.join(_html(c) for c in v['committees'])}")
            parts = {
                "depth": v["depth"], "pk": pk, "h2": v["h2"],
                "labelledby": "" if own_page else f' aria-labelledby="mal-{pk}-rubrik"',
                "heading": heading,
                "meta": f'<p class="muted small">{" · ".join(meta)}</p>' if meta else "",
                "description": f"<p>{linebreaksbr(goal.description, autoescape=True)}</p>" if goal.description else "",
                "committee_badge": v["badges"]["committee"], "committee_text": _html(v["committee_text"]),
                "key_figures_badge": v["badges"]["key_figures"], "key_figures_text": _html(v["key_figures_text"]),
                "combined": self._combined(v, words),
                "edit_links": get_template("web/goals/_goal_edit_links.html").render({**context, "v": v})
                if can_edit
                else "",
                "text": self._text(v, words),
                "indicators_title": f'<h{v["h2"]} id="mal-{pk}-indikatorer">{words["indicators_heading"]}</h{v["h2"]}>'
                if node.indicators
                else "",
                "indicator_tables": v["indicator_tables"],
                "no_indicators_note": "" if node.indicators else
                f'<p class="muted">{words["no_indicators"]}{" " + words["from_subgoals"] if node.children else ""}</p>',
                "history": "" if own_page else
                f'<p class="small"><a href="{v["url"]}{_html(query)}">{v["history_link"]}</a></p>',
            }  # fmt: skip
            out.append(_SECTION.format(**parts, **words))
        return SafeString("".join(out))

    def _combined(self, v: dict, words: dict) -> str:
        """The combined assessment: the decision (its own template) or the rules' suggestion."""
        if v["node"].decision:
            return get_template("web/goals/_goal_decision.html").render(v)
        return (
            f'\n      {v["badges"]["suggestion"]} <span class="small">({words["no_decision"]}) – '
            f"{_html(v['suggestion_text'])}.</span>\n    "
        )

    def _text(self, v: dict, words: dict) -> str:
        """The published text (its own template), else the automatic draft, else a note that there is none."""
        if v["text_html"]:
            return get_template("web/goals/_goal_published.html").render(v)
        draft = v["draft"]
        if not draft:
            return f'\n    <p class="muted">{words["no_text"]}</p>\n  '
        paragraphs = "".join(f"<p>{_html(p)}</p>" for p in draft.paragraphs)
        bullets = f"<ul>{''.join(f'<li>{_html(b)}</li>' for b in draft.bullets)}</ul>" if draft.bullets else ""
        return (
            f'\n    <div class="draft">\n      <p><strong>{words["draft_label"]}</strong> <span class="small">– '
            f"{words['draft_note']}</span></p>\n      {paragraphs}\n      {bullets}\n    </div>\n  "
        )

    # --- an indicator row -----------------------------------------------------------------------------

    def _cells(self, r) -> dict:
        """The cells both tables share: name, direction, value, data year, target, result and trend."""
        ind = r.indicator
        unit, decimals = ind.unit, ind.decimals
        words = self.words
        result = r.result.assessment
        trend = words.trends.get(r.trend or "", words.trends[""])
        if r.previous_value is not None:
            v = self.number(r.previous_value, unit, decimals)
            previous = words.previous_text % {"v": v, "y": r.previous_year}  # a year: digits, nothing to escape
            trend = f'{trend}<br><span class="small">{previous}</span>'
        result_html = words.badges[result]
        if result in _SHOW_REASON:
            result_html = f'{result_html}<br><span class="small">{self.reason(r.result.reason)}</span>'
        return {
            "name": _html(ind.name),
            "direction": words.directions.get(ind.direction or "", words.no_direction),
            "value": f"<strong>{self.number(r.value, unit, decimals)}</strong>"
            if r.value is not None
            else words.value_missing,
            "data_year": r.data_year,
            "target": self.target(ind.target_kind, r.target, unit, decimals),
            "result": result_html,
            "trend": trend,
        }

    def indicator_tables(self, view: dict, committee: list, key_figures: list) -> SafeString:
        """A goal's table of committee indicators and its table of key figures (each only with rows)."""
        pk, words = view["pk"], self.words
        tables = [
            _TABLE.format(id=f"ind-{pk}", caption=view["committee_caption"], head=words.committee_head,
                          rows=self.committee_rows(committee)) if committee else "",
            _TABLE.format(id=f"kpi-{pk}", caption=view["key_figure_caption"], head=words.key_figure_head,
                          rows=self.key_figure_rows(key_figures, pk)) if key_figures else "",
        ]  # fmt: skip
        return SafeString("\n".join(tables))

    def committee_rows(self, rows) -> SafeString:
        """The rows of a goal's table of committee indicators (``_COMMITTEE_ROW`` each)."""
        out = []
        for r in rows:
            committee = r.indicator.committee
            out.append(_COMMITTEE_ROW.format(
                **self._cells(r),
                committee=f'<br><span class="muted small">{self.name(committee.name)}</span>'
                if committee and committee.name
                else "",
                source=self.name(r.indicator.source) if r.indicator.source else self.words.own_source,
            ))  # fmt: skip
        return SafeString("".join(out))

    def key_figure_rows(self, rows, goal_pk: SafeString) -> SafeString:
        """The rows of a goal's table of key figures (``_KEY_FIGURE_ROW`` each)."""
        words = self.words
        out = []
        for r in rows:
            ind = r.indicator
            unit, decimals = ind.unit, ind.decimals

            def number(x, unit=unit, decimals=decimals):
                return self.number(x, unit, decimals) if x is not None else None

            kpi = self.name(ind.kpi_id) if ind.kpi_id else ""
            mean = number(r.national_mean)
            band = words.bands.get(r.band, words.bands[""]) if r.band else ""
            if band and r.rank:
                band = f"{band}<br>{words.rank_text % {'rank': r.rank, 'n': r.n}}"
            refs = [
                f"<li>{label}: {x}</li>" if x else ""
                for label, x in (
                    (words.skr_label, number(r.skr_mean)),
                    (words.similar_label, number(r.similar_mean)),
                    (words.riket_label, f'{number(r.riket)} <span class="muted">({words.weighted})</span>'
                     if r.riket is not None else None),
                )
            ]  # fmt: skip
            if any(refs):
                compared = '<ul class="refs">\n          ' + "\n          ".join(refs) + "\n        </ul>"
            else:
                compared = "" if band else "–"
            out.append(_KEY_FIGURE_ROW.format(
                **self._cells(r),
                id=f' id="mal-{goal_pk}-{kpi}"' if kpi else "",
                source=f"Kolada {kpi}" if kpi else f"{words.source_label} {self.name(ind.source) if ind.source else '–'}",
                mean=f'<strong>{mean}</strong><br><span class="muted small">{self.mean_note(r.n)}</span>'
                if mean is not None
                else words.mean_missing,
                band=band,
                compared=compared,
            ))  # fmt: skip
        return SafeString("".join(out))


# A goal's section of the report (the goal's own page has no heading and no history link), written here
# rather than in a template: see GoalPresenter.sections. The markup is byte for byte what the former
# template (_goal_sections.html) printed, blank lines between sections aside.
_SECTION = """
<section class="goal depth-{depth}" id="mal-{pk}"{labelledby}>
  {heading}
  {meta}
  {description}

  <h{h2} id="mal-{pk}-bedomning">{assessment_heading}</h{h2}>
  <dl class="assessment">
    <dt>{committee_column}</dt>
    <dd>{committee_badge} <span class="small">– {committee_text}</span></dd>
    <dt>{key_figure_column}</dt>
    <dd>{key_figures_badge} <span class="small">– {key_figures_text}</span></dd>
    <dt>{combined_column}</dt>
    <dd>
    {combined}
    </dd>
  </dl>
  {edit_links}

  <h{h2} id="mal-{pk}-text">{text_heading}</h{h2}>
  {text}

  {indicators_title}
{indicator_tables}
{no_indicators_note}
  {history}
</section>
"""
# A goal's indicator tables and their rows: a template's per-row lookups, conditions and escaping cost
# most of the report's time with 300 rows. Every value put in is escaped already (the presenter's strings
# are HTML); the tables are byte for byte what the template printed (its indentation included), so the
# page's markup and its accessibility checks are unchanged.
_TABLE = """
<div class="tablewrap" tabindex="0" role="region" aria-labelledby="{id}">
<table class="indicators">
  <caption id="{id}">{caption}</caption>
  <thead><tr>
{head}
  </tr></thead>
  <tbody>
  {rows}
  </tbody>
</table>
</div>
"""
_COMMITTEE_ROW = """
    <tr>
      <th scope="row">{name}{committee}<br><span class="muted small">{direction}</span></th>
      <td class="num">{value}<br><span class="muted small">{data_year}</span></td>
      <td class="small">{target}</td>
      <td>{result}</td>
      <td>{trend}</td>
      <td class="small">{source}</td>
    </tr>
  """
_KEY_FIGURE_ROW = """
    <tr{id}>
      <th scope="row">{name}<br><span class="muted small">{source} · {direction}</span></th>
      <td class="num">{value}<br><span class="muted small">{data_year}</span></td>
      <td class="num">{mean}</td>
      <td class="small">{band}
        {compared}</td>
      <td class="small">{target}</td>
      <td>{result}</td>
      <td>{trend}</td>
    </tr>
  """

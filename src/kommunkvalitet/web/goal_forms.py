"""The forms that build and fill in a goal structure: plain Django forms (no model forms: the store is
the only place that knows the schema). Every field has a Swedish label, help text where it helps and
Swedish error messages; :class:`AccessibleForm` gives the templates an error summary with links."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kommunkvalitet import config
from kommunkvalitet.core import goals as rules
from kommunkvalitet.core.formatting import parse_number
from kommunkvalitet.store.models import GoalStructure, Indicator

REQUIRED = _("Fyll i fältet.")
UNITS = [
    ("", _("Inget (bara talet)")),
    ("percent", _("Procent (%)")),
    ("count", _("Antal")),
    ("days", _("Dagar")),
    ("hours", _("Timmar")),
    ("kr", _("Kronor (kr)")),
    ("kr_per_inhabitant", _("Kronor per invånare (kr/inv)")),
    ("index", _("Index")),
    ("points", _("Poäng")),
]
AUTO = "auto"  # unit or direction "as the key figure has it"


class NumberField(forms.CharField):
    """A decimal number as Swedes write it: "72,5", "72.5", "1 234,5", "−3"; empty is None."""

    default_error_messages = {"invalid": _("Skriv ett tal, till exempel 72,5.")}

    def __init__(self, *, min_value: float | None = None, max_value: float | None = None, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            number = parse_number(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if abs(number) > 1e12:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(_("Talet får inte vara mindre än %(n)s.") % {"n": _fmt(self.min_value)})
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(_("Talet får inte vara större än %(n)s.") % {"n": _fmt(self.max_value)})
        return number

    def prepare_value(self, value):
        if isinstance(value, float):
            return _fmt(value)
        return value


def _fmt(v: float) -> str:
    return (f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))).replace(".", ",")


def _int_field(label, *, required=False, min_value=None, max_value=None, help_text="", initial=None):
    messages = {
        "required": REQUIRED,
        "invalid": _("Skriv ett heltal."),
        "min_value": _("Talet får inte vara mindre än %(limit_value)s."),
        "max_value": _("Talet får inte vara större än %(limit_value)s."),
    }
    return forms.IntegerField(
        label=label, required=required, min_value=min_value, max_value=max_value, help_text=help_text,
        initial=initial, error_messages=messages,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}),
    )  # fmt: skip


class AccessibleForm(forms.Form):
    """A form whose errors the template lists at the top, each linking to its field."""

    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if not isinstance(f, forms.ChoiceField | forms.FileField):
                f.error_messages["required"] = REQUIRED

    def error_summary(self) -> list[dict]:
        out = [{"anchor": "", "label": "", "message": e} for e in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS or name not in self.fields:
                continue
            bf = self[name]
            anchor = f"{bf.auto_id}_0" if bf.use_fieldset else (bf.id_for_label or bf.auto_id)
            out.extend({"anchor": anchor, "label": bf.label, "message": e} for e in errors)
        return out


def _radio(label, choices, *, help_text="", initial=None, required=True):
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, help_text=help_text, initial=initial,
        required=required, error_messages={"required": _("Välj ett av alternativen."),
                                           "invalid_choice": _("Välj ett av alternativen.")},
    )  # fmt: skip


def _share_field(label, help_text, initial):
    return NumberField(label=label, help_text=help_text, required=True, min_value=0, max_value=100, initial=initial)


class StructureForm(AccessibleForm):
    """A structure's settings; ``with_year`` for a new one (the year of an existing one stays)."""

    year = _int_field(_("År"), required=True, min_value=2000, max_value=2100,
                      help_text=_("Året som målen gäller, t.ex. 2024."))  # fmt: skip
    title = forms.CharField(
        label=_("Rubrik"), max_length=200, initial="Kommunfullmäktiges mål",
        help_text=_("Visas överst i målrapporten."),
    )  # fmt: skip
    rule = _radio(_("Regel för målens bedömning"), GoalStructure.Rule.choices, initial=rules.RULE_SHARE,
                  help_text=_("Hur ett mål bedöms utifrån sina indikatorer."))  # fmt: skip
    met_share = _share_field(
        _("Gräns för Uppfyllt (procent)"),
        _("Så stor andel av de bedömningsbara indikatorerna ska nå målnivån för att målet ska vara uppfyllt."),
        75,
    )
    partly_share = _share_field(
        _("Gräns för Delvis uppfyllt (procent)"), _("Andelen som behövs för att målet ska vara delvis uppfyllt."), 50
    )
    min_assessable_share = _share_field(
        _("Minsta andel bedömningsbara indikatorer (procent)"),
        _("Är färre indikatorer än så bedömningsbara kan målet inte bedömas."),
        50,
    )
    subgoals_feed = forms.BooleanField(
        label=_("Delmålens bedömning räknas in i målets"), required=False, initial=True,
        help_text=_("Varje delmål räknas då som en indikator till i målets bedömning."),
    )  # fmt: skip
    interim_end = forms.DateField(
        label=_("Delårets sista dag"), required=False,
        help_text=_("Lämna tomt om ni inte följer upp målen i delår. Skriv datumet som 2024-08-31."),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"size": 12, "autocomplete": "off"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Skriv datumet som år-månad-dag, t.ex. 2024-08-31.")},
    )  # fmt: skip

    def __init__(self, *args, with_year: bool = True, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_year = year
        if not with_year:
            del self.fields["year"]
        else:
            self.fields["year"].initial = datetime.date.today().year

    @classmethod
    def initial_from(cls, s: GoalStructure) -> dict:
        return {
            "title": s.title, "rule": s.rule, "met_share": s.met_share * 100, "partly_share": s.partly_share * 100,
            "min_assessable_share": s.min_assessable_share * 100, "subgoals_feed": s.subgoals_feed,
            "interim_end": s.interim_end,
        }  # fmt: skip

    def clean(self):
        data = super().clean()
        met, partly = data.get("met_share"), data.get("partly_share")
        if met is not None and partly is not None and partly > met:
            self.add_error(
                "partly_share", _("Gränsen för Delvis uppfyllt kan inte vara högre än gränsen för Uppfyllt.")
            )
        year, end = data.get("year") or self.fixed_year, data.get("interim_end")
        if year and end and end.year != year:
            self.add_error("interim_end", _("Delårets sista dag ska ligga i år %(y)s.") % {"y": year})
        return data

    def settings(self) -> dict:
        """The cleaned settings as the store takes them (shares as fractions)."""
        d = self.cleaned_data
        return {
            "title": d["title"], "rule": d["rule"], "met_share": d["met_share"] / 100,
            "partly_share": d["partly_share"] / 100, "min_assessable_share": d["min_assessable_share"] / 100,
            "subgoals_feed": d["subgoals_feed"], "interim_end": d["interim_end"],
        }  # fmt: skip


class GoalForm(AccessibleForm):
    title = forms.CharField(label=_("Målets rubrik"), max_length=300,
                            widget=forms.TextInput(attrs={"size": 60}))  # fmt: skip
    perspective = forms.CharField(
        label=_("Perspektiv eller vision"), max_length=200, required=False,
        help_text=_("T.ex. Medborgare, Verksamhet eller Ekonomi. Kan lämnas tomt."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Beskrivning"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vad målet innebär, med egna ord. Kan lämnas tomt."),
    )  # fmt: skip
    parent = forms.ChoiceField(
        label=_("Delmål till"), required=False,
        help_text=_("Välj ett mål om det här är ett delmål (nämndmål); annars är det ett av fullmäktiges mål."),
    )  # fmt: skip
    order = _int_field(_("Ordning"), min_value=0, max_value=999,
                       help_text=_("Lägre tal visas först. Lämna tomt för att lägga målet sist."))  # fmt: skip
    committees = forms.MultipleChoiceField(
        label=_("Ansvariga nämnder"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Välj bland kommunens nämnder. Finns nämnden inte, skriv dess namn i fältet nedan."),
    )  # fmt: skip
    new_committees = forms.CharField(
        label=_("Nya nämnder"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("En nämnd per rad, t.ex. Socialnämnden."),
    )  # fmt: skip

    def __init__(self, *args, parents=(), committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("Inget – ett av fullmäktiges mål"))] + [
            (str(g.pk), g.title) for g in parents
        ]
        self.fields["committees"].choices = [(str(c.pk), c.name) for c in committees]

    def new_committee_names(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data.get("new_committees", "").splitlines()]
        return [n for n in names if n]

    def clean_new_committees(self):
        text = self.cleaned_data["new_committees"]
        for name in text.splitlines():
            if len(name.strip()) > 200:
                raise ValidationError(_("Ett nämndnamn får vara högst 200 tecken."))
        return text


class KpiSearchForm(AccessibleForm):
    """The GET form that finds Kolada key figures (the page lists them as radio buttons)."""

    q = forms.CharField(
        label=_("Sök nyckeltal i Kolada"), required=False, max_length=200,
        help_text=_("Skriv ord ur nyckeltalets namn eller dess id, t.ex. personalkontinuitet eller U21401. "
                    "Å, ä och ö kan skrivas som a och o."),
        widget=forms.TextInput(attrs={"type": "search", "size": 40}),
    )  # fmt: skip


ALLOWED_TARGET_KINDS = {
    Indicator.Kind.OWN: (rules.LEVEL,),
    Indicator.Kind.EXTERNAL: (rules.LEVEL, rules.BETTER_THAN_NATIONAL),
    Indicator.Kind.KPI: rules.TARGET_KINDS,
}


class IndicatorForm(AccessibleForm):
    kind = _radio(_("Slag av indikator"), Indicator.Kind.choices, initial=Indicator.Kind.OWN,
                  help_text=_("En egen indikator eller ett nyckeltal från annan källa skriver ni in värdet för; "
                              "ett nyckeltal från Kolada hämtas."))  # fmt: skip
    kpi = forms.ChoiceField(
        label=_("Nyckeltal från Kolada"), required=False, widget=forms.RadioSelect,
        help_text=_("Sök först i sökrutan ovan; träffarna visas här."),
        error_messages={"invalid_choice": _("Välj ett av nyckeltalen i listan.")},
    )  # fmt: skip
    name = forms.CharField(
        label=_("Namn"), required=False, max_length=300, widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Lämnas det tomt för ett nyckeltal används nyckeltalets namn i Kolada."),
    )  # fmt: skip
    committee = forms.ChoiceField(label=_("Ansvarig nämnd"), required=False,
                                  help_text=_("Den nämnd som följer upp indikatorn."))  # fmt: skip
    new_committee = forms.CharField(label=_("Eller en ny nämnd"), required=False, max_length=200,
                                    help_text=_("Skriv namnet om nämnden inte finns i listan."))  # fmt: skip
    unit = forms.ChoiceField(label=_("Enhet"), required=False, choices=UNITS)
    decimals = _int_field(_("Antal decimaler"), min_value=0, max_value=4,
                          help_text=_("0–4. Lämnas det tomt för ett nyckeltal används nyckeltalets."))  # fmt: skip
    direction = _radio(
        _("Riktning"),
        [(AUTO, _("Som nyckeltalet (bara för nyckeltal från Kolada)"))] + list(Indicator.Direction.choices),
        initial=Indicator.Direction.HIGHER,
    )
    target_kind = _radio(
        _("Slag av målnivå"), Indicator.TargetKind.choices, initial=rules.LEVEL,
        help_text=_("En egen indikator har alltid en målnivå; ett nyckeltal från annan källa kan också jämföras "
                    "med rikssnittet; ett nyckeltal från Kolada med alla jämförelserna."),
    )  # fmt: skip
    target = NumberField(label=_("Målnivå"), help_text=_("Målnivån för året, i indikatorns enhet."))
    tolerance = NumberField(
        label=_("Tolerans"), min_value=0,
        help_text=_("Så långt från målnivån räknas som Delvis uppfyllt, i indikatorns enhet. Kan lämnas tomt."),
    )  # fmt: skip
    baseline_value = NumberField(label=_("Utgångsvärde"), help_text=_("Värdet när målet sattes. Kan lämnas tomt."))
    baseline_year = _int_field(_("Utgångsvärdets år"), min_value=1990, max_value=2100)
    weight = NumberField(label=_("Vikt"), min_value=0, max_value=1000, initial=1.0,
                         help_text=_("Används bara med regeln Viktad andel. 1 om inget annat sägs."))  # fmt: skip
    source = forms.CharField(label=_("Källa"), required=False, max_length=500,
                             help_text=_("Var värdet kommer ifrån, t.ex. Egen mätning eller SCB."))  # fmt: skip
    data_year_offset = _int_field(
        _("Uppgifternas år i förhållande till målåret"), min_value=-5, max_value=0,
        help_text=_("0 om uppgifterna avser samma år, -1 om de avser året före. Lämnas det tomt för ett "
                    "nyckeltal används det vanliga för nyckeltalet."),
    )  # fmt: skip
    value_year = NumberField(label=_("Värde för helåret"))
    reference_year = NumberField(label=_("Jämförelsevärde för helåret"),
                                 help_text=_("För ett nyckeltal från annan källa: t.ex. riksmedel."))  # fmt: skip
    note_year = forms.CharField(label=_("Anteckning om helårets värde"), required=False, max_length=500)
    value_interim = NumberField(label=_("Värde för delåret"))
    reference_interim = NumberField(label=_("Jämförelsevärde för delåret"),
                                    help_text=_("För ett nyckeltal från annan källa: t.ex. riksmedel."))  # fmt: skip
    note_interim = forms.CharField(label=_("Anteckning om delårets värde"), required=False, max_length=500)

    VALUE_FIELDS = ("value_year", "reference_year", "note_year", "value_interim", "reference_interim",
                    "note_interim")  # fmt: skip

    def __init__(self, *args, kpis=(), committees=(), interim: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [(k.pk, f"{k.title} ({k.pk})") for k in kpis]
        self.fields["committee"].choices = [("", _("Ingen vald"))] + [(str(c.pk), c.name) for c in committees]
        self.fields["unit"].choices = [(AUTO, _("Som nyckeltalet (bara för nyckeltal från Kolada)"))] + UNITS
        if not interim:
            for name in ("value_interim", "reference_interim", "note_interim"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Indicator.Kind.KPI:
            if not data.get("kpi"):
                self.add_error("kpi", _("Sök efter nyckeltalet och välj det i listan."))
        elif kind:
            if not data.get("name"):
                self.add_error("name", _("Skriv indikatorns namn."))
            if data.get("direction") == AUTO:
                self.add_error("direction", _("Välj en riktning: bara ett nyckeltal från Kolada har en egen."))
            if data.get("unit") == AUTO:
                data["unit"] = ""
        target_kind = data.get("target_kind")
        if kind and target_kind and target_kind not in ALLOWED_TARGET_KINDS[kind]:
            allowed = ", ".join(str(Indicator.TargetKind(k).label) for k in ALLOWED_TARGET_KINDS[kind])
            self.add_error("target_kind", _("För det här slaget av indikator går det bara: %(k)s.") % {"k": allowed})
        if data.get("weight") is None:
            data["weight"] = 1.0
        return data


ASSESSMENT_CHOICES = [(rules.MET, "Uppfyllt"), (rules.PARTLY_MET, "Delvis uppfyllt"), (rules.NOT_MET, "Inte uppfyllt"),
                      (rules.NOT_ASSESSABLE, "Kan inte bedömas")]  # fmt: skip


class DecisionForm(AccessibleForm):
    assessment = _radio(_("Sammanvägd bedömning"), ASSESSMENT_CHOICES,
                        help_text=_("Regelns förslag är förvalt."))  # fmt: skip
    motivation = forms.CharField(
        label=_("Motivering"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Måste fyllas i om bedömningen skiljer sig från regelns förslag."),
    )  # fmt: skip

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices:
            self.fields["assessment"].choices = choices


class GoalTextForm(AccessibleForm):
    text = forms.CharField(
        label=_("Text om målet"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20_000,
        help_text=_("Stycken skiljs åt med en tom rad. **fet**, *kursiv*, listor med - och länkar [text](https://…)."),
    )  # fmt: skip
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)


class ImportForm(AccessibleForm):
    """The goal workbook's upload: an .xlsx file of at most ``KOMMUNKVALITET_UPLOAD_MAX_MB``, not a
    macro-enabled one. Its content (a real workbook, no macros, not a zip bomb) is checked by the
    import (``sources.spreadsheets.check_workbook``), whose errors the view puts on this field."""

    file = forms.FileField(
        label=_("Excelfil (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("Välj en fil."), "empty": _("Filen är tom."),
                        "invalid": _("Det gick inte att läsa filen.")},
    )  # fmt: skip

    def __init__(self, *args, too_big: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_mb = config.upload_max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = _("Högst %(mb)s MB. Använd gärna den nedladdade filen som mall.") % {
            "mb": self.max_mb
        }
        self.too_big = too_big
        if too_big:  # the upload handler stopped reading it: there is no file to require
            self.fields["file"].required = False

    def _too_big(self) -> ValidationError:
        return ValidationError(_("Filen är för stor: högst %(mb)s MB.") % {"mb": self.max_mb})

    def clean_file(self):
        f = self.cleaned_data["file"]
        if self.too_big:
            raise self._too_big()
        if not f.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Filen måste vara en Excelfil som slutar på .xlsx."))
        if "macroenabled" in (f.content_type or "").lower():
            raise ValidationError(MACROS)
        if f.size > self.max_mb * 1024 * 1024:
            raise self._too_big()
        return f


MACROS = _("Filen innehåller makron (en .xlsm-arbetsbok). Spara den som en vanlig Excel-arbetsbok (.xlsx).")

"""The search state as it travels in the URL, validated into a SearchRequest.

Pages, the JSON API, the chart, the CSV export and the Atom feed all read the same parameters through
these forms, so a search can be shared as a link and refused the same way everywhere.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from archive.models import Annotation, Source
from archive.search.service import SearchRequest

MAX_VALUES = 50
DATE_FORMAT = "%Y-%m-%d"


class QueryField(forms.Field):
    """The free text query, kept as typed: the query parser repairs what is malformed and says so."""

    widget = forms.TextInput(attrs={"type": "search"})

    def to_python(self, value):
        return "" if value in self.empty_values else str(value)


class ValuesField(forms.Field):
    """A repeated parameter (source=a&source=b), de-duplicated in order."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        cleaned = list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
        if len(cleaned) > MAX_VALUES:
            raise forms.ValidationError(
                _("لا يزيد عدد القيم على %(max)d."), code="too_many", params={"max": MAX_VALUES}
            )
        return cleaned


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format=DATE_FORMAT)


class SearchForm(forms.Form):
    SORTS = [
        ("", _("تلقائي")),
        ("relevance", _("الأكثر صلة")),
        ("newest", _("الأحدث أولًا")),
        ("oldest", _("الأقدم أولًا")),
    ]

    q = QueryField(required=False, label=_("ابحث في الأرشيف"))
    source = ValuesField(required=False, label=_("المصادر"))
    date_from = forms.DateField(
        required=False, label=_("من تاريخ"), input_formats=[DATE_FORMAT], widget=DateInput()
    )
    date_to = forms.DateField(
        required=False, label=_("إلى تاريخ"), input_formats=[DATE_FORMAT], widget=DateInput()
    )
    sort = forms.ChoiceField(required=False, label=_("الترتيب"), choices=SORTS)
    page = forms.IntegerField(required=False, min_value=1, label=_("الصفحة"))
    tags = ValuesField(required=False, label=_("الوسوم"))
    status = ValuesField(required=False, label=_("حالة التحقق"))
    agency = ValuesField(required=False, label=_("الوكالة"))
    annotated = forms.BooleanField(required=False, label=_("المقالات ذات الملاحظات فقط"))
    literal = forms.BooleanField(
        required=False, label=_("الكلمات كما كُتبت فقط، دون إملاءاتها الأخرى وصيغ الأسماء اللاتينية العربية")
    )
    exact = forms.BooleanField(required=False, label=_("الكلمات بصيغتها المكتوبة فقط، دون مشتقاتها"))

    def clean_source(self):
        slugs = self.cleaned_data["source"]
        known = set(Source.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if unknown := [slug for slug in slugs if slug not in known]:
            raise forms.ValidationError(
                _("مصدر غير معروف: %(slugs)s"), code="unknown_source", params={"slugs": "، ".join(unknown)}
            )
        return slugs

    def clean_status(self):
        statuses = self.cleaned_data["status"]
        if unknown := [s for s in statuses if s not in Annotation.Status.values]:
            raise forms.ValidationError(
                _("حالة تحقق غير معروفة: %(values)s"),
                code="unknown_status",
                params={"values": "، ".join(unknown)},
            )
        return statuses

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("date_from"), cleaned.get("date_to")
        if low and high and low > high:
            self.add_error(
                "date_to", forms.ValidationError(_("تاريخ النهاية قبل تاريخ البداية."), code="date_order")
            )
        return cleaned

    def search_request(self, **changes) -> SearchRequest:
        data = self.cleaned_data
        values = {
            "q": data["q"],
            "sources": data["source"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "sort": data["sort"],
            "page": data["page"] or 1,
            "tags": data["tags"],
            "status": data["status"],
            "agency": data["agency"],
            "annotated": data["annotated"],
            "literal": data["literal"],
            "exact": data["exact"],
        }
        values.update(changes)
        return SearchRequest(**values)

    def errors_json(self) -> dict:
        return {"errors": self.errors.get_json_data()}


class ChartForm(SearchForm):
    INTERVALS = [("", _("تلقائي")), ("day", _("يوم")), ("week", _("أسبوع")), ("month", _("شهر"))]

    NORMALIZE = [("", _("عدد المقالات")), ("share", _("نسبة من مقالات المصدر"))]

    interval = forms.ChoiceField(required=False, choices=INTERVALS, label=_("الفترة"))
    # "share": each outlet's matches as a share of all its articles in the period (a normalized view).
    normalize = forms.ChoiceField(required=False, choices=NORMALIZE, label=_("القياس"))

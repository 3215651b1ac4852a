"""Journalists' wording, in Arabic with English translations, for values the models store as codes.

The models' own choice labels are the editors' (English, translated in the admin by Django); the public
pages say the same things in the newsroom's terms.
"""

from django.utils.translation import gettext_lazy as _

from archive.search import backend, query

STATUS = {
    "verified": _("موثَّق"),
    "disputed": _("موضع خلاف"),
    "false": _("غير صحيح"),
    "unverified": _("لم يُتحقَّق منه"),
}

KIND = {
    "note": _("ملاحظة"),
    "correction": _("تصحيح"),
    "context": _("سياق"),
    "verification": _("تحقُّق"),
}

DATE_ORIGIN = {
    "text": _("من نص الصفحة"),
    "html": _("من بيانات HTML الوصفية"),
    "record": _("من سجل الزاحف"),
    "manifest": _("من بيان المجموعة"),
    "crawl": _("من وقت الزحف (تقريبي)"),
    "editor": _("صحّحه محرر"),
}

SORT = {
    "relevance": _("الأكثر صلة"),
    "newest": _("الأحدث أولًا"),
    "oldest": _("الأقدم أولًا"),
}

# The notes the query parser and the search service add when they repair a query, so they can be
# shown in the reader's language; a note not listed here is shown as it is.
NOTES = {
    query.CUT: _("قُصَّ الاستعلام إلى أول 1000 حرف."),
    query.UNBALANCED_QUOTE: _("أُهملت علامة تنصيص غير مغلقة."),
    query.UNOPENED_BRACKET: _("أُهمل قوس إغلاق لا يقابله قوس فتح."),
    query.UNCLOSED_BRACKET: _("أُغلق قوس مفتوح في آخر الاستعلام."),
    query.EMPTY_BRACKETS: _("أُهمل قوسان فارغان."),
    query.DEEP_BRACKETS: _("أُهملت الأقواس المتداخلة لأكثر من 8 مستويات."),
    query.LONE_OPERATOR: _("أُهمل عامل (AND أو OR أو NOT) لا يربط بين شيئين."),
    query.NOTHING_TO_EXCLUDE: _("أُهمل استبعاد لا يُستبعد منه شيء."),
    query.WIDE_PROXIMITY: _("أقصى مسافة بين كلمات العبارة ~20 كلمة؛ فبُحث بها."),
    query.TOO_MANY_WORDS: _("بُحث عن أول 32 كلمة فقط."),
    query.SHORT_PREFIX: _("يحتاج البحث بالبادئة* إلى 3 أحرف على الأقل بعد «ال»؛ فبُحث عنها كلمةً كاملة."),
    query.TOO_MANY_PREFIXES: _("بُحث عن أول 4 بادئات* بادئاتٍ، وعن البقية كلماتٍ كاملة."),
    backend.BROAD_PREFIX: _("تطابق البادئة* كلمات كثيرة؛ فبُحث عن أكثرها شيوعًا."),
    backend.UNEXCLUDED_PHRASE: _("كلمات العبارة المستبعدة شائعة جدًا، فلم يُطبَّق استبعادها."),
    backend.COMMON_PHRASE: _("كلمات العبارة شائعة جدًا، فبُحث عنها كلماتٍ بأي ترتيب."),
    "The query has no searchable words; showing everything that matches the filters.": _(
        "لا يحوي الاستعلام كلمات قابلة للبحث؛ تُعرض كل المقالات المطابقة للمرشحات."
    ),
}


def note(text: str) -> str:
    return str(NOTES.get(text, text))

"""Arabic first: the archive speaks Arabic unless the reader chose English with the language switch."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ArabicFirstLocaleMiddleware(LocaleMiddleware):
    """Like LocaleMiddleware, but a browser's Accept-Language never overrides the default language.

    Newsroom browsers are often set to English; the archive is an Arabic product, so only the
    language cookie that the switch in the header sets can change the language.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

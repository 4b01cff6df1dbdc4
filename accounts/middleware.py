from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone, translation

from portal.i18n import supported_language, time_zone_of


class UserLanguageMiddleware:
    """A signed-in person's pages follow their saved language and time zone.

    Runs after AuthenticationMiddleware (portal.middleware.LanguageMiddleware, before it, has
    applied the cookie). On the answer to a sign-in the language cookie is set to the person's
    preference, so the pages after signing out stay in the language they read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._apply(request)
        try:
            response = self.get_response(request)
            language = self._apply(request)  # the sign-in view may have changed request.user
        finally:
            timezone.deactivate()  # the thread's next request starts from the default zone
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            if "Content-Language" in response.headers:
                response.headers["Content-Language"] = language
        return response

    @staticmethod
    def _apply(request) -> str:
        """Activate the user's language and zone; their language, or "" if none is saved."""
        try:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return ""
        except DatabaseError:  # an outage: the cookie's language; the view answers the 503
            return ""
        if user.time_zone:
            timezone.activate(time_zone_of(user))
        language = supported_language(user.language)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return language

"""The portal's URLs plus /bench/bare/: the floor a page's time is compared with (the whole
middleware stack and a signed-in session, no query of its own and no template)."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import *  # noqa: F403
from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *portal_urlpatterns]

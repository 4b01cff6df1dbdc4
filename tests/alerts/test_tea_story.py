"""Issue 15's check on the demo data: enterprise.tea saves the search "sấy" with a daily
alert, and the next published drying offer arrives in one digest."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from notifications.models import Kind, Notification
from offers import services as offer_services
from offers.models import Offer

from ..offers.factories import OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # seeds the demo (about a minute)

DRYER_VI = "Máy sấy lá chè bằng bơm nhiệt nhiều tầng"
DRYER_EN = "Multi-tray heat-pump dryer for fresh tea leaves"


def test_enterprise_tea_saves_say_daily_and_the_next_drying_offer_arrives_in_one_digest(
    client, run_alerts
):
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    tea = User.objects.get(email="enterprise.tea@demo.local")
    rep = User.objects.get(email="rep.japan@demo.local")
    older_dryers = list(
        Offer.objects.filter(status="published", search_text__contains="say").values_list(
            "title_vi", flat=True
        )
    )

    client.force_login(tea)
    catalog = client.get(reverse("offers:catalog"), {"q": "sấy"}).content.decode()
    save_link = reverse("alerts:create") + "?target=offers&amp;query=q%3Ds%25E1%25BA%25A5y"
    assert save_link in catalog
    form = client.get(reverse("alerts:create"), {"target": "offers", "query": "q=sấy"})
    assert 'value="sấy"' in form.content.decode()  # the name suggested is the words searched
    saved = client.post(
        reverse("alerts:create"),
        {"target": "offers", "query": "q=sấy", "name": "sấy", "frequency": "daily"},
    )
    assert saved.status_code == 302

    draft = OfferFactory(
        representation=rep.organization,
        created_by=rep,
        status="draft",
        published_at=None,
        title=DRYER_EN,
        title_vi=DRYER_VI,
        summary=(
            "Dries 300 kg of fresh tea leaves per batch at 45 °C with a closed air loop, "
            "keeping the green colour and aroma while using 40% less energy than coal."
        ),
        summary_vi="Sấy 300 kg chè búp tươi mỗi mẻ ở 45 °C, tuần hoàn khí kín.",
        relations={"fields": ["2.11"]},
    )
    offer_services.offer_publish(offer=draft, by=rep, confirm_similar=True)
    OfferFactory(representation=rep.organization, created_by=rep, title_vi="Robot hàn khuôn")

    _sent, failed = run_alerts("daily")  # the representatives' automatic alerts go too
    assert failed == 0
    assert run_alerts("daily") == (0, 0)  # the same day again: nothing more

    (digest,) = [m for m in mail.outbox if m.to == [tea.email]]
    assert DRYER_VI in digest.body
    assert draft.get_absolute_url() in digest.body
    assert "Robot hàn khuôn" not in digest.body
    assert all(title not in digest.body for title in older_dryers if title)  # published before
    assert "List-Unsubscribe" in digest.extra_headers
    (note,) = Notification.objects.filter(user=tea, kind=Kind.ALERT)
    assert DRYER_VI in note.body
    assert DRYER_VI in client.get(note.url).content.decode()  # "last matches" on its page

"""Every reader's language on the pages: records in the reader's language where the author gave
one (else the original, marked), dates and numbers one way per language, countries and
provinces in Vietnamese order, the time-zone list, codes shown as names."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation
from django_countries import countries

from accounts.forms import EnterpriseSignupForm
from demands import services as demand_services
from portal.choices import collated
from portal.i18n import USUAL_TIME_ZONES, language_name, time_zone_names
from portal.models import Province
from vitext.collation import collation_key

from ..matching.conftest import make_demand, tea_demand
from ..offers.factories import OfferFactory

__all__ = ["tea_demand"]  # a fixture
ENGLISH_SUMMARY = "We dry two tonnes of green tea a day with coal and want a cleaner dryer."


@pytest.fixture
def english_demand(enterprise_tn):
    demand = make_demand(
        enterprise_tn.organization,
        title="Máy sấy chè xanh bằng bơm nhiệt",
        problem="Sấy chè bằng than tốn nhiên liệu và làm chè mất màu.",
        visibility="public",
    )
    demand.title_en = "Heat-pump dryer for green tea"
    demand.summary_en = ENGLISH_SUMMARY
    demand.save()
    return demand


def page(client, user, url, language):
    user.language = language
    user.save()
    client.force_login(user)
    return client.get(url).content.decode()


# --- records in the reader's language -----------------------------------------------------------


@pytest.mark.django_db
def test_english_reader_gets_the_firms_english_title_and_summary(client, rep_jp, english_demand):
    html = page(client, rep_jp, english_demand.get_absolute_url(), "en")
    assert '<h1><span lang="en">Heat-pump dryer for green tea</span></h1>' in html
    assert ENGLISH_SUMMARY in html
    # the full demand follows in Vietnamese, marked as such
    assert 'title="Vietnamese">VI</abbr>' in html


@pytest.mark.django_db
def test_english_reader_of_a_demand_without_english_sees_the_original_marked(
    client, rep_jp, tea_demand
):
    tea_demand.visibility = "public"
    tea_demand.save()
    html = page(client, rep_jp, tea_demand.get_absolute_url(), "en")
    assert f'<span lang="vi">{tea_demand.title}</span> <abbr class="lang-mark"' in html
    assert 'id="summary-translated"' not in html


@pytest.mark.django_db
def test_vietnamese_reader_sees_the_original_without_a_mark(client, staff_tn, english_demand):
    html = page(client, staff_tn, english_demand.get_absolute_url(), "vi")
    assert f'<h1><span lang="vi">{english_demand.title}</span></h1>' in html
    assert ENGLISH_SUMMARY not in html
    assert "lang-mark" not in html


@pytest.mark.django_db
def test_demand_list_titles_follow_the_reader(client, rep_jp, english_demand):
    html = page(client, rep_jp, reverse("demands:list"), "en")
    assert "Heat-pump dryer for green tea" in html


@pytest.mark.django_db
def test_demand_form_has_an_optional_english_section_that_is_saved(client, enterprise_tn):
    client.force_login(enterprise_tn)
    form = client.get(reverse("demands:create")).content.decode()
    assert 'name="title_en"' in form and 'name="summary_en"' in form
    demand = demand_services.demand_create(
        by=enterprise_tn,
        data={"title": "Máy sấy chè", "title_en": " Tea dryer ", "summary_en": ENGLISH_SUMMARY},
    )
    demand.refresh_from_db()
    assert (demand.title_en, demand.summary_en) == ("Tea dryer", ENGLISH_SUMMARY)
    assert "tea dryer" in demand.search_text  # a representative's English words find it


@pytest.mark.django_db
def test_offer_shows_a_vietnamese_title_to_vietnamese_and_the_original_marked_to_english(
    client, rep_jp, staff_tn
):
    offer = OfferFactory(representation=rep_jp.organization, title="精密金型")
    offer.language = "ja"  # detected from the texts otherwise (kanji alone read as "zh")
    offer.save(update_fields=["language"])
    with translation.override("vi"):
        assert offer.display_title == offer.title_vi
    with translation.override("en"):
        assert offer.display_title == "精密金型"
    html = page(client, rep_jp, offer.get_absolute_url(), "en")
    assert (
        '<span lang="ja">精密金型</span> <abbr class="lang-mark" title="Japanese">JA</abbr>' in html
    )
    assert "<dd>Japanese</dd>" in html  # the language named, not "ja"
    html = page(client, staff_tn, offer.get_absolute_url(), "vi")
    assert "<dd>Tiếng Nhật</dd>" in html


@pytest.mark.django_db
def test_own_offers_name_the_country_not_its_code(client, rep_jp):
    OfferFactory(representation=rep_jp.organization, created_by=rep_jp, provider_country="JP")
    html = page(client, rep_jp, reverse("offers:mine"), "vi")
    assert "· Nhật Bản" in html
    assert "· JP<" not in html


def test_language_names_follow_the_reader_and_keep_unknown_text():
    with translation.override("vi"):
        assert language_name("ja") == "Tiếng Nhật"
        assert language_name("German") == "Tiếng Đức"  # typed in before the list existed
    with translation.override("en"):
        assert language_name("de") == "German"
    assert language_name("Klingon") == "Klingon"


# --- dates and numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "date", "number"),
    [("vi", "04/12/2026", "2.500.000.000"), ("en", "4 Dec 2026", "2,500,000,000")],
)
def test_dates_and_numbers_one_way_per_language(language, date, number):
    template = Template(
        '{% load humanize %}{{ day|date:"SHORT_DATE_FORMAT" }}|{{ day }}|{{ amount|intcomma }}'
    )
    with translation.override(language):
        html = template.render(Context({"day": dt.date(2026, 12, 4), "amount": 2_500_000_000}))
        assert html == f"{date}|{date}|{number}"
        assert formats.date_format(dt.datetime(2026, 12, 4, 14, 30), "SHORT_DATETIME_FORMAT") in {
            "04/12/2026 14:30",
            "4 Dec 2026, 14:30",
        }


# --- countries and provinces --------------------------------------------------------------------


def test_vietnamese_collation_puts_letters_in_dictionary_order():
    words = ["Zimbabwe", "Đan Mạch", "Ấn Độ", "Áo", "Ăng-gô-la", "Anh", "Dominica", "Ả Rập"]
    assert collated(words) == [
        "Ả Rập",
        "Anh",
        "Áo",
        "Ăng-gô-la",
        "Ấn Độ",
        "Dominica",
        "Đan Mạch",
        "Zimbabwe",
    ]
    assert collation_key("ba") < collation_key("bà") < collation_key("bả") < collation_key("bá")


@pytest.mark.sqlite
def test_countries_in_vietnamese_are_unique_correct_and_in_vietnamese_order():
    with translation.override("vi"):
        names = [name for code, name in countries]
        assert len(names) == len(set(names)), "a name appears twice"
        assert names.count("Áo") == names.count("Ai-len") == names.count("Nigeria") == 1
        by_code = dict(countries)
        assert by_code["RE"] == "Réunion"
        assert by_code["IS"] == "Iceland"
        assert by_code["JE"] == "Jersey"
        assert by_code["NE"] == "Niger"
        rest = names[len(countries.get_option("first")) :]
        assert rest == collated(rest)
        assert rest.index("Đan Mạch") < rest.index("Ecuador")


@pytest.mark.django_db
@pytest.mark.sqlite
def test_province_choices_in_vietnamese_order_on_every_database():
    labels = [label for value, label in EnterpriseSignupForm().fields["province"].choices if value]
    assert len(labels) == Province.objects.count()
    assert labels == collated(labels)
    d_names = [name for name in labels if name.startswith(("D", "Đ"))]
    assert d_names == sorted(d_names, key=lambda n: n.startswith("Đ"))


# --- time zones ---------------------------------------------------------------------------------


def test_time_zone_list_starts_with_the_representatives_zones_and_has_no_deprecated_names():
    names = time_zone_names()
    assert names[: len(USUAL_TIME_ZONES)] == list(USUAL_TIME_ZONES)
    assert {"Asia/Tokyo", "Asia/Seoul", "Europe/Berlin", "America/New_York"} <= set(names)
    for legacy in ("US/Eastern", "Japan", "Asia/Saigon", "Etc/GMT+7", "GB", "Europe/Kiev"):
        assert legacy not in names
    assert len(names) == len(set(names))
    for name in names:
        zoneinfo.ZoneInfo(name)


@pytest.mark.django_db
def test_meeting_form_offers_the_usual_zones_first(rep_jp):
    from connections.forms import MeetingForm

    html = str(MeetingForm()["timezone"])
    assert html.index('value="Asia/Tokyo"') < html.index('value="Africa/Abidjan"')
    assert 'value="US/Eastern"' not in html


@pytest.mark.django_db
def test_signed_in_reader_sees_times_in_their_zone(client, rep_jp):
    rep_jp.time_zone = "Asia/Tokyo"
    rep_jp.save()
    client.force_login(rep_jp)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'value="Asia/Tokyo" selected' in html

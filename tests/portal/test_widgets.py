"""The portal's quick <select>s (portal/widgets.py) write what Django's would, so a reader
(and a screen reader) gets the same list, the same choice kept, the same labels."""

import pytest
from django import forms
from django.test.html import parse_html
from django.urls import reverse

from portal.models import Field
from portal.widgets import QuickSelect, QuickSelectMultiple

CHOICES = [("", "---"), ("JP", "Nhật Bản"), ("DE", "Đức"), ("Nhóm", [("a", "A & <b>"), ("b", "B")])]
ATTRS = {"id": "id_country", "aria-label": "Nước", "required": True, "disabled": False}


@pytest.mark.parametrize(
    ("quick", "django", "value"),
    [
        (QuickSelect, forms.Select, ""),
        (QuickSelect, forms.Select, "DE"),
        (QuickSelect, forms.Select, "a"),  # inside a group, escaped
        (QuickSelect, forms.Select, None),
        (QuickSelectMultiple, forms.SelectMultiple, ["JP", "b"]),
        (QuickSelectMultiple, forms.SelectMultiple, []),
    ],
)
def test_the_same_markup_as_djangos(quick, django, value):
    mine = quick(attrs=ATTRS, choices=CHOICES).render("country", value)
    theirs = django(attrs=ATTRS, choices=CHOICES).render("country", value)
    assert parse_html(mine) == parse_html(theirs)
    assert "A &amp; &lt;b&gt;" in mine


@pytest.mark.django_db
def test_model_choices_keep_the_chosen_one():
    fields = Field.objects.order_by("code")
    chosen = fields[3]
    mine = forms.ModelChoiceField(queryset=fields, widget=QuickSelect).widget.render("f", chosen.pk)
    theirs = forms.ModelChoiceField(queryset=fields).widget.render("f", chosen.pk)
    assert parse_html(mine) == parse_html(theirs)
    assert f'<option value="{chosen.pk}" selected>' in mine


@pytest.mark.django_db
def test_the_review_queues_countries_follow_the_readers_language(client, staff_tn, settings):
    client.force_login(staff_tn)
    assert (
        '<option value="JP">Nhật Bản</option>'
        in client.get(reverse("connections:review")).content.decode()
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert (
        '<option value="JP">Japan</option>'
        in client.get(reverse("connections:review")).content.decode()
    )

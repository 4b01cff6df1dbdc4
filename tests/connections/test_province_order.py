"""Provinces read in Vietnamese alphabetical order wherever they are listed (Đ after D)."""

import pytest

from connections.forms import BoardForm
from portal.models import Province
from vitext.collation import collation_key

pytestmark = pytest.mark.django_db


def test_the_boards_province_filter_lists_provinces_in_vietnamese_order():
    labels = [label for value, label in BoardForm().fields["province"].choices if value]
    assert len(labels) == Province.objects.count() > 30
    assert labels == sorted(labels, key=collation_key)
    # "Điện Biên" comes after every "D..." province and before "Gia Lai", not after "Yên Bái"
    names = [str(label) for label in labels]
    dien_bien = next(i for i, n in enumerate(names) if n.startswith("Điện Biên"))
    assert names[dien_bien + 1 :] and not names[-1].startswith("Đ")

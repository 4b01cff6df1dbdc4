"""Choices in Vietnamese alphabetical order, the same on PostgreSQL and SQLite.

The database's collation cannot be trusted for this (SQLite compares code points and puts
"Đắk Lắk" after "Yên Bái"), so lists a person picks from are sorted in Python with
`vitext.collation.collation_key`: provinces through `CollatedModelChoiceIterator`, countries
through django-countries, whose sort key `use_vietnamese_country_order` replaces at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.forms.models import ModelChoiceIterator

from vitext.collation import collation_key

T = TypeVar("T")


def collated(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """`items` in Vietnamese alphabetical order of `key(item)`."""
    return sorted(items, key=lambda item: collation_key(str(key(item))))


class CollatedModelChoiceIterator(ModelChoiceIterator):
    """A ModelChoiceField's options in Vietnamese alphabetical order of their labels
    (`field.iterator = CollatedModelChoiceIterator`)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in collated(self.queryset, key=self.field.label_from_instance):
            yield self.choice(obj)


def use_vietnamese_country_order() -> None:
    """django-countries sorts names by their accent-stripped ASCII (Đ... last, "Ấn Độ" among
    the "An..."); give it the Vietnamese key. Called once from PortalConfig.ready()."""
    import django_countries

    django_countries.sort_key = lambda item: collation_key(str(item[1]))

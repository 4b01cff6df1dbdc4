"""Pages of long lists that cost the same on page 1 and page 2,000 of 100,000 records.

Two costs grow with the data in Django's Paginator: `count` (a COUNT(*) of every matching
record, with a search every match ranked) and deep pages (OFFSET 49,975 reads and throws away
49,975 full rows). `CappedPaginator` counts at most `cap` + 1 records ("more than 10,000"
past that), and fetches a page by its ids first (an index-only scan when the order has an index)
then those 25 records with their joins (a "deferred join"). Past the cap the number of pages is
not known: any page can be asked for, "Next" shows while records follow.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

CAP = 10_000
# A search ranks each of its hits; past a thousand the number tells its reader nothing more
# ("more than 1,000": narrow the words), and counting 7,500 hits cost the catalogue 11 ms.
SEARCH_CAP = 1_000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = CAP if cap is None else cap

    @classmethod
    def of_list(cls, object_list, per_page, query) -> CappedPaginator:
        """A list page's paginator: searches (a `q` in the query string) counted to SEARCH_CAP."""
        return cls(object_list, per_page, cap=SEARCH_CAP if query.get("q", "").strip() else CAP)

    @cached_property
    def _counted(self) -> int:
        # No ORDER BY (a search's relevance) and only the ids: the cheapest query that stops
        # after cap + 1 records.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        """The number of records, or `cap` when there are more (see `capped`)."""
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap

    def validate_number(self, number) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(_("That page number is not an integer")) from error
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number  # past the cap, `page` finds out whether the page has records

    def get_page(self, number) -> Page:
        """The page, the first for a number that is not one, the last counted past the end."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(max(1, self.num_pages))

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(
            self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page + 1]
        )
        if not ids and number > 1:
            raise EmptyPage(_("That page contains no results"))
        page = CappedPage(self._rows(ids[: self.per_page]), number, self)
        page.more = len(ids) > self.per_page
        return page

    def _rows(self, ids: list) -> list:
        """The records of `ids`, in that order, with the list's joins and annotations."""
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


class CappedPage(Page):
    more = False

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)

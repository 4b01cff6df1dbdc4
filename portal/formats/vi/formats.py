"""Django's Vietnamese formats, with digit grouping: Django's own `vi` sets the "." thousand
separator but no NUMBER_GROUPING, so `intcomma` printed budgets as 500000000."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3

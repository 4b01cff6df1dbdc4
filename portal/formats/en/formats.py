"""English dates for readers abroad: 4 Dec 2026, never 12/04/2026 (a month-first date a reader
in Tokyo or Berlin reads as 12 April); 24-hour times; 2,500,000,000."""

from django.conf.locale.en.formats import *  # noqa: F403

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
FIRST_DAY_OF_WEEK = 1  # Monday
NUMBER_GROUPING = 3

"""Vietnamese dates and numbers, one way everywhere: 04/12/2026, 04/12/2026 14:30,
2.500.000.000. Django's own `vi` writes "Ngày 04 tháng 12 năm 2026" or 04-12-2026 and sets
the "." thousand separator but no NUMBER_GROUPING (intcomma printed 500000000)."""

from django.conf.locale.vi.formats import *  # noqa: F403

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "d/m"
# ISO first: date inputs (type=date) are filled with the first format.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
NUMBER_GROUPING = 3

"""Strings of other packages that the project's Vietnamese catalogue corrects.

makemessages only keeps entries whose text appears in the project's source: listing them here
keeps the corrections in locale/vi (which wins over the packages' own catalogues).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# django-countries: its Vietnamese names of these read wrong ("Áo" for Jersey, "Ai-len" for
# Iceland, "Tiếng Swaziland", "Đoàn tụ" for Réunion) or long ("Hợp chúng quốc Hoa Kỳ").
COUNTRY_NAMES = [
    gettext_noop("Iceland"),
    gettext_noop("Jersey"),
    gettext_noop("Niger"),
    gettext_noop("Eswatini"),
    gettext_noop("Réunion"),
    gettext_noop("Palestine, State of"),
    gettext_noop("United States of America"),
    # Transliterations of another age ("Ăng-gô-la", "Mô-đô-va", "Lybia"): the names the press
    # and the foreign ministry write today.
    gettext_noop("Angola"),
    gettext_noop("Belarus"),
    gettext_noop("Chile"),
    gettext_noop("Congo"),
    gettext_noop("Libya"),
    gettext_noop("Malawi"),
    gettext_noop("Moldova"),
    gettext_noop("Oman"),
    gettext_noop("Somalia"),
    gettext_noop("Yemen"),
    gettext_noop("North Korea"),
    gettext_noop("Micronesia"),
]

# Django's Vietnamese language names (offer languages, interpreters): "Tiếng Tàu" is dated.
LANGUAGE_NAMES = [
    gettext_noop("Chinese"),
    gettext_noop("Simplified Chinese"),
    gettext_noop("Traditional Chinese"),
]

# django-filter ships no Vietnamese: the sort menu read "thay đổi gần nhất (descending)".
FILTER_STRINGS = [
    gettext_noop("%s (descending)"),
]

# Django's Vietnamese catalogue has no units for timesince: a stalled rebuild read
# "(2 minutes không tiến triển)".
TIMESINCE_UNITS = [
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
]

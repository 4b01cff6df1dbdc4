"""Records in the reader's language: `{% read offer "title" %}` shows the author's version in
the reader's language if there is one, else the original marked with its language (a small
"JA" whose title says "Tiếng Nhật"/"Japanese"); `language_name` and `country_name` turn the
codes stored on records ("ja", "JP") into names in the reader's language."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import get_language
from django_countries import countries

from portal.i18n import language_name as _language_name

register = template.Library()


@register.simple_tag
def read(record, part: str = "title", default: str = "", block: bool = False, words: int = 0):
    """`record.reading(part)` as HTML: its text with its `lang`, marked when not the reader's
    (`block`: line breaks kept; `words`: cut after that many words)."""
    shown = record.reading(part)
    if not shown.text:
        return default
    text = Truncator(shown.text).words(words) if words else shown.text
    if block:
        text = linebreaksbr(text, autoescape=True)
    return format_html(
        '<span lang="{}">{}</span>{}', shown.language, text, lang_mark(shown.language)
    )


@register.simple_tag
def reading(record, part: str = "title"):
    """The `Reading` itself (`{% reading demand "summary" as summary %}`): text, language,
    marked."""
    return record.reading(part)


@register.simple_tag
def lang_mark(code) -> str:
    """A small mark (" JA", titled "Tiếng Nhật") after a text that is not in the reader's
    language; nothing when it is."""
    code = str(code or "")
    if not code or code.split("-")[0].lower() == (get_language() or "").split("-")[0]:
        return ""
    return format_html(
        ' <abbr class="lang-mark" title="{}">{}</abbr>',
        _language_name(code),
        code.split("-")[0].upper(),
    )


@register.filter
def language_name(code) -> str:
    return _language_name(str(code or ""))


@register.filter
def country_name(code) -> str:
    """A country code's name in the reader's language ("JP" -> "Nhật Bản"); unknown: as is."""
    code = str(getattr(code, "code", code) or "")
    return str(countries.name(code.upper()) or code) if code else ""

"""Reasons in the reader's language: the engine gives codes and numbers, gettext the words."""

from __future__ import annotations

from functools import lru_cache

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.models import CooperationType

TEMPLATES = {
    "same_field": lambda p: _("same field %(code)s") % p,
    "same_area": lambda p: _("same field group %(code)s") % p,
    "trl_fit": lambda p: _("TRL %(trl)s >= %(min)s") % p,
    "trl_low": lambda p: _("TRL %(trl)s below the wanted %(min)s") % p,
    "cooperation": lambda p: _("cooperation: %(types)s") % p,
    "country": lambda p: _("preferred country: %(country)s") % p,
    "budget_fit": lambda p: _("price %(price)s within the budget of %(budget)s VND") % p,
    "budget_over": lambda p: _("price %(price)s over the budget of %(budget)s VND") % p,
    "text_similarity": lambda p: _("similar content: top %(percentile_top)s%%") % p,
    "keywords": lambda p: _("shared terms: %(terms)s") % p,
    "expired": lambda p: _("offer expired on %(valid_until)s") % p,
}


def _value(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return number_format(value, force_grouping=True)
    return str(value)


def render_reason(reason: dict) -> str:
    raw = dict(reason.get("params") or {})
    if reason.get("code") == "cooperation":
        raw["types"] = _cooperation(raw.get("types", []))
    params = {key: _value(value) for key, value in raw.items()}
    template = TEMPLATES.get(reason.get("code", ""))
    if template is None:
        return reason.get("code", "")
    try:
        return template(params)
    except (KeyError, ValueError):
        return reason.get("code", "")


def render_reasons(reasons: list[dict]) -> list[str]:
    return [render_reason(r) for r in reasons]


@lru_cache(maxsize=1)
def _cooperation_names() -> dict[str, tuple[str, str]]:
    """Reference data, read once per process."""
    names = {c.code: (c.name_vi, c.name_en) for c in CooperationType.objects.all()}
    names.setdefault("equipment_sale", names.get("equipment_purchase", ("", "")))
    return names


def _cooperation(codes) -> str:
    english = (get_language() or "vi").startswith("en")
    names = _cooperation_names()
    return ", ".join(names[c][english] if c in names else c for c in codes)

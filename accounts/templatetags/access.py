"""`{% can "rule" obj as flag %}`: templates ask a rule, never a role.

It calls `accounts.permissions.can` for the signed-in user of the page, so a menu or a
title shows by the same rule the view enforces.
"""

from django import template

from accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    return permissions.can(context.get("user"), action, obj)

"""`{% can "rule" obj as flag %}`: templates ask a rule, never a role.

It calls `accounts.permissions.can` for the signed-in user of the page (`user`, or the
request's user inside an inclusion tag's own context), so a menu or a title shows by the same
rule the view enforces.
"""

from django import template

from accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    user = context.get("user")
    if user is None and context.get("request") is not None:
        user = context["request"].user
    return permissions.can(user, action, obj)

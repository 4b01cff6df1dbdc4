"""What each role's dashboard shows. Each function reads through the apps' selectors."""

from __future__ import annotations


def enterprise_context(user) -> dict:
    return {}


def staff_context(user) -> dict:
    return {}


def representative_context(user) -> dict:
    return {}


def coordinator_context(user) -> dict:
    return {}

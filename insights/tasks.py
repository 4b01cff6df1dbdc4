"""Worker entry point for dashboards: recompute a scope's kept figures (insights/snapshots.py).
Task names are a public interface."""

from celery import shared_task
from django.db import DatabaseError
from django.utils import translation

from accounts.models import User
from accounts.permissions import role_of

from . import dashboards, snapshots


@shared_task(
    name="insights.refresh_dashboard",
    autoretry_for=(DatabaseError,),
    retry_backoff=10,
    max_retries=5,
)
def refresh_dashboard(user_id: int, language: str) -> None:
    """Compute the dashboard figures of `user_id`'s scope in `language` and keep them.
    Idempotent: a repeated refresh only computes the same figures again."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    context = user and dashboards.CONTEXT_BY_ROLE.get(role_of(user))
    if context is None:
        return  # the reader has gone or changed role: nothing of theirs to keep
    with translation.override(language), snapshots.recomputing():
        context(user)

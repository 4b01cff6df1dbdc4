"""What every form page of the portal shares."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def add_refusal(form, error: ValidationError) -> None:
    """A service's refusal shown on the bound form, with what was typed kept: each message
    by its field where the form has that field, else above the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)

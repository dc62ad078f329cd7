"""How a refused action is told to the person who tried (pages show it; the API has its own handlers)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def refusal_message(exc: Exception) -> str:
    """The action's own words: a ValidationError's messages, or PermissionDenied's text."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not do this.")

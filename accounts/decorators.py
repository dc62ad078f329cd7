"""View guards. A wrong role is refused (403); an object outside the scope is missing (404)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.scope import scope_for


def role_required(*roles: str):
    """Signed in, and holding one of ``roles`` (platform administrators pass every check).

    The view keeps the roles it declares as ``view.required_roles`` (decorators that use
    functools.wraps above it carry the attribute up), so tests can check each URL against them.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not scope_for(request.user).has(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return login_required(wrapped)

    return decorator

"""Error reports to Sentry (or any Sentry-compatible server, e.g. a self-hosted GlitchTip): off unless
SENTRY_DSN is set. No personal data is sent (``send_default_pii`` left off: no cookies, user names or
addresses), and ``before_send`` masks ID-card and phone numbers anywhere in an event (messages,
exception values, local variables, breadcrumbs, request data) with gongjian.privacy's masks."""

from __future__ import annotations

from typing import Any

from gongjian.privacy import mask_numbers_in_text


def masked_event(value: Any) -> Any:
    """The value with every string in it masked, nested dicts, lists and tuples included."""
    if isinstance(value, str):
        return mask_numbers_in_text(value)
    if isinstance(value, dict):
        return {key: masked_event(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(masked_event(item) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        masked = mask_numbers_in_text(text)
        return value if masked == text else masked
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's hook for every error and message event: the event, masked."""
    return masked_event(event)


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.huey import HueyIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        # No personal data: send_default_pii stays at its default, off (this SDK deprecates passing
        # it, in favour of data_collection, whose defaults derive from it: no user, cookies, bodies).
        before_send=before_send,  # type: ignore[arg-type]
        before_send_transaction=before_send,  # type: ignore[arg-type]
        before_breadcrumb=lambda crumb, hint: masked_event(crumb),
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), HueyIntegration()],
    )

import pytest

from accounts.tests import outbox as box


@pytest.fixture
def outbox(settings):
    """Text messages go to a list (accounts/tests/outbox.py); ``outbox.last_code(phone)`` reads one."""
    settings.SMS_BACKEND = "accounts.tests.outbox.OutboxSender"
    box.SENT.clear()
    yield box
    box.SENT.clear()

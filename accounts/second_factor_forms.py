"""Forms of the second-factor pages: a code from the authenticator, or a recovery code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.onboarding_forms import StyledForm


class OneTimeCodeForm(StyledForm):
    """The 6 digits the authenticator shows; where ``recovery`` is allowed, a recovery code too."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args, recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["code"].label = _("Code from your authenticator app, or a recovery code")
            self.fields["code"].widget.attrs["inputmode"] = "text"

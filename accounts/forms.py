"""Sign-in forms: the site's and the admin's, both refusing a username longer than any account's."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class BoundedUsernameMixin:
    """AuthenticationForm sets the username field's max_length (150, the model's) after the field is
    built, so Django renders it but never checks it: a longer name reached authenticate(), and the
    lock-out table's 255-character column (django-axes) refused it with a 500 on PostgreSQL. Check it,
    so the page shows the field's error and no sign-in is attempted."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class SignInForm(BoundedUsernameMixin, AuthenticationForm):
    """Username or mobile number, and password."""

    error_messages = {
        "invalid_login": _(
            "Wrong username, phone or password. After 5 failures the account is locked for 15 minutes."
        ),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or phone")
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class AdminSignInForm(BoundedUsernameMixin, AdminAuthenticationForm):
    """The admin's sign-in form, with the same check."""

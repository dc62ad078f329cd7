from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
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


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass

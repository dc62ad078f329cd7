from django.urls import path

from accounts import onboarding_views, second_factor_views, staff_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    # the second factor of privileged roles (accounts/second_factor.py)
    path("second-factor/", second_factor_views.verify, name="second_factor_verify"),
    path("second-factor/enrol/", second_factor_views.enrol, name="second_factor_enrol"),
    path("security/", second_factor_views.security, name="security"),
    # getting in (public): members activate, anyone with a phone signs in by code, residents register
    path("activate/", onboarding_views.activate, name="activate"),
    path("activate/verify/", onboarding_views.activate_verify, name="activate_verify"),
    path("activate/printed/", onboarding_views.activate_printed, name="activate_printed"),
    path("sign-in/code/", onboarding_views.code_sign_in, name="code_sign_in"),
    path("sign-in/code/verify/", onboarding_views.code_sign_in_verify, name="code_sign_in_verify"),
    path("register/", onboarding_views.register, name="register"),
    path("register/details/", onboarding_views.register_details, name="register_details"),
    path("register/places/", onboarding_views.register_places, name="register_places"),
    path("password/", onboarding_views.set_password, name="set_password"),
    # those who let people in
    path("residents/awaiting/", staff_views.residents_to_verify, name="residents_to_verify"),
    path("residents/<uuid:public_id>/verify/", staff_views.resident_verify, name="resident_verify"),
    path("activation-codes/", staff_views.activation_codes, name="activation_codes"),
    path("sms/", staff_views.sms_counts, name="sms_counts"),
]

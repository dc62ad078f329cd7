"""The Django admin speaks the product's language: every app's section and every model have a name
written for translation (AppConfig.verbose_name, Meta.verbose_name and verbose_name_plural)."""

from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise

OUR_APPS = (
    "accounts", "audit", "places", "orgs", "people", "jobs", "checkin", "service", "points",
    "notifications", "portal", "demo", "cases", "alliances",
)  # fmt: skip


def test_every_app_section_has_a_translatable_name():
    for label in OUR_APPS:
        config = apps.get_app_config(label)
        assert isinstance(config.verbose_name, Promise), f"{label}: verbose_name = _('…') in apps.py"
        assert str(config.verbose_name) != label


def test_every_model_has_translatable_names():
    missing = []
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            attrs = model._meta.original_attrs
            for key in ("verbose_name", "verbose_name_plural"):
                if not isinstance(attrs.get(key), Promise):
                    missing.append(f"{model._meta.label}.{key}")
    assert not missing, f"write these with gettext_lazy in the model's Meta: {missing}"


def test_the_admin_index_shows_the_section_names(client, cast):
    cast.login(client, "admin")
    body = client.get(reverse("admin:index")).content.decode()
    for name in ("Check-ins", "Areas and grids", "Members, residents and registries", "Audit log"):
        assert name in body
    assert ">Checkin<" not in body and ">Places<" not in body

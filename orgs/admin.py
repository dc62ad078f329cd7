from django.contrib import admin

from audit.admin import AuditedModelAdmin
from orgs import actions
from orgs.models import PartyOrg, Post, Unit
from people.actions import refresh_place_paths


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "address_area"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["address_area"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "address_area" in form.changed_data:
            refresh_place_paths(members=obj.members.all())


class PostInline(admin.TabularInline):
    model = Post
    fk_name = "party_org"
    extra = 0
    fields = ["title", "holder_name", "member", "from_unit", "started_on", "ended_on"]
    autocomplete_fields = ["member", "from_unit"]


@admin.register(PartyOrg)
class PartyOrgAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "code", "area", "unit"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    fields = ["name", "kind", "code", "parent", "area", "unit", "grid", "compound", "founded_on", "path"]
    autocomplete_fields = ["parent", "area", "unit", "grid", "compound"]
    inlines = [PostInline]

    def get_readonly_fields(self, request, obj=None):
        return ("path",) + (("code", "parent") if obj else ())

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
        else:
            created = actions.create_party_org(
                acting_user=request.user,
                name=obj.name,
                kind=obj.kind,
                code=obj.code,
                parent=obj.parent,
                area=obj.area,
                unit=obj.unit,
                grid=obj.grid,
                compound=obj.compound,
                founded_on=obj.founded_on,
                request=request,
            )
            obj.pk, obj.path = created.pk, created.path

from django.contrib import admin

from audit.admin import AuditedModelAdmin
from people.actions import refresh_place_paths
from places import actions
from places.models import Area, Building, Compound, Grid


class TreeAdmin(AuditedModelAdmin):
    """Trees keep a materialized path: new nodes are made by the action, and a node's place in the
    tree (code, parent) is read-only once it exists."""

    def get_readonly_fields(self, request, obj=None):
        return ("path",) + (("code", "parent", "level", "street") if obj else ())


@admin.register(Area)
class AreaAdmin(TreeAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "level", "parent", "path"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
        else:
            created = actions.create_area(
                acting_user=request.user,
                code=obj.code,
                name=obj.name,
                level=obj.level,
                parent=obj.parent,
                request=request,
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth


@admin.register(Grid)
class GridAdmin(TreeAdmin):
    list_display = ["name", "code", "level", "street", "community"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    fields = ["street", "parent", "code", "name", "community", "path"]
    autocomplete_fields = ["street", "parent", "community"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "community"])
        else:
            created = actions.create_grid(
                acting_user=request.user,
                street=obj.street,
                code=obj.code,
                name=obj.name,
                parent=obj.parent,
                community=obj.community,
                request=request,
            )
            obj.pk, obj.path, obj.level = created.pk, created.path, created.level


@admin.register(Compound)
class CompoundAdmin(AuditedModelAdmin):
    list_display = ["name", "community"]
    search_fields = ["name"]
    autocomplete_fields = ["community"]


@admin.register(Building)
class BuildingAdmin(AuditedModelAdmin):
    list_display = ["name", "compound", "grid"]
    search_fields = ["name", "compound__name"]
    autocomplete_fields = ["compound", "grid"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "grid" in form.changed_data:
            refresh_place_paths(members=obj.members.all(), residents=obj.residents.all())

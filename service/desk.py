"""What the service pages share: one page of a list with the querystring that keeps its filters, links to pages that may not exist, a community picker, filter styling, and the
community desk's navigation (its lists' links and the breadcrumbs back to them).

Reads only; the pages' own queries go through ``visible_to``."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles as R
from accounts.scope import scope_for
from gongjian.pages import Pager, paginate, public_id_or_404
from service.exports import NEED_LIST_ROLES, PAIRING_LIST_ROLES, POST_LIST_ROLES, RECORD_LIST_ROLES

PER_PAGE = 25


def paged(request: HttpRequest, queryset, *, per_page: int = PER_PAGE, param: str = "page") -> Pager:
    """One page of ``queryset`` (25 a page on the service desk) and the querystring that keeps its filters."""
    return paginate(request, queryset, per_page=per_page, param=param)


def pick_community(request: HttpRequest, communities: list):
    """The community named by ``?community=<public_id>`` among ``communities`` (404 if not there); the
    only one if there is one; None means all of them."""
    wanted = request.GET.get("community", "")
    if wanted:
        public_id = public_id_or_404(wanted)
        found = next((c for c in communities if c.public_id == public_id), None)
        if found is None:
            raise Http404
        return found
    return communities[0] if len(communities) == 1 else None


def style_filter_form(form) -> None:
    """Bootstrap classes on the filter widgets, and "All" for an empty choice."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("All")
        elif isinstance(field, forms.ChoiceField):
            widget.choices = [("", _("All")), *[c for c in widget.choices if c[0] != ""]]
        widget.attrs["class"] = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else "form-control form-control-sm"
        )


def filters_active(request: HttpRequest, form) -> bool:
    return any(request.GET.get(name) not in (None, "", "unknown") for name in form.fields)


DESK_LINKS = (
    ("workbench", "service:workbench", gettext_lazy("Desk"), R.SERVICE_STAFF_ROLES),
    ("needs", "service:need_list", gettext_lazy("Needs and wishes"), NEED_LIST_ROLES),
    ("records", "service:record_list", gettext_lazy("Service records"), RECORD_LIST_ROLES),
    ("posts", "service:post_list", gettext_lazy("Service posts"), POST_LIST_ROLES),
    ("pairings", "service:pairing_list", gettext_lazy("Household pairings"), PAIRING_LIST_ROLES),
)


def desk_links(user, here: str) -> list[dict]:
    """The service desk's pages this user may open, ``here`` marked."""
    scope = scope_for(user)
    return [
        {"label": label, "url": reverse(name), "active": key == here}
        for key, name, label, roles in DESK_LINKS
        if scope.has(*roles)
    ]


def crumbs_to(user, here: str, label) -> list[dict]:
    """Breadcrumbs from the desk's list ``here`` (if the user may open it) to the page ``label``."""
    link = next((link for link in desk_links(user, "") if link["url"] == reverse(here)), None)
    return [{"label": link["label"], "url": link["url"]}, {"label": label}] if link else []


def optional_url(name: str, *args) -> str:
    """A link to a page another part of the service loop provides (empty until it exists)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def keep_query(request: HttpRequest, **params) -> str:
    """The querystring of this page with ``params`` changed and without its page number."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        query[key] = value
    return query.urlencode()

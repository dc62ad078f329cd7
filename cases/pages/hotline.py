"""The 12345 hotline's tickets imported from a file (cases/hotline.py): the upload form with the template
to download, and the whole file's result on the page that imported it — cases made, tickets skipped as
already imported, bad rows with their row numbers and reasons. The street and the organisation department
use it."""

from __future__ import annotations

import io

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import role_required
from cases.hotline import (
    COLUMNS,
    IMPORT_ROLES,
    MAX_FILE_MB,
    MAX_ROWS,
    HotlineFileError,
    import_hotline,
    write_hotline_template,
)
from jobs.workbooks import XLSX_CONTENT_TYPE


class HotlineUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ticket file"),
        help_text=gettext_lazy("Excel (.xlsx) or CSV (.csv), laid out like the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )


@role_required(*IMPORT_ROLES)
def hotline_import(request: HttpRequest) -> HttpResponse:
    form = HotlineUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": COLUMNS, "max_rows": MAX_ROWS, "max_mb": MAX_FILE_MB, "result": None}
    if request.method != "POST":
        return render(request, "cases/hotline.html", context)
    if not form.is_valid():
        return render(request, "cases/hotline.html", context, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_FILE_MB * 1024 * 1024:
        form.add_error("file", _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_MB})
        return render(request, "cases/hotline.html", context, status=400)
    try:
        context["result"] = import_hotline(
            acting_user=request.user, content=upload.read(), filename=upload.name, request=request
        )
    except HotlineFileError as exc:
        form.add_error("file", str(exc))
        return render(request, "cases/hotline.html", context, status=400)
    context["filename"] = upload.name
    return render(request, "cases/hotline.html", context)


@role_required(*IMPORT_ROLES)
def hotline_template(request: HttpRequest) -> HttpResponse:
    out = io.BytesIO()
    write_hotline_template(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _("Hotline ticket template") + ".xlsx")
    return response


urlpatterns = [
    path("cases/hotline/", hotline_import, name="hotline_import"),
    path("cases/hotline/template/", hotline_template, name="hotline_template"),
]

"""Certificate and receipt PDFs, and the code verification page (being built)."""

from django.http import Http404


def certificate_pdf(request, public_id):
    raise Http404


def receipt_pdf(request, public_id):
    raise Http404


def verify_code(request):
    raise Http404

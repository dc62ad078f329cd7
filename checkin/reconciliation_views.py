"""Reconciliation pages (being built)."""

from django.http import Http404


def overview(request):
    raise Http404


def unit_reconciliation(request, public_id):
    raise Http404


def area_reconciliation(request, public_id):
    raise Http404

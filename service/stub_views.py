"""Placeholders until the pages land (deleted by then)."""

from django.http import Http404


def placeholder(request, public_id):
    raise Http404

"""Answers the portal's views share."""

from __future__ import annotations

from django.http import HttpResponseRedirect


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: where a successful POST sends the browser (a reload does not post again)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response

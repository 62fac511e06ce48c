"""Which producer the user acts for: the header's switcher posts here, and the chooser page lists the
producers the user may act for (every producer, searchable, for platform staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from piquetickets.producers.selectors import producer_list_for_staff, producer_memberships

from ..access import producer_choose, safe_next, signed_in_required
from ..responses import see_other

PAGE_SIZE = 25


@require_GET
@signed_in_required
def producer_choose_page(request):
    """The producers the user may act for, each a button that makes it the current one."""
    memberships = producer_memberships(user=request.user)
    query = request.GET.get("q", "").strip()[:100]
    page = None
    if request.user.is_staff:
        page = Paginator(producer_list_for_staff(query=query), PAGE_SIZE).get_page(request.GET.get("page"))
    elif not memberships:
        return render(request, "portal/no_producer.html", status=403)
    next_url = safe_next(request, reverse("portal:dashboard"))
    return render(
        request,
        "portal/producers/choose.html",
        {
            "memberships": memberships,
            "page": page,
            "query": query,
            "query_string": urlencode({key: value for key, value in (("q", query), ("next", next_url)) if value}),
            "next": next_url,
        },
    )


@require_POST
@signed_in_required
def producer_switch(request):
    """Make the posted producer the current one (303 to ``next`` within the portal); one the user may
    not act for answers 404 and changes nothing."""
    try:
        producer_id = int(request.POST.get("producer", ""))
    except ValueError:
        raise Http404("No such producer.") from None
    producer = producer_choose(request, producer_id)
    if producer is None:
        raise Http404("No such producer.")
    messages.success(request, f"You are now working on {producer.name}.")
    return see_other(safe_next(request, reverse("portal:dashboard")))

"""The show list's filters: one FilterSet for the API's ``/api/v1/shows/`` and the storefront's ``/shows/``.

Both bind it to the query string over ``selectors.show_list_public()`` (the API also over a producer's
own shows with ``mine=true``), so a buyer's search on the site and an integration's call find the same
shows. Filters combine with AND; a value that does not parse is an error on its field (the API answers
400, the page shows it by the field and ignores that filter).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q

from .models import Show

SEARCH_MAX_WORDS = 8  # words of a free-text search that count; the rest are ignored


class ShowFilter(django_filters.FilterSet):
    starts_after = django_filters.DateFilter(
        field_name="start_time", lookup_expr="date__gte", label="Starting on or after this date"
    )
    starts_before = django_filters.DateFilter(
        field_name="start_time", lookup_expr="date__lte", label="Starting on or before this date"
    )
    city = django_filters.CharFilter(field_name="venue__city", lookup_expr="iexact")
    venue = django_filters.CharFilter(field_name="venue__slug")
    producer = django_filters.CharFilter(field_name="producer__slug")
    performer = django_filters.CharFilter(field_name="performers__slug", distinct=True)
    q = django_filters.CharFilter(
        method="search", label="Words in the title, description, venue, performers or producer"
    )

    class Meta:
        model = Show
        fields = []

    def search(self, queryset, name, value):
        """Every word (up to ``SEARCH_MAX_WORDS``) must appear, ignoring case, in the title, the
        description, the venue's name or city, a performer's name or the producer's name."""
        condition = Q()
        for word in value.split()[:SEARCH_MAX_WORDS]:
            condition &= (
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(venue__name__icontains=word)
                | Q(venue__city__icontains=word)
                | Q(producer__name__icontains=word)
                | Q(pk__in=Show.performers.through.objects.filter(performer__name__icontains=word).values("show_id"))
            )
        return queryset.filter(condition)

"""The producer portal, under ``/dashboard/`` (see ``views/__init__.py`` for the areas).

The shows, team and onboarding URLs are here; each later area has its own module in this package
(``orders.py``, ``checkin.py``…), included at the portal's root so it names its own full paths. All
names share the ``portal`` namespace, so each area prefixes its names (``order-list``, ``checkin-…``).

Every URL here is in the authorization matrix (``tests/portal/test_authorization_matrix.py``): a new
one without its cases there (``tests/portal/matrix.py`` or its area module in
``tests/portal/matrix_areas/``) fails that test.
"""

from django.urls import include, path

from piquetickets.portal.views import dashboard, onboarding, producers, shows, team

app_name = "portal"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # which producer the user acts for
    path("producers/", producers.producer_choose_page, name="producers"),
    path("producers/switch/", producers.producer_switch, name="producer-switch"),
    # shows, their ticket types and promo codes
    path("shows/", shows.show_list, name="show-list"),
    path("shows/new/", shows.show_new, name="show-create"),
    path("shows/<slug:slug>/", shows.show_detail, name="show"),
    path("shows/<slug:slug>/edit/", shows.show_edit, name="show-edit"),
    path("shows/<slug:slug>/preview/", shows.show_preview, name="show-preview"),
    path("shows/<slug:slug>/publish/", shows.show_publish_view, name="show-publish"),
    path("shows/<slug:slug>/unpublish/", shows.show_unpublish_view, name="show-unpublish"),
    path("shows/<slug:slug>/duplicate/", shows.show_duplicate_view, name="show-duplicate"),
    path("shows/<slug:slug>/delete/", shows.show_delete, name="show-delete"),
    path("shows/<slug:slug>/restore/", shows.show_restore_view, name="show-restore"),
    path("shows/<slug:slug>/tickets/new/", shows.ticket_new, name="show-ticket-create"),
    path("shows/<slug:slug>/tickets/<int:pk>/", shows.ticket_edit, name="show-ticket-edit"),
    path("shows/<slug:slug>/tickets/<int:pk>/remove/", shows.ticket_remove_view, name="show-ticket-remove"),
    path("shows/<slug:slug>/promo-codes/new/", shows.promo_new, name="show-promo-create"),
    path("shows/<slug:slug>/promo-codes/<int:pk>/", shows.promo_edit, name="show-promo-edit"),
    path("shows/<slug:slug>/promo-codes/<int:pk>/remove/", shows.promo_remove_view, name="show-promo-remove"),
    # team and invitations
    path("team/", team.team, name="team"),
    path("team/invite/", team.team_invite, name="team-invite"),
    path("team/invitations/<int:pk>/resend/", team.invitation_resend, name="team-invitation-resend"),
    path("team/invitations/<int:pk>/revoke/", team.invitation_revoke, name="team-invitation-revoke"),
    path("team/members/<int:pk>/role/", team.member_role, name="team-member-role"),
    path("team/members/<int:pk>/remove/", team.member_remove, name="team-member-remove"),
    path("team/leave/", team.team_leave, name="team-leave"),
    # accepting an invitation (no producer yet: the link is the key)
    path("join/<str:token>/", onboarding.join, name="join"),
    # the later areas, each in its own module
    path("", include("piquetickets.portal.urls.orders")),
    path("", include("piquetickets.portal.urls.checkin")),
    path("", include("piquetickets.portal.urls.payouts")),
    path("", include("piquetickets.portal.urls.places")),
    path("", include("piquetickets.portal.urls.design")),
    path("", include("piquetickets.portal.urls.analytics")),
    path("", include("piquetickets.portal.urls.help")),
]

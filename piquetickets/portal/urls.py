"""The producer portal, under ``/dashboard/`` (see ``views/__init__.py`` for the areas).

Every URL here is in the authorization matrix (``tests/portal/test_authorization_matrix.py``): a new
one without its cases there fails that test.
"""

from django.urls import path

from .views import dashboard, onboarding, producers, team

app_name = "portal"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # which producer the user acts for
    path("producers/", producers.producer_choose_page, name="producers"),
    path("producers/switch/", producers.producer_switch, name="producer-switch"),
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
]

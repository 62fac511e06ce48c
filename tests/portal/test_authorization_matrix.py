"""Every portal URL and POST action × every kind of caller (see ``tests/portal/matrix.py``): the exact
status, and when the answer is a refusal, every row of the database exactly as it was."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, reverse

from piquetickets.portal import urls as portal_urls
from piquetickets.portal.access import SESSION_KEY
from tests.portal.matrix import CALLERS, CASES, build_world, is_refusal

pytestmark = pytest.mark.django_db

# Rows that change on every request of a signed-in caller, refused or not.
UNWATCHED = {Session}


def portal_url_names(patterns=None, prefix="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else portal_urls.urlpatterns:
        if isinstance(pattern, URLResolver):
            names |= portal_url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            names.add(pattern.name)
    return names


def database_state() -> dict:
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model not in UNWATCHED
    }


def test_every_portal_url_has_cases():
    assert None not in portal_url_names(), "every portal URL needs a name"
    missing = sorted(portal_url_names() - set(CASES))
    assert missing == [], f"portal URLs without authorization cases in tests/portal/matrix.py: {missing}"
    unknown = sorted(set(CASES) - portal_url_names())
    assert unknown == [], f"cases for URLs that don't exist: {unknown}"


def test_every_case_names_every_caller():
    for name, cases in CASES.items():
        for case in cases:
            assert set(case.expect) == set(CALLERS), name
            assert case.method in {"get", "post"}, name


MATRIX = [
    pytest.param(name, index, caller, id=f"{name}{'-' + case.label if case.label else ''}-{case.method}-{caller}")
    for name, cases in sorted(CASES.items())
    for index, case in enumerate(cases)
    for caller in CALLERS
]


@pytest.mark.parametrize(("name", "index", "caller"), MATRIX)
def test_authorization_matrix(client, name, index, caller):
    case = CASES[name][index]
    world = build_world()
    user = world.user(caller)
    if user is not None:
        client.force_login(user)
    if caller == "staff":  # staff act for producer A, chosen with the switcher
        session = client.session
        session[SESSION_KEY] = world.producer.pk
        session.save()
    url = reverse(f"portal:{name}", args=case.args(world))
    before = database_state()

    response = getattr(client, case.method)(url, case.data(world))

    expected = case.expect[caller]
    assert response.status_code == expected, (name, case.method, caller, response.status_code)
    if caller == "anon" and expected == 302:
        assert response["Location"].startswith(f"{reverse('account_login')}?next=")
    if is_refusal(expected, caller=caller):
        assert database_state() == before, f"{name} {case.method} by {caller} changed rows although refused"

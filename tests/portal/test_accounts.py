"""Signing in and out, password reset and change, two-factor: django-allauth in the portal's ways."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache

from piquetickets.emails.models import EmailTracking
from tests.factories import MembershipFactory, UserFactory
from tests.portal.otp import totp

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


@pytest.fixture
def maya(db):
    return MembershipFactory(
        user__username="maya", user__email="maya@example.com", user__first_name="Maya", role="owner"
    ).user


def sign_in(client, login, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": login, "password": password}, **extra)


def test_the_sign_in_page_has_labelled_fields_and_links(client):
    page = client.get("/accounts/login/").content.decode()

    assert '<label class="field__label" for="id_login">Username or email</label>' in page
    assert '<label class="field__label" for="id_password">Password</label>' in page
    assert "Keep me signed in on this device" in page
    assert "placeholder" not in page.split("<main", 1)[1]
    assert 'href="/accounts/password/reset/"' in page


@pytest.mark.parametrize("login", ["maya", "maya@example.com", "MAYA@example.com"])
def test_a_producer_signs_in_with_username_or_email_and_lands_on_the_dashboard(client, maya, login):
    response = sign_in(client, login)

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Welcome back, Maya." in dashboard.content.decode()  # by name, not "signed in as maya"


def test_empty_sign_in_and_reset_forms_say_what_to_enter(client):
    sign_in_page = client.post("/accounts/login/", {"login": "", "password": ""})
    reset_page = client.post("/accounts/password/reset/", {"email": ""})
    bad_address = client.post("/accounts/password/reset/", {"email": "not an address"})

    assert sign_in_page.status_code == reset_page.status_code == bad_address.status_code == 422
    assert "Enter your username or email address." in sign_in_page.content.decode()
    assert "Enter your password." in sign_in_page.content.decode()
    assert "Enter the email address of your account." in reset_page.content.decode()
    assert "Enter an email address like name@example.com." in bad_address.content.decode()
    assert "This field is required." not in sign_in_page.content.decode() + reset_page.content.decode()


def test_signing_in_starts_a_new_session(client, maya):
    client.get("/accounts/login/")  # an anonymous session exists (the CSRF cookie, a test cookie)
    session = client.session
    session["before"] = True
    session.save()
    before = client.cookies["sessionid"].value

    sign_in(client, "maya")

    assert client.cookies["sessionid"].value != before
    assert client.session.get("before") is True  # Django keeps the data, not the key


def test_signing_in_returns_to_the_page_asked_for(client, maya):
    response = client.post("/accounts/login/?next=/dashboard/team/", {"login": "maya", "password": PASSWORD})

    assert response["Location"] == "/dashboard/team/"


def test_signing_in_never_returns_to_another_site(client, maya):
    response = client.post("/accounts/login/?next=https://evil.example/", {"login": "maya", "password": PASSWORD})

    assert response["Location"] == "/dashboard/"


def test_a_wrong_password_is_422_with_the_login_kept_and_the_password_not(client, maya):
    response = sign_in(client, "maya", "not my password")

    assert response.status_code == 422
    page = response.content.decode()
    assert "<title>Error: Sign in" in page
    assert "The username and/or password you specified are not correct." in page
    assert 'value="maya"' in page
    assert "not my password" not in page
    assert "_auth_user_id" not in client.session


def test_failed_sign_ins_are_limited_per_account(client, maya):
    for _ in range(5):
        assert sign_in(client, "maya", "guess").status_code == 422

    refused = sign_in(client, "maya")  # even the right password, for now

    assert refused.status_code == 429
    assert "Too many failed login attempts. Try again later." in refused.content.decode()
    assert "_auth_user_id" not in client.session
    other = UserFactory(username="other")
    MembershipFactory(user=other)
    assert sign_in(client, "other").status_code == 302  # other accounts are not locked


def test_failed_sign_ins_are_limited_per_address(client, maya):
    for number in range(10):
        sign_in(client, f"nobody{number}", "guess", REMOTE_ADDR="203.0.113.7")

    response = client.post("/accounts/login/", {"login": "maya", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    elsewhere = client.post("/accounts/login/", {"login": "maya", "password": PASSWORD}, REMOTE_ADDR="198.51.100.2")

    assert response.status_code == 429
    assert elsewhere.status_code == 302


def test_a_password_reset_is_emailed_through_the_queue_and_works_once(
    client, maya, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "Maya@Example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    tracked = EmailTracking.objects.get()
    assert (tracked.recipient, tracked.category, tracked.status) == (
        "maya@example.com",
        "account_password_reset_key",
        "sent",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "PiqueTickets: Reset your password"
    link = re.search(r"http://localhost:8080(/accounts/password/reset/key/\S+/)", message.body).group(1)
    assert message.body.startswith("Hello Maya,")

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form.redirect_chain[-1][0], {"password1": "a-brand-new-secret-9", "password2": "a-brand-new-secret-9"}
        )
    assert done.status_code == 302
    maya.refresh_from_db()
    assert maya.check_password("a-brand-new-secret-9")
    assert "This link no longer works" in client.get(link, follow=True).content.decode()
    assert mail.outbox[-1].subject == "PiqueTickets: Your password was reset"  # the notice, in case it wasn't them


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(
    client, maya, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "stranger@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []
    assert not EmailTracking.objects.exists()


def test_a_reset_with_a_bad_address_is_422_by_the_field(client):
    response = client.post("/accounts/password/reset/", {"email": "nope"})

    assert response.status_code == 422
    assert 'id="id_email_error"' in response.content.decode()
    assert 'value="nope"' in response.content.decode()


def test_changing_the_password_needs_the_current_one(client, maya):
    client.force_login(maya)

    wrong = client.post(
        "/accounts/password/change/",
        {"oldpassword": "guess", "password1": "another-good-secret-1", "password2": "another-good-secret-1"},
    )
    right = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-good-secret-1", "password2": "another-good-secret-1"},
    )

    assert wrong.status_code == 422
    assert 'id="id_oldpassword_error"' in wrong.content.decode()
    assert right.status_code == 302
    maya.refresh_from_db()
    assert maya.check_password("another-good-secret-1")
    assert client.get("/dashboard/").status_code == 200  # still signed in


def test_signing_out_is_a_post(client, maya):
    client.force_login(maya)

    confirm = client.get("/accounts/logout/")
    assert confirm.status_code == 200
    assert "_auth_user_id" in client.session

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/dashboard/").status_code == 302


def test_nobody_signs_up_on_their_own(client):
    response = client.get("/accounts/signup/")

    assert "Joining is by invitation" in response.content.decode()
    assert client.post("/accounts/signup/", {"email": "a@example.com", "username": "a"}).status_code != 302


def test_staff_sign_in_to_the_admin_where_producers_sign_in(client):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)

    sent = client.get("/admin/orders/order/")
    assert sent["Location"] == "/admin/login/?next=/admin/orders/order/"
    to_sign_in = client.get(sent["Location"])
    assert to_sign_in.status_code == 302
    assert to_sign_in["Location"] == "/accounts/login/?next=%2Fadmin%2Forders%2Forder%2F"
    # the admin's own form takes no password: it would skip the rate limits and two-factor step
    refused = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert refused.status_code == 302
    assert "_auth_user_id" not in client.session

    signed_in = client.post(
        to_sign_in["Location"], {"login": "root", "password": PASSWORD, "next": "/admin/orders/order/"}
    )

    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/admin/orders/order/"
    assert client.get("/admin/orders/order/").status_code == 200
    assert staff.pk == int(client.session["_auth_user_id"])


def test_staff_sign_in_attempts_are_rate_limited_like_everyone_s(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        assert sign_in(client, "root", "guess").status_code == 422

    blocked = sign_in(client, "root")

    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_signed_in_producer_is_refused_the_admin(client, maya):
    sign_in(client, "maya")

    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_two_factor_set_up_then_asked_at_sign_in(client, maya):
    sign_in(client, "maya")
    asked = client.get("/accounts/2fa/totp/activate/")  # turning it on asks for the password again
    assert asked.status_code == 302
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    assert "Confirm it's you" in client.get(asked["Location"]).content.decode()
    assert client.post(asked["Location"], {"password": "guess"}).status_code == 422
    confirmed = client.post(asked["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = re.search(r'<p class="secret" id="totp-secret">(\w+)</p>', page.content.decode()).group(1)
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 422
    assert 'id="id_code_error"' in wrong.content.decode()

    response = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=maya, type="totp").exists()

    client.post("/accounts/logout/")
    cache.clear()  # a code is good once; the next sign-in may fall in the same 30 seconds
    asked = sign_in(client, "maya")
    assert asked.status_code == 302
    assert asked["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/dashboard/").status_code == 302  # not signed in until the code is given

    assert client.post("/accounts/2fa/authenticate/", {"code": "123456"}).status_code == 422
    done = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert done.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_staff_turn_off_a_lost_two_factor(admin_client, maya):
    Authenticator.objects.create(user=maya, type=Authenticator.Type.TOTP, data={"secret": "x"})

    response = admin_client.post(
        "/admin/accounts/user/", {"action": "turn_off_two_factor", "_selected_action": [maya.pk]}
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=maya).exists()

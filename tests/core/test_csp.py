"""The Content-Security-Policy on every response, the admin's own policy, pages that opt in to being
framed, and the policy's media origins."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from django.views import View

from piquetickets.core.csp import EmbeddableMixin, embeddable, media_origins, origin_of
from tests.core.test_settings import run_python
from tests.factories import CheckInSessionFactory

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; report-to csp; report-uri /csp-report/"
)


def directives(policy: str) -> dict[str, str]:
    """The policy as ``{directive: sources}`` (django-csp writes the directives in no fixed order)."""
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


# --- a view that may be framed, and one that may not (this module is also the URLconf) ---------


@embeddable("https://venue.example", "'self'")
def framed_widget(request):
    return HttpResponse("<p>On sale now</p>")


@embeddable()
def framed_by_setting(request):
    return HttpResponse("<p>On sale now</p>")


class FramedView(EmbeddableMixin, View):
    frame_ancestors = ("https://*.venue.example",)

    def get(self, request):
        return HttpResponse("<p>On sale now</p>")


urlpatterns = [
    path("test-widget/", framed_widget),
    path("test-widget-by-setting/", framed_by_setting),
    path("test-widget-class/", FramedView.as_view()),
    path("", include("config.urls")),
]


# --- every response -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/health/", "/checkin/?token=not-a-real-token", "/no-such-page/", "/api/v1/shows/", "/static/css/app.css"],
    ids=["health", "checkin-error", "404", "api", "static-file"],
)
def test_every_response_carries_the_strict_policy_and_its_report_endpoint(client, url):
    response = client.get(url)

    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
    assert response["Reporting-Endpoints"] == 'csp="http://testserver/csp-report/"'
    assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.django_db
def test_the_check_in_app_runs_under_the_strict_policy(client):
    response = client.get("/checkin/", {"token": CheckInSessionFactory().token})

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
    html = response.content.decode()
    assert "<style" not in html
    assert " style=" not in html
    assert "<script>" not in html


@pytest.mark.django_db
def test_the_admin_gets_eval_for_alpine_and_inline_styles_and_nothing_more(admin_client):
    for url in ("/admin/login/", "/admin/", "/admin/shows/show/"):
        response = admin_client.get(url)

        assert response.status_code in {200, 302}, url
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == "'self' 'unsafe-eval'"
        assert policy["style-src"] == "'self' 'unsafe-inline'"
        others = {key: value for key, value in policy.items() if key not in {"script-src", "style-src"}}
        assert others == {k: v for k, v in directives(POLICY).items() if k not in {"script-src", "style-src"}}


@pytest.mark.django_db
def test_the_api_docs_page_has_no_inline_script_or_style_and_declares_its_language(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<style" not in html
    assert "<script>" not in html
    assert '<script src="/api/v1/docs/?script="></script>' in html

    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert 'url: "/api/v1/schema/"' in script.content.decode()


def test_settings_can_send_the_policy_report_only():
    probe = (
        "import django; from django.test import Client; django.setup(); "
        "from django.test.utils import setup_test_environment; setup_test_environment(); "
        "response = Client().get('/static/css/app.css'); "
        "print(response.get('Content-Security-Policy'), '|', response.get('Content-Security-Policy-Report-Only'))"
    )
    result = run_python(probe, DEBUG="1", CSP_REPORT_ONLY="true")

    assert result.returncode == 0, result.stderr
    enforced, reported = result.stdout.strip().splitlines()[-1].split(" | ")
    assert enforced == "None"
    assert directives(reported) == directives(POLICY)


def test_settings_add_the_media_storage_and_payment_form_origins():
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; print(d['img-src'], d['form-action'])"
    )
    result = run_python(
        probe,
        DEBUG="1",
        AWS_STORAGE_BUCKET_NAME="pique-media",
        AWS_S3_CUSTOM_DOMAIN="media.tickets.example",
        PAYMENT_PROVIDER="stripe",
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "[\"'self'\", 'data:', 'https://media.tickets.example'] "
        "[\"'self'\", 'https://checkout.stripe.com', 'https://connect.stripe.com']"
    )


# --- pages that may be framed ---------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_an_embeddable_view_names_who_may_frame_it_and_drops_x_frame_options(client):
    response = client.get("/test-widget/")

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == "https://venue.example 'self'"
    assert "X-Frame-Options" not in response
    # every other directive is the site's
    others = {k: v for k, v in directives(response["Content-Security-Policy"]).items() if k != "frame-ancestors"}
    assert others == {k: v for k, v in directives(POLICY).items() if k != "frame-ancestors"}

    # the rest of the site is still unframeable
    health = client.get("/health/")
    assert directives(health["Content-Security-Policy"])["frame-ancestors"] == "'none'"
    assert health["X-Frame-Options"] == "DENY"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_class_based_view_opts_in_with_the_mixin(client):
    response = client.get("/test-widget-class/")

    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == "https://*.venue.example"
    assert "X-Frame-Options" not in response


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_without_origins_an_embeddable_view_uses_the_setting_and_with_none_stays_unframeable(client, settings):
    settings.CSP_EMBED_FRAME_ANCESTORS = []
    response = client.get("/test-widget-by-setting/")
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"

    settings.CSP_EMBED_FRAME_ANCESTORS = ["https://venue.example", "https://club.example"]
    response = client.get("/test-widget-by-setting/")
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == (
        "https://venue.example https://club.example"
    )
    assert "X-Frame-Options" not in response


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_report_only_mode_frames_the_same_way(client, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None

    response = client.get("/test-widget/")

    assert "Content-Security-Policy" not in response
    policy = directives(response["Content-Security-Policy-Report-Only"])
    assert policy["frame-ancestors"] == "https://venue.example 'self'"
    assert response["Reporting-Endpoints"] == 'csp="http://testserver/csp-report/"'


# --- each policy built once per process -------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_each_distinct_policy_is_built_once_and_a_setting_change_builds_anew(client, settings, monkeypatch):
    from piquetickets.core import csp

    settings.CSP_EMBED_FRAME_ANCESTORS = ["https:"]  # a setting change: every policy built before is forgotten
    calls = []
    build = csp.build_policy
    monkeypatch.setattr(csp, "build_policy", lambda **kwargs: calls.append(kwargs) or build(**kwargs))
    first, again = client.get("/health/"), client.get("/health/")
    framed, framed_again = client.get("/test-widget/"), client.get("/test-widget/")

    assert first["Content-Security-Policy"] == again["Content-Security-Policy"]
    assert directives(first["Content-Security-Policy"]) == directives(POLICY)
    assert framed["Content-Security-Policy"] == framed_again["Content-Security-Policy"]
    assert directives(framed["Content-Security-Policy"])["frame-ancestors"] == "https://venue.example 'self'"
    # the site's policy and report-only (none) once, the framed page's two once: four builds for four requests
    assert len(calls) == 4

    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    swapped = client.get("/health/")
    assert "Content-Security-Policy" not in swapped
    assert directives(swapped["Content-Security-Policy-Report-Only"]) == directives(POLICY)
    assert swapped["Reporting-Endpoints"] == 'csp="http://testserver/csp-report/"'


def test_a_response_that_used_a_nonce_gets_it_in_its_own_policy(rf, settings):
    from csp.constants import NONCE

    from piquetickets.core.csp import ContentSecurityPolicyMiddleware

    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "script-src": ["'self'", NONCE]}
    }
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    policies = []
    for _ in range(2):
        request = rf.get("/health/")
        middleware.process_request(request)
        nonce = str(request.csp_nonce)
        policy = middleware.process_response(request, HttpResponse())["Content-Security-Policy"]
        assert f"'nonce-{nonce}'" in policy
        policies.append(policy)
    assert policies[0] != policies[1]


@pytest.mark.parametrize(
    "source", ["https://a.example; script-src *", "https://a.example https://b.example", "'unsafe-inline'", ""]
)
def test_embeddable_refuses_anything_but_single_sources(source):
    with pytest.raises(ImproperlyConfigured, match="Not a single CSP source"):
        embeddable(source)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_bad_frame_ancestors_setting_is_refused(settings):
    settings.CSP_EMBED_FRAME_ANCESTORS = ["https://a.example; script-src *"]

    with pytest.raises(ImproperlyConfigured, match="Not a single CSP source"):
        Client(raise_request_exception=True).get("/test-widget-by-setting/")


# --- the policy's origins -------------------------------------------------------------------


def test_media_served_by_the_site_itself_adds_no_origin():
    assert media_origins(media_url="/media/") == []


def test_an_absolute_media_url_adds_its_origin():
    assert media_origins(media_url="https://cdn.tickets.example:8443/media/") == ["https://cdn.tickets.example:8443"]


def test_an_s3_bucket_adds_its_custom_domain_or_its_aws_host_names():
    assert media_origins(media_url="/media/", bucket="pique", custom_domain="media.tickets.example") == [
        "https://media.tickets.example"
    ]
    assert media_origins(media_url="/media/", bucket="pique", region="eu-west-1") == [
        "https://pique.s3.amazonaws.com",
        "https://pique.s3.eu-west-1.amazonaws.com",
    ]
    assert media_origins(media_url="/media/", bucket="pique") == ["https://pique.s3.amazonaws.com"]
    assert media_origins(media_url="/media/", bucket="pique", endpoint_url="http://127.0.0.1:9000") == [
        "http://127.0.0.1:9000"
    ]


def test_origin_of_keeps_scheme_host_and_port_only():
    assert origin_of("https://user:pw@cdn.example:444/a/b?c#d") == "https://cdn.example:444"
    assert origin_of("/media/") is None
    assert origin_of("javascript:alert(1)") is None
    assert origin_of("") is None

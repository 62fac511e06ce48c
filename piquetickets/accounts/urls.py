"""django-allauth's account and two-factor URLs (``/accounts/``), answering as the portal's own forms do.

Every view of ``allauth.urls`` is wrapped by :func:`house_style`: its forms get the portal's wording
(visible labels, no placeholders standing in for them, plain-text hints: see :func:`present`), and a
POST whose form comes back with errors answers 422 (429 when sign-in is refused for too many failed
tries), like every other form of the site, instead of 200.
"""

from __future__ import annotations

from functools import wraps

from allauth import urls as allauth_urls
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import URLPattern, URLResolver

LABELS = {
    "login": "Username or email",
    "remember": "Keep me signed in on this device",
    "oldpassword": "Current password",
    "password1": "New password",
    "password2": "New password again",
    "email": "Email address",
    "code": "Code",
}
PASSWORD_HINT = "At least 8 characters; not a common password, not only numbers, not too like your name or email."  # noqa: S105
THROTTLED = "too_many_login_attempts"


def present(form) -> None:
    """Give an allauth form the portal's wording: our labels, no placeholders, plain-text hints."""
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if name in LABELS:
            field.label = LABELS[name]
        if name == "password1":
            field.help_text = PASSWORD_HINT
        elif name in {"password", "oldpassword"}:
            field.help_text = ""  # allauth's is an HTML "forgot your password?" link; the page has one
        if name == "login":
            field.widget.attrs.update(autocomplete="username", autocapitalize="none", spellcheck="false")
        if name == "code":
            field.widget.attrs.update(inputmode="numeric", autocomplete="one-time-code")
    # A bound form that was validated has made its BoundFields, which copied the old labels and hints.
    getattr(form, "_bound_fields_cache", {}).clear()


def house_style(view):
    """Wrap an allauth view: see the module's docstring."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        if form is not None and hasattr(form, "fields"):
            present(form)
            if request.method == "POST" and response.status_code == 200 and form.is_bound and form.errors:
                response.status_code = 429 if form.has_error(NON_FIELD_ERRORS, THROTTLED) else 422
        return response

    return wrapper


def _wrapped(patterns) -> list:
    result = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            result.append(
                URLResolver(
                    pattern.pattern,
                    _wrapped(pattern.url_patterns),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        else:
            callback = house_style(pattern.callback)
            result.append(URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name))
    return result


urlpatterns = _wrapped(allauth_urls.urlpatterns)

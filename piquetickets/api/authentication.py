from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from piquetickets.accounts.selectors import api_token_find
from piquetickets.accounts.services import api_token_touch


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer pq_…`` (or ``Token pq_…``): a producer's integration key."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Bearer pq_…'.", code="invalid_token")
        token = api_token_find(key=header[1])
        if token is None:
            raise exceptions.AuthenticationFailed("This API key is unknown, revoked or expired.", code="invalid_token")
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A producer API key: `pq_<prefix>_<secret>`."}

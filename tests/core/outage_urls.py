"""Views that meet outages and bugs, for the tests of how they are answered."""

from django.db import OperationalError
from django.http import HttpResponse
from django.urls import include, path


class Cause(Exception):
    """Stands in for a psycopg error: what the database driver raised, with its SQLSTATE."""

    def __init__(self, sqlstate):
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def database_error(sqlstate):
    error = OperationalError(f"SQLSTATE {sqlstate}")
    error.__cause__ = Cause(sqlstate)
    return error


def outage(request):
    raise database_error("08006")  # connection failure


def bug(request):
    raise ZeroDivisionError("a real bug")


def fine(request):
    return HttpResponse("fine")


urlpatterns = [
    path("page/outage/", outage),
    path("page/bug/", bug),
    path("api/v1/outage/", outage),
    path("api/v1/bug/", bug),
    path("", include("config.urls")),
]

handler404 = "piquetickets.core.views.not_found"
handler500 = "piquetickets.core.views.server_error"

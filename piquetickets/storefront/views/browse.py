"""Home, the show list, public profiles, the producer-interest form (helper "browse" fills these in)."""

from django.http import Http404


def home(request):
    raise Http404


def show_list(request):
    raise Http404


def venue_profile(request, slug):
    raise Http404


def performer_profile(request, slug):
    raise Http404


def producer_profile(request, slug):
    raise Http404


def sell(request):
    raise Http404


def subscribe(request):
    raise Http404


def favicon(request):
    raise Http404

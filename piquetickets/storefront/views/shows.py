"""The show page and its one-page checkout (helper "showpage" fills these in)."""

from django.http import Http404


def show_detail(request, slug):
    raise Http404


def show_calendar(request, slug):
    raise Http404


def checkout(request, slug):
    raise Http404


def checkout_alias(request):
    raise Http404


def order_confirmation_alias(request):
    raise Http404


def resend_tickets(request):
    raise Http404

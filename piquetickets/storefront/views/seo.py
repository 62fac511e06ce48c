"""Sitemap, robots.txt, the embeddable widget (helper "extras" fills these in)."""

from django.http import Http404


def robots_txt(request):
    raise Http404


def sitemap_xml(request):
    raise Http404


def embed_show(request, slug):
    raise Http404

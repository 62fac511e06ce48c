"""The help centre ``/dashboard/help/``: the knowledge base's categories with their published articles
for producers, one article with the others of its category, and a search (``?q=``). Staff write the
articles in the admin (*Knowledge base*); the reads are ``piquetickets.knowledge.selectors``."""

from __future__ import annotations

import re

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from piquetickets.core.fields import sanitize_html
from piquetickets.knowledge.models import KnowledgeArticle
from piquetickets.knowledge.selectors import (
    knowledge_article,
    knowledge_categories_with_articles,
    knowledge_related,
    knowledge_search,
)

from ..access import producer_required
from ..forms.help import HelpSearchForm

AUDIENCE = KnowledgeArticle.Audience.PRODUCERS
_TOP_HEADINGS = re.compile(r"<(/?)h1\b", re.IGNORECASE)


def article_html(body: str) -> str:
    """An article's body for the page: sanitised once more (a row written around the model was never
    cleaned), its ``h1`` made ``h2`` (the page's one ``h1`` is the title)."""
    return mark_safe(sanitize_html(_TOP_HEADINGS.sub(r"<\1h2", body or "")))  # noqa: S308 - nh3 keeps formatting only


@require_GET
@producer_required
def help_index(request):
    form = HelpSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "portal/help/index.html", {"form": form, "searching": True, "results": []}, status=422)
    query = form.cleaned_data["q"].strip()
    if query:
        context = {"form": form, "searching": True, "query": query}
        context["results"] = knowledge_search(audience=AUDIENCE, query=query)
    else:
        context = {"form": form, "categories": knowledge_categories_with_articles(audience=AUDIENCE)}
    return render(request, "portal/help/index.html", context)


@require_GET
@producer_required
def help_article(request, slug):
    article = knowledge_article(audience=AUDIENCE, slug=slug)
    if article is None:
        raise Http404("No such article.")
    context = {
        "article": article,
        "body": article_html(article.body),
        "related": knowledge_related(article=article, audience=AUDIENCE),
        "form": HelpSearchForm(),
    }
    return render(request, "portal/help/article.html", context)

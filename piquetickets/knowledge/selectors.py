"""Reads of the help centre: what one audience may read (published articles written for them or for
everyone), by category, one article with its related ones, and a ranked search.

Search on PostgreSQL is full text (English stemming: "refunds" finds "refund"), weighted title >
summary > body and ranked; on other databases (SQLite in development and tests) every word must occur
in the title, summary or body, and an article whose title has the words comes before one whose body
has them. When no article has every word (a question: "how do I refund a ticket"), the articles with
any of its meaningful words are found, those with more of them first. Either way at most
:data:`SEARCH_LIMIT` articles.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from .models import KnowledgeArticle, KnowledgeCategory

SEARCH_LIMIT = 20
# Words a question is made of that say nothing of what it is about (PostgreSQL's English configuration
# drops its own list; this one is for the other databases).
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "get", "how", "i", "if",
    "in", "is", "it", "my", "of", "on", "or", "the", "to", "what", "when", "where", "who", "why", "will", "with",
    "you", "your", "me", "we", "our",
})  # fmt: skip
RELATED_LIMIT = 4
Audience = KnowledgeArticle.Audience


def knowledge_articles_for(*, audience: str) -> QuerySet[KnowledgeArticle]:
    """Published articles for ``audience`` (``producers`` or ``buyers``) and for everyone."""
    return KnowledgeArticle.objects.filter(
        is_published=True, audience__in=[audience, Audience.EVERYONE]
    ).select_related("category")


def knowledge_categories_with_articles(*, audience: str) -> list[KnowledgeCategory]:
    """The categories that have an article for ``audience``, in order, each with ``.shown`` (its
    articles for that audience, in order). Two queries."""
    articles = knowledge_articles_for(audience=audience).order_by("order", "title")
    categories = (
        KnowledgeCategory.objects.filter(articles__in=articles.values("pk"))
        .distinct()
        .order_by("order", "name")
        .prefetch_related(Prefetch("articles", queryset=articles, to_attr="shown"))
    )
    return list(categories)


def knowledge_article(*, audience: str, slug: str) -> KnowledgeArticle | None:
    """The published article ``slug`` for ``audience``, or ``None`` (draft, for others, or unknown)."""
    return knowledge_articles_for(audience=audience).filter(slug=slug).first()


def knowledge_related(*, article: KnowledgeArticle, audience: str, limit: int = RELATED_LIMIT):
    """Other articles of the same category for ``audience``, in the category's order."""
    return list(
        knowledge_articles_for(audience=audience)
        .filter(category_id=article.category_id)
        .exclude(pk=article.pk)
        .order_by("order", "title")[:limit]
    )


def knowledge_search(*, audience: str, query: str, limit: int = SEARCH_LIMIT) -> list[KnowledgeArticle]:
    """The articles for ``audience`` matching ``query``, best first (module docstring)."""
    words = [word for word in query.split() if len(word) > 1]  # "a" would match every article
    if not words:
        return []
    articles = knowledge_articles_for(audience=audience)
    if connection.vendor == "postgresql":
        found = _search_full_text(articles, query, limit)
    else:
        found = _search_words(articles, words, limit)
    if found:
        return found
    # Nothing has every word (a question: "how do I refund a ticket"): the articles with any of its
    # words that mean something, those with more of them first.
    meaningful = [word for word in words if word.lower() not in STOP_WORDS]
    if not meaningful or len(words) == 1:  # one word: the search above was this one
        return []
    if connection.vendor == "postgresql":
        return _search_full_text(articles, query, limit, any_word=meaningful)
    return _search_words(articles, meaningful, limit, any_word=True)


def _search_full_text(articles, query: str, limit: int, any_word: list[str] | None = None) -> list[KnowledgeArticle]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    if any_word:
        search = SearchQuery(any_word[0], search_type="plain", config="english")
        for word in any_word[1:]:
            search |= SearchQuery(word, search_type="plain", config="english")
    else:
        search = SearchQuery(query, search_type="websearch", config="english")
    return list(
        articles.annotate(document=vector, rank=SearchRank(vector, search))
        .filter(document=search)
        .order_by("-rank", "category__order", "order", "title")[:limit]
    )


def _search_words(articles, words: list[str], limit: int, any_word: bool = False) -> list[KnowledgeArticle]:
    score = Value(0, output_field=IntegerField())
    anywhere = Q()
    for word in words:
        found = Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        if any_word:
            anywhere |= found
        else:
            articles = articles.filter(found)
        score = score + Case(
            When(title__icontains=word, then=Value(3)),
            When(summary__icontains=word, then=Value(2)),
            When(body__icontains=word, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    if any_word:
        articles = articles.filter(anywhere)
    return list(articles.annotate(rank=score).order_by("-rank", "category__order", "order", "title")[:limit])

"""Authorization cases for the portal's help URLs (``piquetickets/portal/urls/help.py``).

See ``tests/portal/matrix.py`` for the callers, the world and the helpers imported here. The help
centre is the same for every producer: anyone acting for one reads it.
"""

from __future__ import annotations

from piquetickets.knowledge.models import KnowledgeArticle, KnowledgeCategory
from tests.portal.matrix import Case, expect

_READERS = expect(anon=302, outsider=200, manager=200, owner=200, staff=200)


def _article(w) -> list:
    category = KnowledgeCategory.objects.create(name="Selling tickets")
    made = KnowledgeArticle.objects.create(
        category=category, title="Promo codes", body="<p>Codes.</p>", audience="producers", is_published=True
    )
    return [made.slug]


def _draft(w) -> list:
    category = KnowledgeCategory.objects.create(name="Drafts")
    made = KnowledgeArticle.objects.create(category=category, title="Not yet", body="<p>Soon.</p>")
    return [made.slug]


CASES: dict[str, list[Case]] = {
    "help": [Case("get", _READERS), Case("get", _READERS, data=lambda w: {"q": "promo"}, label="search")],
    "help-article": [
        Case("get", _READERS, args=_article),
        Case("get", expect(anon=302, outsider=404, manager=404, owner=404, staff=404), args=_draft, label="draft"),
    ],
}

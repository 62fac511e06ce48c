from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from unfold.admin import ModelAdmin

from piquetickets.core.admin import RichTextAdmin

from .models import KnowledgeArticle, KnowledgeCategory


@admin.register(KnowledgeCategory)
class KnowledgeCategoryAdmin(ModelAdmin):
    list_display = ["name", "slug", "order", "published_articles"]
    list_editable = ["order"]
    search_fields = ["name"]
    readonly_fields = ["slug"]
    fields = ["name", "slug", "description", "order"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(published=Count("articles", filter=Q(articles__is_published=True)))
        )

    @admin.display(description="Published articles", ordering="published")
    def published_articles(self, obj) -> int:
        return obj.published


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(RichTextAdmin):
    """Help-centre articles: producers read the published ones for *Producers* or *Everyone* in the
    portal's help centre (``/dashboard/help/``); buyers' ones are served by the API."""

    list_display = ["title", "category", "audience", "is_published", "order", "updated_at"]
    list_editable = ["order"]
    list_filter = ["is_published", "audience", "category"]
    search_fields = ["title", "summary", "body"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "summary", "body"]}),
        ("Who reads it", {"fields": ["audience", "is_published", "order"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.update(is_published=True, updated_at=timezone.now())
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish the selected articles", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(is_published=False, updated_at=timezone.now())
        self.message_user(request, f"Unpublished {count} article(s).", messages.SUCCESS)

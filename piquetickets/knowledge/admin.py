from django.contrib import admin
from unfold.admin import ModelAdmin

from piquetickets.core.admin import RichTextAdmin

from .models import KnowledgeArticle, KnowledgeCategory


@admin.register(KnowledgeCategory)
class KnowledgeCategoryAdmin(ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    readonly_fields = ["slug"]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(RichTextAdmin):
    list_display = ["title", "category", "audience", "is_published", "updated_at"]
    list_filter = ["is_published", "audience", "category"]
    search_fields = ["title", "summary", "body"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    list_select_related = ["category"]

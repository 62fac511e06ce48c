"""REST API for the help centre (published articles only)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from .models import KnowledgeArticle, KnowledgeCategory


class KnowledgeCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeCategory
        fields = ["slug", "name", "description", "order"]


class KnowledgeArticleSerializer(serializers.ModelSerializer):
    category = KnowledgeCategorySerializer(read_only=True)

    class Meta:
        model = KnowledgeArticle
        fields = ["slug", "title", "summary", "body", "audience", "category", "updated_at"]


class ArticleFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug")
    audience = django_filters.ChoiceFilter(choices=KnowledgeArticle.Audience.choices)
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains")

    class Meta:
        model = KnowledgeArticle
        fields = []


@extend_schema_view(list=extend_schema(summary="Help-centre categories"))
class KnowledgeCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = KnowledgeCategorySerializer
    lookup_field = "slug"
    queryset = KnowledgeCategory.objects.order_by("order", "name")
    pagination_class = None


@extend_schema_view(list=extend_schema(summary="Help-centre articles"))
class KnowledgeArticleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = KnowledgeArticleSerializer
    lookup_field = "slug"
    filterset_class = ArticleFilter
    queryset = KnowledgeArticle.objects.filter(is_published=True).select_related("category")

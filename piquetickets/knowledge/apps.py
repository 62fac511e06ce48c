from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "piquetickets.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

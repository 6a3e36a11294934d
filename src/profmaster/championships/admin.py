"""Admin views; every change still goes through the domain functions (and so into the audit log)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import domain
from .models import Championship, Competency


class DomainAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        domain.save_structure_object(obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        domain.delete_structure_object(obj, by=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # bulk deletes would bypass the domain functions


@admin.register(Championship)
class ChampionshipAdmin(DomainAdmin):
    list_display = ["name", "season", "status"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        domain.save_championship(obj, by=request.user)


@admin.register(Competency)
class CompetencyAdmin(DomainAdmin):
    list_display = ["name", "championship", "evaluation_mode", "expert_count"]
    search_fields = ["name"]
    exclude = ["age_categories"]

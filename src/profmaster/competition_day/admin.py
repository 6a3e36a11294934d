from django.contrib import admin

from profmaster.core.admin_base import ReadOnlyAdmin

from .models import Contribution, Draw


class ContributionInline(admin.TabularInline):
    model = Contribution
    fields = ("name", "text", "added_by", "added_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ("competency", "kind", "flow", "state", "algorithm", "algorithm_version", "performed_at")
    list_filter = ("kind", "state", "championship")
    # the secret stays out of sight until the draw is performed: the commitment is what anyone may see
    exclude = ("secret",)
    inlines = [ContributionInline]

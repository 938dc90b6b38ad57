"""The admin shows audit records and never changes them (the database would refuse anyway)."""

from django.contrib import admin

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "actor_username", "kind", "action_id", "case_id", "outcome")
    list_filter = ("kind", "outcome")  # choices only: no DISTINCT over the table
    search_fields = ("case_id", "actor_username", "error_code", "request_id")
    date_hierarchy = None  # a date hierarchy counts over the whole table on every page
    show_full_result_count = False
    ordering = ("-created_at", "-id")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

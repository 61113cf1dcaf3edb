"""The admin site: who may enter is the permission policy's to say (reports.permissions.can_administer)."""

from django.contrib import admin

from reports.permissions import can_administer


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        """Only those the policy lets administer the catalogue get in, not any staff user."""
        return can_administer(request.user)

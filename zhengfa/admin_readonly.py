"""A read-only admin: for what only a workflow may write (reports, their events, data values)."""


class ReadOnlyAdminMixin:
    """Lists and shows the rows; offers no form that adds, changes or deletes one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("政法工作数据报送与分析平台 · 管理")
admin.site.site_title = _("政法数据平台管理")
admin.site.index_title = _("目录与用户")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
]

# Chinese error pages that never show a traceback (zhengfa/errors.py).
handler400 = "zhengfa.errors.bad_request"
handler403 = "zhengfa.errors.permission_denied"
handler404 = "zhengfa.errors.page_not_found"
handler500 = "zhengfa.errors.server_error"

"""Pages for people: home, and (in later modules) entry, review and dashboards."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from reports import permissions

# (url name, title, description, the capability that shows it)
HOME_ENTRIES = [
    ("entry_list", _("月度填报"), _("填写本单位每月数据，保存草稿、提交审核。"), permissions.can_report),
    ("import_home", _("Excel 导入"), _("下载年度填报表，填好后上传，预览无误再写入。"), permissions.can_import),
    ("review_queue", _("审核队列"), _("审核各单位已上报的月报，通过或退回。"), permissions.can_review),
    ("completeness", _("报送进度"), _("各单位各月报送状态、报送率与按时率。"), permissions.can_see_all),
    ("dashboard", _("领导驾驶舱"), _("半年累计、同比、目标完成和迟报单位。"), permissions.can_read_dashboard),
    ("summary_table", _("汇总表"), _("按领域、单位、月份查询汇总数据并导出。"), permissions.can_see_all),
    (
        "summary_table",
        _("本单位汇总"),
        _("查询本单位已审核数据的汇总、同比和逐月数据并导出。"),
        permissions.can_report,
    ),
    (
        "summary_documents",
        _("半年总结"),
        _("按模板生成半年工作总结，导出 Word、PDF、Excel。"),
        permissions.can_read_summary,
    ),
    ("task_status", _("后台任务状态"), _("提醒、导出等后台任务是否在运行。"), permissions.can_review),
    ("admin:index", _("系统管理"), _("维护领域、指标、单位、目标和用户。"), permissions.can_administer),
]


def entries_for(user):
    """The home page's entries this user may use; an entry not built yet has no url."""
    entries = []
    for url_name, title, description, may in HOME_ENTRIES:
        if not may(user):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        entries.append({"title": title, "description": description, "url": url})
    return entries


def home(request):
    """Who you are, and the entries your role uses."""
    user = request.user
    return render(request, "reports/home.html", {"entries": entries_for(user), "role_label": user.get_role_display()})

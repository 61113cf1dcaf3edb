"""Build the demo county: catalogue, targets, 2022-01..2023-06 values and demo users."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from metrics.demo import load_catalogue, load_demo_values
from metrics.models import Indicator, Status, Target
from reports.demo import DEMO_PASSWORD, DEMO_TODAY, load_demo_reports, load_demo_users, ring_the_bell
from reports.summary.demo import load_demo_template


class Command(BaseCommand):
    help = "载入示范县：指标目录、2023年目标、2022年1月至2023年6月数据、2023年7月各状态月报和演示用户（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help="新建演示用户的密码")

    def handle(self, *args, **options):
        with transaction.atomic():
            created, updated, usernames, reports = self._load(options["password"])
        # After the commit, once the notices of July's transitions are out: the demo's day's reminders.
        notices = ring_the_bell()
        self.stdout.write(f"示范县数据：新增 {created} 条，更新 {updated} 条。")
        self.stdout.write(f"月报：新增 {reports} 份（2022年1月至2023年6月已审核，2023年7月各种状态）。")
        self.stdout.write(
            f"演示日期：{DEMO_TODAY:%Y年%-m月%-d日}（催报提醒与逾期检查已运行，新增通知 {len(notices)} 条）。"
        )
        self.stdout.write(
            f"rundemo 会固定这一天；另行启动服务时请设置环境变量 ZHENGFA_TODAY={DEMO_TODAY.isoformat()}。"
        )
        self.stdout.write("演示账号（新建账号的密码均为 {}）：".format(options["password"]))
        for username in usernames:
            self.stdout.write(f"  {username}")

    def _load(self, password):
        load_catalogue()
        Target.objects.get_or_create(
            indicator=Indicator.objects.get(code="stability.petition_backlog_resolved"),
            year=2023,
            defaults={"value": Decimal(10), "note": "市委政法委下达的涉法涉诉信访积案化解任务"},
        )
        created, updated = load_demo_values(status=Status.APPROVED)
        usernames = load_demo_users(password=password)
        reports = load_demo_reports()
        load_demo_template()
        return created, updated, usernames, reports

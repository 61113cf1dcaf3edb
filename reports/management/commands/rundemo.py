"""Migrate, load the demo county, collect the static files, print the logins and serve on 127.0.0.1:8000,
living on the demo's day."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from reports.demo import DEMO_TODAY


class Command(BaseCommand):
    help = "一条命令启动演示：迁移数据库、载入示范县、固定演示日期（2023年8月3日）、打印登录账号并启动服务。"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        if settings.ZHENGFA_ENV == "production":
            raise CommandError("生产环境（ZHENGFA_ENV=production）不能运行演示，也不能固定演示日期。")
        pin_demo_today()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        # Hashed, compressed static files that browsers keep (zhengfa/staticfiles.py).
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"演示日期固定为 {settings.ZHENGFA_TODAY:%Y年%-m月%-d日}。打开 http://{options['addrport']}/ 登录。"
        )
        call_command("runserver", options["addrport"], use_reloader=False)


def pin_demo_today():
    """Make the demo live on DEMO_TODAY, unless ZHENGFA_TODAY already names a day.

    The server runs in this process (no reloader), so the setting is what its pages read; the
    environment variable is for any process started from here, which reads the settings anew.
    """
    if settings.ZHENGFA_TODAY is None:
        settings.ZHENGFA_TODAY = DEMO_TODAY
    os.environ["ZHENGFA_TODAY"] = settings.ZHENGFA_TODAY.isoformat()

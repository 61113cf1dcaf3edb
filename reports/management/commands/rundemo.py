"""Migrate, load the demo county, collect the static files, print the logins and serve on 127.0.0.1:8000."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "一条命令启动演示：迁移数据库、载入示范县、打印登录账号并启动服务。"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        # Hashed, compressed static files that browsers keep (zhengfa/staticfiles.py).
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"打开 http://{options['addrport']}/ 登录。")
        call_command("runserver", options["addrport"], use_reloader=False)

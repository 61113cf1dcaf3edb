"""python manage.py import_values FILE.csv: historic values, approved, all or nothing."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports import permissions
from reports.imports import historic as services
from reports.imports.errors import ImportFileError
from reports.imports.workbook import human_size
from reports.models import User


class Command(BaseCommand):
    help = (
        "导入历史数据（CSV，表头 department,indicator,month,value,note；month 为 YYYY-MM；value 为空表示缺报）。"
        "全部通过检查才写入，数据记为由导入管理员审核通过。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件（UTF-8，可带 BOM）")
        parser.add_argument("--user", help="记录为导入人和审核人的管理员用户名（默认：第一个管理员）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        # Refuse an oversized file before reading it into memory.
        size = path.stat().st_size
        if size > settings.IMPORT_CSV_MAX_BYTES:
            raise CommandError(
                f"文件过大（{human_size(size)}），上限为 {human_size(settings.IMPORT_CSV_MAX_BYTES)}。"
                "请按年度拆分后分别导入。未导入任何数据。"
            )
        user = self._user(options["user"])
        try:
            result = services.import_historic_csv(data=path.read_bytes(), user=user, dry_run=options["dry_run"])
        except services.HistoricImportError as error:
            for line, reason in error.problems:
                self.stderr.write(f"第 {line} 行：{reason}")
            raise CommandError(f"{error.message.rstrip('：:')}。未导入任何数据。") from error
        except ImportFileError as error:
            raise CommandError(f"{error.message} 未导入任何数据。") from error
        verb = "检查通过（未写入）" if options["dry_run"] else "导入完成"
        self.stdout.write(
            f"{verb}：共 {result.rows} 行，新增 {result.created}，修改 {result.changed}，不变 {result.unchanged}；"
            f"{result.months} 个单位月份记为已审核（审核人：{user.username}）。"
        )

    def _user(self, username):
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"找不到用户「{username}」。")
            if not permissions.can_import_historic(user):
                raise CommandError(f"用户「{username}」不是管理员，历史数据只能由管理员导入。")
            return user
        user = services.default_import_user()
        if user is None:
            raise CommandError("系统中还没有管理员，请先创建管理员或用 --user 指定。")
        return user

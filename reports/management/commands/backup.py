"""manage.py backup --out DIR: the database, the media folder and a manifest (reports/operations/backup.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个新目录（含清单：时间、版本、行数、数据校验和）。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="新的或空的备份目录")

    def handle(self, *args, out, **options):
        try:
            manifest = backup(out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        figures = manifest["figures"]
        message = _("备份完成：%(out)s（%(tables)d 张表，%(values)d 个数值，校验和 %(sha)s）")
        self.stdout.write(
            message
            % {"out": out, "tables": len(manifest["tables"]), "values": figures["values"], "sha": figures["sha256"]}
        )

"""manage.py restore DIR: a backup into an empty database, then migrate (reports/operations/backup.py)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "把备份恢复到一个空数据库（拒绝非空数据库和更新版本的备份），然后执行迁移。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="manage.py backup 写出的目录")

    def handle(self, *args, folder, **options):
        try:
            manifest = restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        # A backup of an older release: bring its schema up to this code's.
        call_command("migrate", verbosity=0, interactive=False)
        message = _("恢复完成：%(at)s 的备份（版本 %(version)s，%(values)d 个数值），数据库已迁移到当前版本。")
        self.stdout.write(
            message
            % {"at": manifest["created_at"], "version": manifest["version"], "values": manifest["figures"]["values"]}
        )

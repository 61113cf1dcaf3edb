"""python manage.py import_catalogue catalogue.xlsx [--dry-run]: all or nothing, each bad row named."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from metrics.catalogue import CatalogueError, import_workbook


class Command(BaseCommand):
    help = (
        "导入指标目录工作簿：按代码新增或更新工作领域、报送单位、指标和报表；列出的报表的指标和分配以工作簿为准。"
        "全部通过检查才写入，否则逐行列出问题、不做任何修改。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="指标目录工作簿（.xlsx，格式见 README）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将做的修改，不写入")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        if path.stat().st_size > settings.IMPORT_MAX_BYTES:  # refused before it is read into memory
            raise CommandError(f"文件过大，上限为 {settings.IMPORT_MAX_BYTES} 字节。未导入任何内容。")
        try:
            result = import_workbook(path.read_bytes(), dry_run=options["dry_run"])
        except CatalogueError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(f"指标目录有 {len(error.problems)} 处问题，未导入任何内容。") from error
        self.stdout.write(("检查通过：" if options["dry_run"] else "导入完成：") + result.summary() + "。")

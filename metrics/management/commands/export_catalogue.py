"""python manage.py export_catalogue -o catalogue.xlsx: the catalogue as a workbook (README: 指标目录工作簿)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from metrics.catalogue import SHEETS, export_workbook


class Command(BaseCommand):
    help = "导出指标目录工作簿（工作领域、报送单位、指标、报表、报表指标、报表分配），可用 import_catalogue 导入。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="catalogue.xlsx", help="输出文件（默认 catalogue.xlsx）")

    def handle(self, *args, **options):
        path = Path(options["output"])
        path.write_bytes(export_workbook())
        self.stdout.write(f"已导出指标目录到 {path}（工作表：{'、'.join(SHEETS)}）。")

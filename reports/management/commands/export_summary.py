"""Export a period's half-year summary from the command line, as the page does (same service)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.summary.models import ExportFormat
from reports.summary.placeholders import TemplateProblem
from reports.summary.services import ExportError, build_export


class Command(BaseCommand):
    help = "导出半年工作总结：--period 2023H1 --format docx|pdf|xlsx --out 文件路径"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="期间，如 2023H1")
        parser.add_argument("--format", required=True, choices=ExportFormat.values, help="docx、pdf 或 xlsx")
        parser.add_argument("--out", required=True, help="输出文件路径")

    def handle(self, *args, **options):
        out = Path(options["out"])
        try:
            content, version, missing = build_export(period=options["period"], format=options["format"])
        except (ExportError, TemplateProblem) as error:
            raise CommandError(str(error)) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        details = f"，模板第{version}版，缺数 {missing} 处" if version else ""
        self.stdout.write(f"已导出 {out}（{len(content)} 字节{details}）。")

"""python manage.py export_values: every stored value in the long CSV format that import_values reads."""

from django.core.management.base import BaseCommand, CommandError

from metrics.models import Department
from metrics.periods import PeriodError, parse_month
from reports.imports import historic as services


class Command(BaseCommand):
    help = "导出数据为 CSV（department,indicator,month,value,note），与 import_values 的格式完全相同。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="输出文件（默认：标准输出）")
        parser.add_argument("--department", help="只导出该单位代码")
        parser.add_argument("--from", dest="first", help="起始月份 YYYY-MM")
        parser.add_argument("--to", dest="last", help="截止月份 YYYY-MM")
        parser.add_argument("--approved-only", action="store_true", help="只导出已审核的数据")
        parser.add_argument("--bom", action="store_true", help="文件开头写入 BOM，便于 Excel 直接打开")

    def handle(self, *args, **options):
        filters = {"approved_only": options["approved_only"]}
        if options["department"]:
            filters["department"] = Department.objects.filter(code=options["department"]).first()
            if filters["department"] is None:
                raise CommandError(f"未知单位代码「{options['department']}」。")
        for key in ("first", "last"):
            if options[key]:
                try:
                    filters[key] = parse_month(options[key])
                except PeriodError as error:
                    raise CommandError(str(error)) from error
        encoding = "utf-8-sig" if options["bom"] else "utf-8"
        if options["output"]:
            with open(options["output"], "w", encoding=encoding, newline="") as out:
                count = services.export_values(out, **filters)
            self.stderr.write(f"已导出 {count} 行到 {options['output']}。")
        else:
            # The raw stream: OutputWrapper would add its own line endings.
            out = self.stdout._out
            if options["bom"]:
                out.write("\ufeff")
            count = services.export_values(out, **filters)

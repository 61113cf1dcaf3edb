"""Print every indicator's figure for a period, as JSON (the API's document) or CSV."""

import json

from django.core.management.base import BaseCommand, CommandError

from reports.figures.requests import FigureRequestError, resolve_request, summary_for
from reports.figures.serializers import RECORD_FIELDS, figure_record, records_csv, summary_payload


class Command(BaseCommand):
    help = "打印各指标的汇总数据（与 /api/v1/summary 相同），JSON 或 CSV。"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2023-05、2023Q2、2023H1、2023 或 2023-01..2023-05")
        parser.add_argument("--department", default="", help="单位代码（含其下级单位）；省略为全县")
        parser.add_argument("--area", default="", help="工作领域代码；省略为全部")
        parser.add_argument("--include-submitted", action="store_true", help="同时计入已上报未审核的数据")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, **options):
        if not options["period"].strip():
            raise CommandError("请用 --period 指定期间，例如 --period 2023H1。")
        try:
            request = resolve_request(
                None,
                period=options["period"],
                department=options["department"],
                area=options["area"],
                include_submitted=options["include_submitted"],
            )
        except FigureRequestError as error:
            raise CommandError(error.message) from error
        summary = summary_for(request)
        if options["format"] == "csv":
            # Every row names the months it covers and those 同比 compares: 2023年（1—6月）, 2022年（1—6月）.
            when = {"period": summary.label, "previous_period": summary.previous_label}
            records = ({**when, **figure_record(f)} for f in summary.figures)
            self.stdout.write(records_csv(records, ["period", "previous_period", *RECORD_FIELDS]), ending="")
        else:
            self.stdout.write(json.dumps(summary_payload(request, summary), ensure_ascii=False, indent=2))

"""Entry workbook cells written by hand in the XML (as a hostile or broken tool would): refused, never a 500."""

import io
import re
import zipfile

import pytest

from reports.imports import services, workbook
from reports.imports.errors import ImportFileError
from tests.reports.imports import test_workbook
from tests.reports.imports.helpers import cell, edit
from tests.reports.imports.test_workbook import FOUND, snapshot

# The entry workbook tests' fixtures: the justice bureau, its clerk and its 2023 workbook.
justice, clerk, template = test_workbook.justice, test_workbook.clerk, test_workbook.template

pytestmark = pytest.mark.django_db

MARK = 24680.125  # a number no template holds, to find the cell's XML


def with_raw_cell(data, coordinate, xml):
    """The workbook with the cell at `coordinate` replaced by `xml` (a whole <c> element)."""
    data = edit(data, {coordinate: MARK})
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text, n = re.subn(rf'<c r="{coordinate}"[^>]*><v>{MARK}</v></c>', xml, content.decode())
                if n:
                    content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "xml",
    [
        '<c r="{c}"><v>NaN</v></c>',
        '<c r="{c}"><v>nan</v></c>',
        '<c r="{c}"><v>inf</v></c>',
        '<c r="{c}"><v>-inf</v></c>',
        '<c r="{c}"><v>1e309</v></c>',
        '<c r="{c}"><v>1E400</v></c>',
        '<c r="{c}" t="d"><v>2023-13-45</v></c>',
        '<c r="{c}" t="d"><v>not a date</v></c>',
        '<c r="{c}" t="d"><v>2023-08-01T00:00:00</v></c>',
        '<c r="{c}"><v>1e20</v></c>',
        '<c r="{c}" t="n"><v>²</v></c>',
        '<c r="{c}" t="inlineStr"><is><t>1\x00</t></is></c>',
    ],
)
def test_a_hostile_month_cell_is_refused_and_nothing_is_written(justice, clerk, template, xml):
    """NaN, infinities, overflowing exponents, broken dates: the cell or the file is refused with a reason."""
    coordinate = cell(template, FOUND, 8)
    data = with_raw_cell(template, coordinate, xml.format(c=coordinate))
    before = snapshot()
    try:
        batch, plan = services.upload_workbook(user=clerk, filename="填报表.xlsx", data=data)
    except ImportFileError as error:
        assert re.search("[\u4e00-\u9fff]", error.message)
    else:
        assert [r.coordinate for r in plan.refused] == [coordinate], plan.refused
        assert re.search("[\u4e00-\u9fff]", plan.refused[0].reason)
        with pytest.raises(ImportFileError):
            services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert snapshot() == before


@pytest.mark.parametrize("year", ["²", "٢٠٢٣", "1899", "3000", "99999999999", "0", "nan"])
def test_a_hostile_year_cell_refuses_the_file(justice, clerk, template, year):
    """The year in row 2 must be a year periods accept (metrics.periods FIRST_YEAR..LAST_YEAR)."""
    data = edit(template, {"D2": year})
    with pytest.raises(ImportFileError, match="年度"):
        services.upload_workbook(user=clerk, filename="填报表.xlsx", data=data)


def test_a_year_as_a_number_in_range_is_read(justice, clerk, template):
    """A year periods accept, typed as a number, is read (the range is periods', not the workbook's)."""
    data = edit(template, {"D2": 1950})
    assert workbook.read_template(data, max_bytes=10**7, max_rows=10**4).year == 1950

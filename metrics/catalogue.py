"""The catalogue as a spreadsheet: areas, departments, indicators, forms and their assignments.

- `export_workbook()`: the whole catalogue as .xlsx bytes, one sheet per table (SHEETS).
- `import_workbook(data, dry_run=False)`: read, check every row, then write all or nothing;
  CatalogueError lists every bad row (sheet, row, reason) in Chinese.
- `apply(sheets, dry_run=False)`: the same from rows already read ({sheet: [(row number, {column: cell})]});
  the demo county loads its CSV files through it.

Rows are matched by code: a new code creates, a known one updates (a rerun writes
nothing). A form listed in `forms` gets exactly the indicators and assignments its
rows give (a ratio listed brings its components); forms, departments and indicators
not in the workbook are left alone. Nothing is deleted but a listed form's rows.
Hostile cells are refused: formulas, error values, dates where text is due, control
characters (NUL …), text over the field's length, unknown kinds, parents that make a
cycle, a ratio whose components are missing or are ratios themselves.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from . import catalogue_sheets as book
from .catalogue_sheets import SHEETS, CatalogueError
from .forms import Form, FormAssignment, FormIndicator
from .models import Area, Better, DataValue, Department, DepartmentKind, Indicator, Kind

__all__ = [
    "SHEETS",
    "CatalogueError",
    "Result",
    "apply",
    "catalogue_rows",
    "check",
    "export_workbook",
    "import_workbook",
]


def _max(model, name):
    return model._meta.get_field(name).max_length


# --- checking --------------------------------------------------------------------------------


@dataclass
class Plan:
    """What the workbook asks for, checked: rows by sheet, typed, plus every problem found."""

    rows: dict = field(default_factory=dict)  # {sheet: [(number, {field: value})]}
    problems: list = field(default_factory=list)

    def refuse(self, sheet, number, reason):
        self.problems.append(f"{book.where(sheet, number)}：{reason}。")


PARSERS = {
    "areas": {
        "code": lambda v: book.code(v, max_length=_max(Area, "code")),
        "name": lambda v: book.text(v, max_length=_max(Area, "name"), required=True),
        "order": lambda v: book.integer(v, low=0, high=2**31 - 1, default=None),
        "core": lambda v: book.boolean(v, default=False),
    },
    "departments": {
        "code": lambda v: book.code(v, max_length=_max(Department, "code")),
        "name": lambda v: book.text(v, max_length=_max(Department, "name"), required=True),
        "kind": lambda v: book.choice(v, DepartmentKind, required=False),
        "parent": lambda v: book.code(v, max_length=_max(Department, "code"), required=False),
        "order": lambda v: book.integer(v, low=0, high=2**31 - 1, default=None),
        "active": lambda v: book.boolean(v, default=True),
    },
    "indicators": {
        "code": lambda v: book.code(v, max_length=_max(Indicator, "code")),
        "area": lambda v: book.code(v, max_length=_max(Area, "code")),
        "name": lambda v: book.text(v, max_length=_max(Indicator, "name"), required=True),
        "unit": lambda v: book.text(v, max_length=_max(Indicator, "unit"), required=True),
        "kind": lambda v: book.choice(v, Kind, required=True),
        "numerator": lambda v: book.code(v, max_length=_max(Indicator, "code"), required=False),
        "denominator": lambda v: book.code(v, max_length=_max(Indicator, "code"), required=False),
        "better": lambda v: book.choice(v, Better, required=False) or Better.NONE,
        "decimals": lambda v: book.integer(v, low=0, high=4, default=0),
        "headline": lambda v: book.boolean(v, default=False),
        "order": lambda v: book.integer(v, low=0, high=2**31 - 1, default=None),
        "active": lambda v: book.boolean(v, default=True),
        "description": lambda v: book.text(v, max_length=5000, multiline=True),
    },
    "forms": {
        "code": lambda v: book.code(v, max_length=_max(Form, "code")),
        "name": lambda v: book.text(v, max_length=_max(Form, "name"), required=True),
        "deadline_day": lambda v: book.integer(v, low=1, high=31, default=settings.REPORT_DEADLINE_DAY),
        "order": lambda v: book.integer(v, low=0, high=2**31 - 1, default=None),
        "active": lambda v: book.boolean(v, default=True),
    },
    "form_indicators": {
        "form": lambda v: book.code(v, max_length=_max(Form, "code")),
        "indicator": lambda v: book.code(v, max_length=_max(Indicator, "code")),
        "order": lambda v: book.integer(v, low=0, high=2**31 - 1, default=None),
    },
    "assignments": {
        "form": lambda v: book.code(v, max_length=_max(Form, "code")),
        "department": lambda v: book.code(v, max_length=_max(Department, "code"), required=False),
        "kind": lambda v: book.choice(v, DepartmentKind, required=False),
        "parent": lambda v: book.code(v, max_length=_max(Department, "code"), required=False),
    },
}


def _parse(plan, sheets):
    for sheet, parsers in PARSERS.items():
        parsed, first = [], {}
        for position, (number, cells) in enumerate(sheets.get(sheet, []), start=1):
            values, reasons = {}, []
            for column, parse in parsers.items():
                try:
                    values[column] = parse(cells.get(column))
                except book.Bad as error:
                    reasons.append(f"{column} {error}")
            if reasons:
                plan.refuse(sheet, number, "；".join(reasons))
                continue
            if "order" in values and values["order"] is None:
                values["order"] = position
            key = values["code"] if "code" in values else tuple(values[c] for c in parsers if c != "order")
            if key in first:
                plan.refuse(sheet, number, _("与第 %(row)d 行重复") % {"row": first[key]})
                continue
            first[key] = number
            parsed.append((number, values))
        plan.rows[sheet] = parsed


def check(sheets):
    """The Plan of rows read from a workbook (or CSV files): typed rows and every problem, cross-sheet too."""
    plan = Plan()
    _parse(plan, sheets)
    rows = plan.rows
    areas = set(Area.objects.values_list("code", flat=True)) | {v["code"] for _n, v in rows["areas"]}
    parents = dict(Department.objects.values_list("code", "parent__code"))
    parents.update({v["code"]: v["parent"] or None for _n, v in rows["departments"]})
    for number, v in rows["departments"]:
        if v["parent"] and v["parent"] not in parents:
            plan.refuse("departments", number, _("上级单位「%(code)s」不存在") % {"code": v["parent"]})
        elif cycle := _cycle(v["code"], parents):
            plan.refuse("departments", number, _("上级单位形成循环：%(path)s") % {"path": " → ".join(cycle)})
    kinds = dict(Indicator.objects.values_list("code", "kind"))
    kinds.update({v["code"]: v["kind"] for _n, v in rows["indicators"]})
    components = {
        code: (num, den)
        for code, num, den in Indicator.objects.filter(kind=Kind.RATIO).values_list(
            "code", "numerator__code", "denominator__code"
        )
    }
    components.update({v["code"]: (v["numerator"], v["denominator"]) for _n, v in rows["indicators"]})
    ratios = [v["code"] for _n, v in rows["indicators"] if v["kind"] == Kind.RATIO]
    with_values = set(DataValue.objects.filter(indicator__code__in=ratios).values_list("indicator__code", flat=True))
    relisted = {v["code"] for _n, v in rows["forms"]}
    held = {
        code
        for code, form in FormIndicator.objects.filter(indicator__code__in=ratios).values_list(
            "indicator__code", "form__code"
        )
        if form not in relisted
    }
    for number, v in rows["indicators"]:
        for reason in _indicator_problems(v, areas, kinds, components, with_values | held):
            plan.refuse("indicators", number, reason)
    _check_forms(plan, kinds, parents)
    return plan


def _cycle(code, parents):
    path, seen = [code], {code}
    while (code := parents.get(code)) is not None:
        path.append(code)
        if code in seen:
            return path
        seen.add(code)
    return None


def _indicator_problems(v, areas, kinds, components, entered):
    """Reasons to refuse an indicator row; `entered`: codes with values or in a form the workbook keeps."""
    if v["area"] not in areas:
        yield _("工作领域「%(code)s」不存在") % {"code": v["area"]}
    if v["kind"] != Kind.RATIO:
        if v["numerator"] or v["denominator"]:
            yield _("只有计算比率（ratio）才能填写分子和分母")
        return
    if v["code"] in entered:
        yield _("已有填报数据或已列入报表的指标不能改为计算比率")
    for role, code in ((_("分子"), v["numerator"]), (_("分母"), v["denominator"])):
        if not code:
            yield _("计算比率必须填写%(role)s") % {"role": role}
        elif code not in kinds:
            yield _("%(role)s「%(code)s」不存在") % {"role": role, "code": code}
        elif kinds[code] == Kind.RATIO:
            yield _("%(role)s「%(code)s」是计算比率，分子和分母必须是填报指标") % {"role": role, "code": code}
    for ratio, pair in components.items():
        if ratio != v["code"] and v["code"] in pair and kinds.get(ratio) == Kind.RATIO:
            yield _("它是计算比率「%(ratio)s」的分子或分母，不能改为计算比率") % {"ratio": ratio}


def _check_forms(plan, kinds, parents):
    rows = plan.rows
    listed = {v["code"] for _n, v in rows["forms"]}
    for number, v in rows["form_indicators"]:
        if v["form"] not in listed:
            plan.refuse("form_indicators", number, _("报表「%(code)s」不在 forms 表中") % {"code": v["form"]})
        elif v["indicator"] not in kinds:
            plan.refuse("form_indicators", number, _("指标「%(code)s」不存在") % {"code": v["indicator"]})
    for number, v in rows["assignments"]:
        targets = [t for t in ("department", "kind", "parent") if v[t]]
        if v["form"] not in listed:
            plan.refuse("assignments", number, _("报表「%(code)s」不在 forms 表中") % {"code": v["form"]})
        elif len(targets) != 1:
            plan.refuse("assignments", number, _("department、kind、parent 三列必须且只能填写一列"))
        elif targets[0] != "kind" and v[targets[0]] not in parents:
            plan.refuse("assignments", number, _("单位「%(code)s」不存在") % {"code": v[targets[0]]})


# --- writing ---------------------------------------------------------------------------------


@dataclass
class Result:
    """What an import did (or, dry run, would do): per sheet, rows created, updated and unchanged."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    dry_run: bool = False

    def summary(self):
        parts = [
            _("%(label)s 新增 %(c)d、更新 %(u)d、不变 %(n)d")
            % {"label": label, "c": self.created[s], "u": self.updated[s], "n": self.unchanged[s]}
            for s, (label, _columns) in SHEETS.items()
        ]
        return ("（试运行，未写入）" if self.dry_run else "") + "；".join(parts)


def import_workbook(data, *, dry_run=False):
    """Read and apply a catalogue workbook (bytes), all or nothing; CatalogueError lists every problem."""
    return apply(book.read_workbook(data), dry_run=dry_run)


def apply(sheets, *, dry_run=False):
    """Check the rows and write them in one transaction (rolled back for a dry run); a Result."""
    plan = check(sheets)
    if plan.problems:
        raise CatalogueError(plan.problems)
    result = Result(dry_run=dry_run)
    with transaction.atomic():
        _write(plan.rows, result)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _upsert(model, existing, code, fields, result, sheet, *, moved=False):
    """Create or update by code, writing only the fields that differ (so a rerun writes nothing)."""
    obj = existing.get(code)
    if obj is None:
        obj = model.objects.create(code=code, **fields)
        existing[code] = obj
        result.created[sheet] += 1
        return obj
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    if changed:
        obj.save(update_fields=changed)
    (result.updated if changed or moved else result.unchanged)[sheet] += 1
    return obj


def _write(rows, result):
    areas = {a.code: a for a in Area.objects.all()}
    for _n, v in rows["areas"]:
        _upsert(Area, areas, v["code"], {k: v[k] for k in ("name", "order", "core")}, result, "areas")
    departments = {d.code: d for d in Department.objects.all()}
    stored_parent = dict(Department.objects.values_list("code", "parent__code"))
    wanted_parent = {v["code"]: v["parent"] or None for _n, v in rows["departments"]}
    for _n, v in rows["departments"]:
        fields = {k: v[k] for k in ("name", "kind", "order", "active")}
        moved = v["code"] in stored_parent and stored_parent[v["code"]] != wanted_parent[v["code"]]
        _upsert(Department, departments, v["code"], fields, result, "departments", moved=moved)
    for code in _parents_first(wanted_parent):
        department, parent = departments[code], departments.get(wanted_parent[code])
        if department.parent_id != (parent and parent.pk):
            department.parent = parent
            department.save(update_fields=["parent"])  # keeps top_unit and the units' rollup (Department.save)
    _write_indicators(rows, result, areas)
    _write_forms(rows, result, departments)


def _parents_first(wanted_parent):
    order, done = [], set()

    def visit(code):
        if code in done or code not in wanted_parent:
            return
        done.add(code)
        visit(wanted_parent[code])
        order.append(code)

    for code in wanted_parent:
        visit(code)
    return order


def _write_indicators(rows, result, areas):
    indicators = {i.code: i for i in Indicator.objects.select_related("area", "numerator", "denominator")}
    # Components before ratios: a ratio points at indicators that must exist.
    for _n, v in sorted(rows["indicators"], key=lambda item: item[1]["kind"] == Kind.RATIO):
        fields = {k: v[k] for k in ("name", "unit", "kind", "better", "decimals", "headline", "order", "active")}
        fields["description"] = v["description"]
        fields["area"] = areas[v["area"]]
        fields["numerator"] = indicators[v["numerator"]] if v["numerator"] else None
        fields["denominator"] = indicators[v["denominator"]] if v["denominator"] else None
        _upsert(Indicator, indicators, v["code"], fields, result, "indicators")


def _write_forms(rows, result, departments):
    forms = {f.code: f for f in Form.objects.all()}
    for _n, v in rows["forms"]:
        _upsert(Form, forms, v["code"], {k: v[k] for k in ("name", "deadline_day", "order", "active")}, result, "forms")
    indicators = {i.code: i for i in Indicator.objects.select_related("numerator", "denominator")}
    items, targets = {code: {} for code in forms}, {code: [] for code in forms}
    for _n, v in sorted(rows["form_indicators"], key=lambda item: item[1]["order"]):
        held = items[v["form"]]
        indicator = indicators[v["indicator"]]
        # A ratio's components come with it: the form then shows the ratio.
        for part in [indicator.numerator, indicator.denominator] if indicator.is_ratio else [indicator]:
            held.setdefault(part.pk, len(held) + 1)
    for _n, v in rows["assignments"]:
        department, parent = departments.get(v["department"]), departments.get(v["parent"])
        targets[v["form"]].append((department and department.pk, v["kind"], parent and parent.pk))
    for _n, v in rows["forms"]:
        form = forms[v["code"]]
        stored = list(form.items.order_by("order", "pk").values_list("indicator_id", "order"))
        wanted = list(items[form.code].items())
        if _differs(result, "form_indicators", stored, wanted):
            form.items.all().delete()
            FormIndicator.objects.bulk_create(FormIndicator(form=form, indicator_id=i, order=o) for i, o in wanted)
        stored = list(form.assignments.order_by("pk").values_list("department_id", "kind", "parent_id"))
        if _differs(result, "assignments", stored, targets[form.code]):
            form.assignments.all().delete()
            FormAssignment.objects.bulk_create(
                FormAssignment(form=form, department_id=d, kind=k, parent_id=p) for d, k, p in targets[form.code]
            )


def _differs(result, sheet, stored, wanted):
    """Whether a form's rows must be rewritten to be exactly `wanted`; counts them either way."""
    kept = len(set(stored) & set(wanted)) if stored != wanted else len(wanted)
    if kept:
        result.unchanged[sheet] += kept
    if len(wanted) > kept:
        result.created[sheet] += len(wanted) - kept
    return stored != wanted


# --- exporting -------------------------------------------------------------------------------


def catalogue_rows():
    """{sheet: [[cell, …]]} of the whole catalogue, header first, in a stable order."""
    yes = {True: "yes", False: "no"}
    code = lambda obj: obj.code if obj is not None else None  # noqa: E731
    indicators = Indicator.objects.select_related("area", "numerator", "denominator").order_by(
        "area__order", "area__code", "order", "code"
    )
    forms = list(Form.objects.order_by("order", "code"))
    items = FormIndicator.objects.select_related("form", "indicator").order_by(
        "form__order", "form__code", "order", "indicator__code"
    )
    assignments = FormAssignment.objects.select_related("form", "department", "parent").order_by(
        "form__order", "form__code", "pk"
    )
    body = {
        "areas": [[a.code, a.name, a.order, yes[a.core]] for a in Area.objects.order_by("order", "code")],
        "departments": [
            [d.code, d.name, d.kind or None, code(d.parent), d.order, yes[d.active]]
            for d in Department.objects.select_related("parent").order_by("order", "code")
        ],
        "indicators": [
            [
                i.code,
                i.area.code,
                i.name,
                i.unit,
                i.kind,
                code(i.numerator),
                code(i.denominator),
                i.better,
                i.decimals,
                yes[i.headline],
                i.order,
                yes[i.active],
                i.description or None,
            ]
            for i in indicators
        ],
        "forms": [[f.code, f.name, f.deadline_day, f.order, yes[f.active]] for f in forms],
        "form_indicators": [[i.form.code, i.indicator.code, i.order] for i in items],
        "assignments": [[a.form.code, code(a.department), a.kind or None, code(a.parent)] for a in assignments],
    }
    return {sheet: [columns, *body[sheet]] for sheet, (_label, columns) in SHEETS.items()}


def export_workbook():
    """The whole catalogue as .xlsx bytes: one sheet per table, a header row of column names."""
    return book.write_workbook(catalogue_rows())

"""Who reports what: report forms (metrics.forms) resolved to departments and indicators.

The one home of these questions; everything else asks here, never the tables:
- `forms_for(department)`: the active forms assigned to it.
- `form_departments(form)`: the active departments the form is assigned to, kinds and parents resolved
  now (a town added later is picked up).
- `indicators_for(department, form=None)`: the active entered indicators it reports, all its forms'
  or one form's, ordered by work area, then form order.
- `reporters_of(indicator)` / `reporters_by_indicator(indicators)`: the departments that report it
  (a ratio: those that report either component).
- `reporting_departments()`: active departments with at least one active entered indicator to report.
- `refusal(department, indicator)`: '' when the department reports the indicator, else the Chinese
  reason, naming the forms that hold it and who reports them.
- `load()`: the snapshot all of them read (four queries), for callers with many questions.

Every function runs a fixed number of queries whatever the number of forms,
departments or indicators: kinds and parents are resolved in Python over the
departments, read once (`resolve` is pure).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .forms import Form, FormAssignment, FormIndicator
from .models import Department, Indicator, Kind

# Lists of reporting departments longer than this are cut to "A、B、C等N个单位".
NAMES_SHOWN = 3


@dataclass(frozen=True)
class Node:
    """What resolving assignments needs of a department."""

    pk: int
    kind: str
    parent_id: int | None
    active: bool


def resolve(targets, nodes):
    """The ids of the active departments that the targets name; pure.

    `targets` are (department_id, kind, parent_id) with exactly one set: a
    department names itself, a kind every department of that kind, a parent
    every department under it at any depth (not the parent itself).
    """
    active = {n.pk for n in nodes if n.active}
    by_kind, children = defaultdict(set), defaultdict(list)
    for n in nodes:
        by_kind[n.kind].add(n.pk)
        if n.parent_id is not None:
            children[n.parent_id].append(n.pk)
    found = set()
    for department_id, kind, parent_id in targets:
        if department_id:
            found.add(department_id)
        elif kind:
            found |= by_kind.get(kind, set())
        elif parent_id:
            todo, seen = list(children.get(parent_id, ())), set()
            while todo:
                pk = todo.pop()
                if pk not in seen:
                    seen.add(pk)
                    todo.extend(children.get(pk, ()))
            found |= seen
    return found & active


def _by_order(departments):
    return sorted(departments, key=lambda d: (d.order, d.code))


def reporter_names(departments, *, limit=NAMES_SHOWN):
    """'县人民法院、县人民检察院' or, past `limit` names, '县人民法院、县人民检察院、县公安局等4个单位'."""
    names = [d.name for d in departments]
    if limit is None or len(names) <= limit:
        return "、".join(names)
    return _("%(names)s等%(n)d个单位") % {"names": "、".join(names[:limit]), "n": len(names)}


class Assignments:
    """A snapshot of the active forms, what they hold and whom they are assigned to, resolved."""

    def __init__(self, *, forms, departments, targets, items):
        """`targets` {form id: [(department_id, kind, parent_id)]}; `items` [(form id, indicator id, order, live)]."""
        self.forms = {f.pk: f for f in forms}
        self.departments = {d.pk: d for d in departments}
        nodes = [Node(d.pk, d.kind, d.parent_id, d.active) for d in departments]
        self.members = {f.pk: resolve(targets.get(f.pk, ()), nodes) for f in forms}
        self.order = defaultdict(dict)  # {form id: {indicator id: order}}: live indicators only
        self.holding = defaultdict(list)  # {indicator id: [form id]}: every indicator
        for form_id, indicator_id, order, live in items:
            if form_id not in self.forms:
                continue
            self.holding[indicator_id].append(form_id)
            if live:
                self.order[form_id][indicator_id] = order

    # --- forms and departments

    def forms_of(self, department_id):
        """The active forms assigned to the department, in form order."""
        return [f for f in self.forms.values() if department_id in self.members[f.pk]]

    def departments_of(self, form_id):
        return _by_order(self.departments[pk] for pk in self.members.get(form_id, ()))

    def reporting_departments(self):
        """Active departments assigned a form that holds at least one active entered indicator."""
        ids = set().union(*(self.members[pk] for pk, held in self.order.items() if held))
        return _by_order(self.departments[pk] for pk in ids)

    # --- indicators

    def entered_keys(self, department_id, form_id=None):
        """{indicator id: (form order, form code, order in the form)} of what the department reports.

        An indicator in several of its forms takes its place in the first form.
        """
        keys, through = {}, {}
        for form in self.forms_of(department_id):
            for indicator_id, order in self.order[form.pk].items():
                if indicator_id not in keys:
                    keys[indicator_id], through[indicator_id] = (form.order, form.code, order), form.pk
        if form_id is not None:
            # A form's report holds what the department reports through it, not what an earlier form took.
            keys = {i: key for i, key in keys.items() if through[i] == form_id}
        return keys

    def form_through(self, department_id, indicator_id):
        """The form through which the department reports the indicator (its first form holding it), or None."""
        for form in self.forms_of(department_id):
            if indicator_id in self.order[form.pk]:
                return form
        return None

    def reported_by(self, department_ids):
        """Ids of the active entered indicators that any of the departments reports."""
        wanted = set(department_ids)
        return {i for form_id, held in self.order.items() if self.members[form_id] & wanted for i in held}

    def reporter_ids(self, indicator):
        """Ids of the departments reporting the indicator (an Indicator); a ratio: either component's."""
        if indicator.kind == Kind.RATIO:
            return self.entered_by(indicator.numerator_id) | self.entered_by(indicator.denominator_id)
        return self.entered_by(indicator.pk)

    def entered_by(self, indicator_id):
        """Ids of the departments whose forms hold the entered indicator with this id."""
        return set().union(*(self.members[f] for f in self.holding.get(indicator_id, ())))

    def reporters(self, indicator):
        return _by_order(self.departments[pk] for pk in self.reporter_ids(indicator))

    def common_reporters(self, indicators):
        """Ids of the departments that report every one of the indicators."""
        sets = [self.reporter_ids(i) for i in indicators]
        return set.intersection(*sets) if sets else set()

    def refusal(self, department, indicator):
        """'' when the department reports the indicator; otherwise why not, naming the forms that hold it."""
        name = indicator.name
        if indicator.kind == Kind.RATIO:
            return _("「%(name)s」是计算比率，由分子和分母计算得出，不能填报。") % {"name": name}
        if not indicator.active:
            return _("指标「%(name)s」已停用，不能填报。") % {"name": name}
        if not department.active:
            return _("%(department)s已停用，不能填报。") % {"department": department.name}
        if department.pk in self.entered_by(indicator.pk):
            return ""
        forms = [self.forms[pk] for pk in self.holding.get(indicator.pk, ())]
        if not forms:
            return _("指标「%(name)s」不在任何报表中，%(department)s不能填报；请管理员先将它加入报表。") % {
                "name": name,
                "department": department.name,
            }
        where = []
        for form in sorted(forms, key=lambda f: (f.order, f.code)):
            who = self.departments_of(form.pk)
            if who:
                where.append(_("%(form)s由%(who)s填报") % {"form": form.name, "who": reporter_names(who)})
            else:
                where.append(_("%(form)s尚未分配给任何单位") % {"form": form.name})
        return _("指标「%(name)s」不在%(department)s的任何报表中（报表：%(where)s）。") % {
            "name": name,
            "department": department.name,
            "where": "；".join(where),
        }


def load():
    """The snapshot of every active form, resolved: four queries."""
    forms = list(Form.objects.active().order_by("order", "code"))
    targets = defaultdict(list)
    for form_id, department_id, kind, parent_id in FormAssignment.objects.filter(form__active=True).values_list(
        "form_id", "department_id", "kind", "parent_id"
    ):
        targets[form_id].append((department_id, kind, parent_id))
    departments = list(Department.objects.order_by("order", "code"))
    items = [
        (form_id, indicator_id, order, active and kind != Kind.RATIO)
        for form_id, indicator_id, order, active, kind in FormIndicator.objects.filter(form__active=True).values_list(
            "form_id", "indicator_id", "order", "indicator__active", "indicator__kind"
        )
    ]
    return Assignments(forms=forms, departments=departments, targets=targets, items=items)


def forms_for(department, *, assignments=None):
    """The active forms assigned to the department, in form order."""
    return (assignments or load()).forms_of(department.pk)


def form_departments(form, *, assignments=None):
    """The active departments the form is assigned to (none for an inactive form), in department order."""
    return (assignments or load()).departments_of(form.pk)


def indicators_for(department, form=None, *, assignments=None):
    """The active entered indicators the department reports (of one form, when given), with their areas.

    Ordered by work area, then by form (form order, then the order in the form);
    a form not assigned to the department gives none. One query besides the snapshot.
    """
    keys = (assignments or load()).entered_keys(department.pk, form.pk if form is not None else None)
    indicators = Indicator.objects.active().entered().filter(pk__in=list(keys)).select_related("area")
    return sorted(indicators, key=lambda i: (i.area.order, i.area.code, keys[i.pk], i.code))


def reporters_of(indicator, *, assignments=None):
    """The active departments that report the indicator (a ratio: either component), in department order."""
    return (assignments or load()).reporters(indicator)


def reporters_by_indicator(indicators, *, assignments=None):
    """{indicator id: [Department]} for each of the indicators (Indicator objects)."""
    assignments = assignments or load()
    return {i.pk: assignments.reporters(i) for i in indicators}


def reporting_departments(*, assignments=None):
    """Active departments with at least one active entered indicator to report, in department order."""
    return (assignments or load()).reporting_departments()


def refusal(department, indicator, *, assignments=None):
    """'' when the department reports the indicator; else the Chinese reason, naming the forms that hold it.

    e.g. 指标「涉法涉诉风险隐患排查」不在县教育和体育局的任何报表中
    （报表：政法各单位月报由县人民法院、县人民检察院、县公安局等4个单位填报）。
    """
    return (assignments or load()).refusal(department, indicator)

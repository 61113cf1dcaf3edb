"""Reading the entry form's POST: one text box per indicator (`v_<code>`) and a note (`n_<code>`)."""

from django.utils.translation import gettext as _

from metrics.validation import NumberError, check_value, parse_number, spec_for
from reports.reporting.checks import note_problem

VALUE_PREFIX = "v_"
NOTE_PREFIX = "n_"


class EntryForm:
    """The figures and notes of one department's month, checked field by field.

    After `is_valid()`: `values` {code: Decimal or None}, `notes` {code: text},
    `errors` {code: [message]}, `form_errors` [message] (e.g. a forged field
    for an indicator of another department), `raw` {code: text as typed}.
    """

    def __init__(self, data, indicators):
        self.data = data
        self.indicators = {i.code: i for i in indicators}
        self.values, self.notes, self.raw = {}, {}, {}
        self.errors, self.form_errors = {}, []

    def is_valid(self):
        posted = {key[len(VALUE_PREFIX) :] for key in self.data if key.startswith(VALUE_PREFIX)}
        posted |= {key[len(NOTE_PREFIX) :] for key in self.data if key.startswith(NOTE_PREFIX)}
        foreign = sorted(posted - set(self.indicators))
        if foreign:
            self.form_errors.append(
                _("提交的数据包含不属于本单位的指标（%(codes)s），未保存任何数据。") % {"codes": "、".join(foreign)}
            )
        for code, indicator in self.indicators.items():
            key = VALUE_PREFIX + code
            if key in self.data:
                text = self.data.get(key, "")
                self.raw[code] = text
                try:
                    value = parse_number(text)
                except NumberError as error:
                    self.errors[code] = [error.message]
                    continue
                problems = check_value(value, spec_for(indicator))
                if problems:
                    self.errors[code] = problems
                else:
                    self.values[code] = value
            note_key = NOTE_PREFIX + code
            if note_key in self.data:
                note = self.data.get(note_key, "").strip()
                if problem := note_problem(note):
                    self.errors.setdefault(code, []).append(problem)
                self.notes[code] = note
        return not self.errors and not self.form_errors

    def summary(self):
        """One line for the top of the page."""
        if self.form_errors:
            return self.form_errors[0]
        return _("有 %(n)d 项数据不符合要求，未保存，请按红色提示修改。") % {"n": len(self.errors)}

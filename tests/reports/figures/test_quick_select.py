"""QuickSelect writes the same HTML as Django's Select, escaping included."""

import pytest
from django import forms

from reports.figures.filters import QuickSelect

CHOICES = [
    ("", "全县"),
    ("a<b", "单位 \"甲\" & 'b'"),
    ("x", "乙"),
    ("组", [("g1", "组一"), ("g2", "<组二>")]),
]


@pytest.mark.parametrize("value", [None, "", "a<b", "g2", ["x"]])
def test_the_same_html_as_django(value):
    attrs = {"id": "id_department", "data-x": 'q"<', "required": True, "disabled": False}
    expected = forms.Select(attrs=attrs, choices=CHOICES).render("department", value)
    assert QuickSelect(attrs=attrs, choices=CHOICES).render("department", value) == expected

"""What a template's words mean beyond their syntax (pure functions, no database): digits typed
outside placeholders, which will not follow the data, and the decimals the text chooses for each
value, which the Excel annex follows.
"""

import re

from django.utils.translation import gettext as _

from reports.summary.placeholders import H3_RE, H4_RE, HEADING3, HEADING4, Problem, parse_template, placeholders

_DIGITS_RE = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")


def typed_digits(body, *, title=""):
    """Warnings (Problems; saving goes ahead) for digits typed outside placeholders: they will not follow
    the data or the period. Heading numbers (1. and （1）) are not counted."""
    blocks, _problems = parse_template(body, title=title)
    warnings = []
    for block in blocks:
        texts = [p for p in [*block.lead, *block.parts] if isinstance(p, str)]
        if texts and block.kind in (HEADING3, HEADING4):
            texts[0] = (H3_RE if block.kind == HEADING3 else H4_RE).sub("", texts[0], count=1)
        found = [(text, match) for text in texts for match in _DIGITS_RE.finditer(text)]
        if not found:
            continue
        shown = "、".join(f"“{text[max(0, m.start() - 4) : m.end() + 2]}”" for text, m in found[:3])
        if len(found) > 3:
            shown += _("等%(n)d处") % {"n": len(found)}
        warnings.append(
            Problem(
                block.line,
                block.section if block.line else _("标题"),
                shown,
                _("直接写的数字不会随数据和期间变化：统计数据请改用指标占位符，年份请用【年度】【上年度】。"),
            )
        )
    return warnings


def value_places(blocks, catalogue):
    """{code: decimals} where the text writes an indicator's value to chosen decimals (【…|1位小数】),
    first occurrence first: the annex rounds those values as the text does."""
    places = {}
    for _block, p in placeholders(blocks):
        if p.special or p.group_way or p.show != "value" or p.decimals is None or p.in_wan or p.step:
            continue
        if p.key in catalogue:
            places.setdefault(catalogue[p.key], p.decimals)
    return places

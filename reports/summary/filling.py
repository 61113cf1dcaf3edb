"""Filling a parsed summary template with figures: placeholders become Segments. Pure functions, no database.

Figures are written by metrics.formatting (document_value, change_phrase …); a figure
nobody reported becomes ``【缺数：指标 · 责任单位】``, never 0.
"""

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.formatting import (
    CHANGE_PLACES,
    DOWN,
    MISSING,
    UP,
    change_phrase,
    change_size,
    change_verb,
    completion_text,
    direction,
    document_value,
)
from reports.summary.placeholders import FIGURE_MARK, PLACEHOLDER_RE, parse_placeholder


@dataclass(frozen=True)
class Segment:
    """A piece of filled text: plain text, a figure, a special word, or a missing figure's marker."""

    text: str
    kind: str = "text"  # text | figure | special | missing
    code: str = ""
    raw: str = ""
    number: int = 0  # missing figures are numbered 1, 2 … through the document

    @property
    def missing(self):
        return self.kind == "missing"


@dataclass
class FillContext:
    """What filling needs, already fetched: figures by code, who reports each code, the special words."""

    figures: dict
    catalogue: dict
    responsible: dict = field(default_factory=dict)
    specials: dict = field(default_factory=dict)
    uncertain: set = field(default_factory=set)  # codes with a value of the period marked 待核实


# A figure resting on a value a reviewer marked 待核实 is never printed as a confident one.
UNCERTAIN_MARK = gettext_lazy("（待核实）")


def fill_specials(text, specials):
    """Only the special words (【县名】【期间】…) of a text filled; other placeholders stay as typed."""

    def one(match):
        placeholder, _reasons = parse_placeholder((match.group(1) or match.group(2) or "").strip(), raw=match.group(0))
        return specials.get(placeholder.special, match.group(0)) if placeholder.special else match.group(0)

    return PLACEHOLDER_RE.sub(one, text or "")


def missing_marker(name, who="", what=""):
    """【缺数：重大事项请示报告备案 · 县委政法委】."""
    label = f"{name}{what}"
    return (
        _("【缺数：%(label)s · %(who)s】") % {"label": label, "who": who}
        if who
        else _("【缺数：%(label)s】") % {"label": label}
    )


def fill_group(placeholder, context):
    """A group condition as Segments: its words when every member fell (全降) or rose (全升), else the
    否则 words, else each member with its own 同比 (names and phrases, or what is missing)."""
    codes = [context.catalogue.get(key) for key in placeholder.keys]
    figures = [context.figures.get(code) for code in codes]
    way = {"down": DOWN, "up": UP}[placeholder.group_way]
    code = codes[0] or ""
    # Words about the whole group rest on each member: one marked 待核实 marks them too.
    mark = str(UNCERTAIN_MARK) if context.uncertain & set(codes) else ""
    if all(f is not None and direction(f) == way for f in figures):
        return [Segment(placeholder.group_text + mark, "figure", code, placeholder.raw)]
    if placeholder.other_text is not None:
        return [Segment(placeholder.other_text + mark, "figure", code, placeholder.raw)]
    segments = []
    for n, (key, member_code) in enumerate(zip(placeholder.keys, codes, strict=True)):
        if n:
            segments.append(Segment(_("，")))
        figure = context.figures.get(member_code)
        if figure is not None and figure.value is not None and figure.previous is not None:
            segments.append(Segment(figure.indicator.name))
        one = replace(placeholder, key=key, show="yoy", group_way=None, group_text=None, other_text=None)
        segments.append(fill_placeholder(one, context))
    return segments


def fill_placeholder(placeholder, context):
    """One placeholder as a Segment (a group condition: a list of Segments, see fill_group)."""
    if placeholder.special:
        return Segment(context.specials.get(placeholder.special, ""), "special", raw=placeholder.raw)
    if placeholder.group_way:
        return fill_group(placeholder, context)
    code = context.catalogue.get(placeholder.key)
    figure = context.figures.get(code)
    if figure is None:
        return Segment(missing_marker(placeholder.key), "missing", code or "", placeholder.raw)
    indicator = figure.indicator
    who = context.responsible.get(code, "")

    def missing(what=""):
        return Segment(missing_marker(indicator.name, who, what), "missing", code, placeholder.raw)

    def value_text(value):
        return document_value(
            value,
            indicator,
            decimals=placeholder.decimals,
            with_unit=placeholder.with_unit,
            in_wan=placeholder.in_wan,
            about=placeholder.about,
            step=placeholder.step,
        )

    show = placeholder.show
    if show == "name":
        return Segment(indicator.name, "figure", code, placeholder.raw)
    if show in ("value", "yoy", "verb", "size", "completion") and figure.value is None:
        return missing()
    if show == "value" and figure.value == 0 and placeholder.zero_text is not None:
        text = placeholder.zero_text
    elif show == "value":
        text = value_text(figure.value)
        if placeholder.other_text is not None:
            text = placeholder.other_text.replace(FIGURE_MARK, text)
    elif show == "previous":
        if figure.previous is None:
            return missing(_("（上年同期）"))
        text = value_text(figure.previous)
    elif show == "target":
        if figure.target is None:
            return missing(_("（年度目标）"))
        text = value_text(figure.target)
    elif show == "completion":
        if figure.target is None:
            return missing(_("（年度目标）"))
        text = completion_text(figure, decimals=placeholder.decimals)
    else:
        if figure.previous is None:
            return missing(_("（上年同期）"))
        decimals = CHANGE_PLACES if placeholder.decimals is None else placeholder.decimals
        if show == "verb":
            text = change_verb(figure)
        elif show == "size":
            text = change_size(figure, decimals=decimals)
        else:
            text = change_phrase(figure, decimals=decimals)
    if text == MISSING:
        return missing(_("（上年同期）") if show in ("verb", "size") else "")
    if code in context.uncertain and show != "previous":
        text += str(UNCERTAIN_MARK)
    return Segment(text, "figure", code, placeholder.raw)


def fill_parts(parts, context):
    """Parts (text and placeholders) → Segments, neighbouring text merged."""
    segments = []
    for part in parts:
        filled = Segment(part) if isinstance(part, str) else fill_placeholder(part, context)
        for segment in filled if isinstance(filled, list) else [filled]:
            if segment.kind == "text" and segments and segments[-1].kind == "text":
                segments[-1] = Segment(segments[-1].text + segment.text)
            else:
                segments.append(segment)
    return segments


@dataclass
class FilledBlock:
    kind: str
    lead: list
    segments: list
    line: int

    @property
    def text(self):
        return "".join(s.text for s in [*self.lead, *self.segments])


def fill_blocks(blocks, context):
    """Blocks → FilledBlocks with every placeholder filled or marked missing (missing ones numbered in order)."""
    filled = [FilledBlock(b.kind, fill_parts(b.lead, context), fill_parts(b.parts, context), b.line) for b in blocks]
    count = 0
    for block in filled:
        for name in ("lead", "segments"):
            segments = getattr(block, name)
            for n, segment in enumerate(segments):
                if segment.missing:
                    count += 1
                    segments[n] = replace(segment, number=count)
    return filled

"""Widgets of our own where WTForms' stock ones cost too much on a busy page."""
from markupsafe import Markup, escape
from wtforms.widgets import Select

RENDERED_KEPT = 512  # rendered selects kept per widget (see PlainSelect.__call__)


class PlainSelect(Select):
    """WTForms' select, written out once per distinct state and with its options written out
    directly. Every queue page renders its filters and the bulk bar's selects (about ninety
    options, most of them the same lists on every page), and the stock widget formats every
    option's attributes through ``Markup.format``: that cost more than the page's own
    queries. The markup is the stock one (``<option selected value="…">``); an option with
    attributes of its own takes the stock path."""

    def __init__(self, multiple=False):
        super().__init__(multiple)
        self._rendered: dict = {}

    def __call__(self, field, **kwargs):
        """The stock rendering, kept by what decides it: the field's name, id and flags, the
        attributes asked for, the choices, and the value chosen. Choices that cannot be a key
        (a dict of groups, attributes per option) are rendered every time."""
        flags = field.flags
        try:
            key = (field.name, field.id, flags.required, flags.disabled,
                   tuple(sorted(kwargs.items())), tuple(field.choices), field.coerce, field.data)
            rendered = self._rendered.get(key)
        except TypeError:
            return super().__call__(field, **kwargs)
        if rendered is None:
            if len(self._rendered) >= RENDERED_KEPT:
                self._rendered.clear()
            rendered = self._rendered[key] = super().__call__(field, **kwargs)
        return rendered

    @classmethod
    def _dispatch_render_option(cls):
        # The stock hook inspects render_option's signature on every render, to support the
        # pre-3.3 one; ours is the current one (WTForms is pinned in requirements.txt).
        return cls.render_option

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = choice.label or choice.value
        return Markup(f'<option {selected}value="{escape(choice.value)}">{escape(label)}</option>')

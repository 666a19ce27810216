"""Widgets of our own where WTForms' stock ones cost too much on a busy page."""
from markupsafe import Markup, escape
from wtforms.widgets import Select


class PlainSelect(Select):
    """WTForms' select with its options written out directly: the stock widget formats every
    option's attributes through ``Markup.format``, and the queue's filters offer about ninety
    options on every queue page, where that cost more than the page's own queries. The markup
    is the stock one (``<option selected value="…">``); an option with attributes of its own
    takes the stock path."""

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

"""The search box: a GET form, so results are a link one can share, reload and go back to."""
from flask_wtf import FlaskForm
from wtforms import SearchField


class SearchForm(FlaskForm):
    """What was typed; what can be searched for is the search service's rule (parse_terms)."""

    class Meta:
        csrf = False  # a GET that changes nothing

    q = SearchField("Search tickets")

"""The queue's forms: its filters (a GET form whose values live in the URL, so a queue can be
shared and saved as a link) and the saved-view forms. They check shape; the services decide
who may publish a view and what a queue shows."""
from urllib.parse import urlencode

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, Length, NumberRange, Optional

from app.forms.agent import NOT_UNDERSTOOD
from app.forms.widgets import PlainSelect
from app.http_input import optional_id
from app.models import Channel, Role, Status, TicketType
from app.services.priority import PRIORITY_LABELS
from app.services.queues import (
    AGE_DAYS, ANY_STATUS, DEFAULT_SORT, PER_PAGE, SORTS, STATUS_ORDER, VIEWS, QueueFilters, max_page,
)
from app.services.queue_views import NAME_MAX

CHANNEL_LABELS = {Channel.WALK_IN: "Walk-in", Channel.AGENT: "Proactive", Channel.API: "API"}
DENSITIES = (("comfortable", "Comfortable"), ("compact", "Compact"))
# The names the form writes into a URL, in the order it writes them (saved views compare them).
QUERY_FIELDS = ("view", "status", "team", "assignee", "requester", "ticket_type", "channel", "priority",
                "category", "age", "created_from", "created_to", "updated_from", "updated_to", "sort",
                "per_page", "density")


def _choice(label: str, choices, **kwargs) -> SelectField:
    """A select of ids or small numbers (a team, a priority, days)."""
    return SelectField(label, choices=choices, coerce=optional_id, validate_choice=True,
                       invalid_choice_message=NOT_UNDERSTOOD, invalid_value_message=NOT_UNDERSTOOD,
                       widget=PlainSelect(), **kwargs)


def _select(label: str, choices, default="") -> SelectField:
    """A select of words (a status, a type); one not offered is not understood."""
    return SelectField(label, choices=choices, default=default, validate_choice=True,
                       invalid_choice_message=NOT_UNDERSTOOD, widget=PlainSelect())


def _day(label: str) -> DateField:
    return DateField(label, validators=[Optional()], render_kw={"type": "date"},
                     invalid_value_message="Not understood; use a date like 2026-12-01.")


class QueueFilterForm(FlaskForm):
    """The queue's GET filters. A value that was not offered is reported next to its field and
    ignored, so a hand-edited or outdated URL still shows a queue."""

    class Meta:
        csrf = False

    view = HiddenField(default="team")
    status = _select("Status", [("", "Open (tab default)"), ("all", "Any status")]
                     + [(s.value, s.label) for s in STATUS_ORDER])
    team = _choice("Team", [("", "Any team")])
    assignee = _select("Assignee", [("", "Anyone"), ("me", "Me"), ("none", "Unassigned")])
    requester = StringField("Requester", validators=[Optional(), Length(max=120, message=NOT_UNDERSTOOD)],
                            render_kw={"placeholder": "Name or email"})
    ticket_type = _select("Type", [("", "Any type")] + [(t.value, t.label) for t in TicketType])
    channel = _select("Channel", [("", "Any channel")] + [
        (c.value, CHANNEL_LABELS.get(c, c.value.capitalize())) for c in Channel])
    priority = _choice("Priority", [("", "Any priority")] + list(PRIORITY_LABELS.items()))
    category = _choice("Category", [("", "Any category")])
    age = _choice("Age", [("", "Any age")] + [(d, f"Older than {d} day{'s' if d > 1 else ''}")
                                              for d in AGE_DAYS])
    created_from, created_to = _day("Created from"), _day("Created to")
    updated_from, updated_to = _day("Updated from"), _day("Updated to")
    sort = HiddenField(default=DEFAULT_SORT, validators=[Optional(), AnyOf(SORTS, message=NOT_UNDERSTOOD)])
    per_page = _choice("Rows", [(n, f"{n} per page") for n in PER_PAGE], default=PER_PAGE[0])
    density = _select("Density", DENSITIES, default="comfortable")
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)])

    def set_choices(self, categories, teams, people, me_id: int) -> None:
        self.category.choices = [("", "Any category")] + [(c.id, c.name) for c in categories]
        self.team.choices = [("", "Any team")] + [(t.id, t.name) for t in teams]
        self.assignee.choices = self.assignee.choices[:3] + [(str(p.id), p.name) for p in people
                                                            if p.id != me_id]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for start, end in ((self.created_from, self.created_to), (self.updated_from, self.updated_to)):
            if start.data and end.data and start.data > end.data and not end.errors:
                end.errors = [f"Not understood: this is before “{start.label.text}”."]
                ok = False
        return ok

    def filter_errors(self) -> list[str]:
        """Names of the filters that were not understood (a bad page number is simply ignored)."""
        return [name for name in self.errors if name != "page"]

    def _ok(self, name: str):
        field = self[name]
        return field.data if field.data not in ("", None) and not field.errors else None

    def chosen_view(self) -> str:
        return self.view.data if self.view.data in VIEWS else "team"

    def chosen_per_page(self) -> int:
        return self._ok("per_page") or PER_PAGE[0]

    def chosen_page(self) -> int:
        page = self._ok("page") or 1
        return page if page <= max_page(self.chosen_per_page()) else 1

    def compact(self) -> bool:
        return self._ok("density") == "compact"

    def filters(self) -> QueueFilters:
        """The filters that were understood; a field with errors counts as "any"."""
        ok, status = self._ok, self._ok("status")
        statuses = ANY_STATUS if status == "all" else frozenset({Status(status)}) if status else None
        assignee = ok("assignee")
        return QueueFilters(
            statuses=statuses, priority=ok("priority"), category_id=ok("category"), older_than_days=ok("age"),
            team_id=ok("team"), assignee=int(assignee) if assignee and assignee.isdigit() else assignee,
            requester=(ok("requester") or "").strip() or None,
            ticket_type=TicketType(ok("ticket_type")) if ok("ticket_type") else None,
            channel=Channel(ok("channel")) if ok("channel") else None,
            created=self._days("created"), updated=self._days("updated"),
            sort=ok("sort") or DEFAULT_SORT)

    def _days(self, name: str) -> tuple:
        """A from–to range, or neither end when either was not understood."""
        start, end = self[f"{name}_from"], self[f"{name}_to"]
        return (None, None) if start.errors or end.errors else (start.data, end.data)

    def args(self) -> dict:
        """The query string of the filters as understood, for tab, page, sort and live links;
        defaults are left out, so equal queues have equal links."""
        values = {}
        for name in QUERY_FIELDS:
            value = self._ok(name)
            if value is not None and value != self[name].default:
                values[name] = value.isoformat() if hasattr(value, "isoformat") else value
        values["view"] = self.chosen_view()
        return values

    def query(self) -> str:
        """The canonical query string (what a saved view stores)."""
        return urlencode(self.args())


class QueueViewForm(FlaskForm):
    """Save the current queue as a view; ``audience`` is offered to admins only ("team:3",
    "role:agent"); the service refuses a publication from anyone else."""

    name = StringField("Name", validators=[Length(max=NAME_MAX, message=f"Keep the name under {NAME_MAX} characters.")])
    query = HiddenField(validators=[Length(max=1000, message="These filters are too long to save.")])
    audience = SelectField("Show to", choices=[("", "Only me")], default="", validate_choice=True,
                           invalid_choice_message="Choose who sees it from the list (publishing is for admins).")

    def set_audience_choices(self, teams, may_publish: bool) -> None:
        if not may_publish:
            return
        self.audience.choices = [("", "Only me")] + [(f"role:{r.value}", f"Everyone with role {r.label}")
                                                    for r in (Role.AGENT, Role.ADMIN)] + [
            (f"team:{t.id}", f"Team {t.name}") for t in teams]

    def audience_value(self) -> tuple[str | None, str | None]:
        """("team", "3"), ("role", "agent") or (None, None) for a personal view."""
        kind, _, value = (self.audience.data or "").partition(":")
        return (kind, value) if kind else (None, None)


class RenameViewForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=NAME_MAX, message=f"Keep the name under {NAME_MAX} characters.")])


class DeleteViewForm(FlaskForm):
    """No fields: the form exists for its CSRF token."""

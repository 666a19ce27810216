"""The queue table as the queue page, its live refresh and the bulk bar's answer all show it:
the rows the query asks for (each marked when it has a requester reply the technician has not
seen), which rows a refresh removed because someone else claimed them, and the queue to return
to from a ticket ("← Queues" keeps the view and filters).
"""
from urllib.parse import parse_qsl, urlsplit

from flask import render_template, request, session, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.forms.bulk import BulkForm
from app.forms.queues import QueueFilterForm
from app.http_input import parse_id
from app.services import live, queues
from app.services.claim_notices import claimed_by_others

LAST_QUEUE = "agent_last_queue"  # session key: the query (filters, sort, page) of the last queue shown
MAX_SHOWN = 100  # a page holds at most 100 rows


class QueueChoices:
    """The filter form's choice lists, loaded once per request (one statement) however many
    forms read them."""

    def __init__(self):
        self.categories, self.teams, self.people = queues.queue_choice_lists()

    def form(self, formdata) -> QueueFilterForm:
        form = QueueFilterForm(formdata=formdata)
        form.set_choices(self.categories, self.teams, self.people, current_user.id)
        form.validate()
        return form


def table_context(choices: QueueChoices, args, with_tab_counts: bool = False) -> dict:
    """What agent/_queue_table.html needs for the queue ``args`` (a query's MultiDict) asks for,
    and with ``with_tab_counts`` the tabs' counts (the whole page shows them). The stamp is read
    before anything else, so a change made while the rest loads shows at the next poll."""
    stamp = live.tickets_stamp()
    me = current_user._get_current_object()
    counts = queues.tab_counts(me) if with_tab_counts else None
    form = choices.form(args)
    view = form.chosen_view()
    page = queues.queue_page(me, view, form.filters(), form.chosen_page(), form.chosen_per_page(),
                             counts=counts, after=args.get("after"), before=args.get("before"))
    return dict(form=form, view=view, page=page, args=form.args(), stamp=stamp, me=me, counts=counts,
                cap=queues.COUNT_CAP, claimed=_claimed(page, view))


def _claimed(page, view: str) -> list:
    """On a live refresh of the team view, the rows that left it because someone else claimed
    them (one query, only when the refresh says which rows it was showing)."""
    on_page = {t.id for t in page.items}
    gone = [i for i in _shown_ids() if i not in on_page] if view == "team" else []
    return claimed_by_others(current_user._get_current_object(), gone)


def _shown_ids() -> list[int]:
    """``?shown=<id>`` (repeated): the unassigned rows the refreshing table had; junk is ignored."""
    ids = (parse_id(value) for value in request.args.getlist("shown")[:MAX_SHOWN])
    return [i for i in ids if i is not None]


def remember_queue(args: dict, page: int) -> None:
    """Keep the queue just shown, as the filter form understood it, for "← Queues"."""
    session[LAST_QUEUE] = dict(args, page=page) if page > 1 else dict(args)


def last_queue_url() -> str:
    """The queue last shown, with its view and filters. Built by url_for from the stored query,
    so it is always the queue's own path whatever the session holds."""
    stored = session.get(LAST_QUEUE)
    args = {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}
    return url_for("agent.queue", **args)


def bulk_form(choices: QueueChoices) -> BulkForm:
    """The bulk bar's form, its choices from the queue's own lists (no further query): the
    people who work tickets, the active teams, the active categories."""
    form = BulkForm()
    form.set_choices(choices.people, [t for t in choices.teams if t.active], choices.categories)
    return form


def render_queue_table(back: str, choices: QueueChoices, **extra) -> str:
    """The queue table as the queue at ``back`` (a queue URL with its filters) shows it now."""
    args = MultiDict(parse_qsl(urlsplit(back).query))
    return render_template("agent/_queue_table.html", **table_context(choices, args), **extra)

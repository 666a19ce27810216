"""Jinja filters and globals. Nothing here queries the database: pages load what they show."""
from datetime import datetime
from functools import cache

from flask import Flask, current_app, g, url_for
from flask_login import current_user
from markupsafe import Markup

from app.models import FINAL_STATUSES, Channel, Level, Role, Status, TicketType, utcnow
from app.services import permissions
from app.services.attachments import format_bytes
from app.services.priority import PRIORITY_LABELS
from app.services.rendering import render_markdown


def timeago(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = int((utcnow() - value).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return ""


def delivery_time(days: int | None) -> str:
    """A catalog item's expected delivery, in words."""
    if days is None:
        return "Delivery time varies"
    if days == 0:
        return "Same business day"
    return f"{days} business day{'' if days == 1 else 's'}"


def datetime_utc(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def time_tag(value: datetime | None, relative: bool = False) -> Markup:
    """A ``<time>`` with the exact UTC instant in ``datetime`` and ``title``, showing the UTC time
    (or how long ago). static/js/local-time.js rewrites it in the viewer's own time zone; without
    JavaScript the UTC time stays, labelled as such. Stored times are naive UTC."""
    if value is None:
        return Markup("")
    iso = value.strftime("%Y-%m-%dT%H:%M:%SZ")
    exact = value.strftime("%Y-%m-%d %H:%M:%S UTC")
    shown = timeago(value) if relative else datetime_utc(value)
    kind = "relative" if relative else "datetime"
    return Markup('<time datetime="{}" title="{}" data-local="{}">{}</time>').format(iso, exact, kind, shown)


@cache
def status_badge(status: Status) -> Markup:
    """A status as its badge. Python rather than a macro, and built once per status: a queue
    page shows one per row, where a macro call cost more than the row's other cells."""
    return Markup('<span class="badge status-{}">{}</span>').format(status.value, status.label)


@cache
def priority_badge(priority: int) -> Markup:
    """A priority (1–5) as its badge, built once per priority (as status_badge)."""
    label = PRIORITY_LABELS[priority]
    return Markup('<span class="badge prio-{}" title="{}">{}</span>').format(priority, label, label)


NUMBER_SLOT = "__NUMBER__"


def ticket_url(endpoint: str, number: str) -> str:
    """``url_for(endpoint, number=number)`` for pages of many rows (a queue row links its
    ticket twice and its claim once): the URL is built once per request and endpoint, with a
    slot the number goes into. A ticket number is letters and digits: nothing to escape."""
    built = g.setdefault("ticket_urls", {})
    if endpoint not in built:
        built[endpoint] = url_for(endpoint, number=NUMBER_SLOT)
    return built[endpoint].replace(NUMBER_SLOT, number)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(markdown=render_markdown, timeago=timeago,
                                 datetime_utc=datetime_utc, time_tag=time_tag, delivery_time=delivery_time, filesize=format_bytes,
                                 priority_label=PRIORITY_LABELS.get,
                                 combine_page=lambda args, page: {**args, "page": page})
    app.jinja_env.globals.update(Status=Status, FINAL_STATUSES=FINAL_STATUSES, TicketType=TicketType, Level=Level,
                                 Channel=Channel, Role=Role, PRIORITY_LABELS=PRIORITY_LABELS,
                                 perms=permissions, ticket_url=ticket_url,
                                 status_badge=status_badge, priority_badge=priority_badge)

    @app.context_processor
    def live_settings():
        return {"poll_seconds": current_app.config["LIVE_POLL_SECONDS"], "current_user": current_user}

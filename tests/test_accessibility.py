"""Every main page, checked by axe-core (from npm, node_modules/axe-core) in a real browser, as
the person who uses it, at desktop (1280 px) and phone (390 px) width: no serious or critical
violation, and at 390 px nothing wider than the viewport.

The pages show the demo organisation (``seed_demo``, a few dozen tickets), built once for the
module: its tests only read, so they share one database, one browser and one signed-in context
per person. axe comes in as each context's init script, which the pages' CSP (no script but our
own files) does not apply to, so the pages are checked under their real policy."""
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.demo.data import DEMO_PASSWORD
from app.demo.seed import seed_demo
from app.extensions import db
from app.models import ApprovalStep, CatalogItem, Status, StepState, Team, Ticket
from app.models.approval import ApprovalAssignment
from app.services.users import find_user_by_email
from browser_support import chromium, serving
from conftest import empty_database_and_redis

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
PHONE, DESKTOP = 390, 1280
PEOPLE = {
    "employee": "employee@example.com",
    "approver": "approver@example.com",
    "lead": "chris.walsh@example.com",  # a team lead: the top bar's Approvals link with its count
    "agent": "agent@example.com",
    "admin": "admin@example.com",
}
# (page, who, path): {names} are filled from the demo data; who None is signed out.
PAGES = [
    ("sign-in", None, "/login"),
    ("my-tickets", "employee", "/my"),
    ("portal-ticket", "employee", "/tickets/{portal_ticket}"),
    ("catalog", "employee", "/catalog/"),
    ("catalog-item-form", "employee", "/catalog/{item}"),
    ("report-or-request", "employee", "/new"),
    ("drafts", "employee", "/drafts"),
    ("notifications", "employee", "/notifications/"),
    ("password", "employee", "/account/password"),
    ("not-found", "employee", "/no-such-page"),
    ("approvals-inbox", "approver", "/approvals/"),
    ("approval-step", "approver", "/approvals/steps/{step}"),
    ("approvals-count", "lead", "/my"),
    ("queue", "agent", "/agent/"),
    ("agent-ticket-conversation", "agent", "/agent/tickets/{agent_ticket}"),
    ("agent-ticket-history", "agent", "/agent/tickets/{agent_ticket}?tab=history"),
    ("ticket-on-behalf", "agent", "/agent/new"),
    ("search-results", "agent", "/search?q=laptop"),
    ("saved-views", "agent", "/agent/views"),
    ("admin", "admin", "/admin/"),
    ("admin-users", "admin", "/admin/users"),
    ("admin-teams", "admin", "/admin/teams"),
    ("admin-team", "admin", "/admin/teams/{team}"),
    ("admin-categories", "admin", "/admin/categories"),
    ("admin-catalog", "admin", "/admin/catalog"),
    ("admin-catalog-item", "admin", "/admin/catalog/items/{item}"),
    ("admin-field-form", "admin", "/admin/catalog/items/{item}/fields/{field}"),
    ("admin-rules", "admin", "/admin/rules"),
    ("admin-approval-policies", "admin", "/admin/approval-policies"),
    ("admin-jobs", "admin", "/admin/jobs"),
]
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}) at ${n.target.join(" ")}: ${v.help}`));
}"""


@pytest.fixture(autouse=True)
def _clean_state():
    """Replaces conftest's per-test clean-up: the demo data stays for the whole module and is
    emptied once at its end (see ``site``)."""
    yield


@pytest.fixture(scope="module")
def site(app):
    """The demo organisation served over HTTP, one browser, a signed-in context per person,
    and the ids the page paths need."""
    if not AXE.exists():
        message = f"{AXE} is missing: run npm ci (./dev test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with app.app_context():
        seed_demo(tickets=40)
        db.session.commit()
        ids = _demo_ids()
    # A slow poll: a live refresh must not swap nodes out from under axe mid-run.
    with serving(app, poll_seconds=60) as base, chromium() as browser:
        contexts = {who: _signed_in(browser, base, email) for who, email in PEOPLE.items()}
        contexts[None] = _context(browser)
        yield SimpleNamespace(base=base, ids=ids, contexts=contexts)
        for context in contexts.values():
            context.close()
    empty_database_and_redis(app)


def _demo_ids() -> dict:
    employee = find_user_by_email(PEOPLE["employee"])
    approver = find_user_by_email(PEOPLE["approver"])
    agent = find_user_by_email(PEOPLE["agent"])
    item = db.session.scalar(select(CatalogItem).where(CatalogItem.name == "New laptop"))
    return {
        "portal_ticket": _first(select(Ticket.number).where(
            Ticket.requester_id == employee.id, Ticket.status != Status.DRAFT).order_by(Ticket.id.desc())),
        "item": item.id,
        "field": item.fields[0].id,
        "step": _first(select(ApprovalStep.id).join(ApprovalAssignment).where(
            ApprovalAssignment.user_id == approver.id, ApprovalStep.state == StepState.PENDING)),
        "agent_ticket": _first(select(Ticket.number).where(
            Ticket.team_id.in_(agent.team_ids), Ticket.status.in_([Status.IN_PROGRESS, Status.OPEN, Status.NEW]))
            .order_by(Ticket.id)),
        "team": _first(select(Team.id).order_by(Team.id)),
    }


def _first(query):
    return db.session.scalars(query.limit(1)).one()


def _context(browser):
    context = browser.new_context()
    context.add_init_script(path=str(AXE))
    return context


def _signed_in(browser, base, email):
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=15000)
    page.close()
    return context


@pytest.mark.parametrize("name, who, path", PAGES, ids=[name for name, _, _ in PAGES])
def test_page_has_no_serious_accessibility_violation(site, name, who, path):
    """Loaded once, checked at desktop width, then narrowed to a phone's and checked again (the
    layout follows the viewport; no reload, so a page costs one load)."""
    page = site.contexts[who].new_page()
    problems = []
    try:
        page.set_viewport_size({"width": DESKTOP, "height": 900})
        response = page.goto(site.base + path.format(**site.ids))
        assert response.status == (404 if name == "not-found" else 200), f"{name}: {response.status}"
        page.wait_for_load_state("networkidle")
        problems += [f"{DESKTOP} px: {p}" for p in page.evaluate(RUN_AXE)]
        page.set_viewport_size({"width": PHONE, "height": 844})
        problems += [f"{PHONE} px: {p}" for p in page.evaluate(RUN_AXE)]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE:
            problems.append(f"{PHONE} px: the page is {scroll_width} px wide")
    finally:
        page.close()
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)

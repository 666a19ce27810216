"""Demo data: an IT department of five teams, ~40 employees, a service catalog with its forms,
approval policies and validation rules, and a couple of months of tickets.

Every ticket is created and moved only through the services (``create_ticket``,
``submit_ticket``, ``approvals.decide``, ``claim_ticket``, ``transition_ticket``,
``add_comment``), so numbers, history, approvals and timestamps are the real thing;
``travel_to`` backdates each step so ages and timelines look natural. The same seed gives the
same data (relative to the day it runs).

Approvals are never faked: a catalog request (or a change, through the CAB rule) is sent for
approval by its policy when it is submitted, and the people the policy names decide it. A few
featured requests are always there, whatever the seed: some waiting in approver@example.com's
inbox, one half-approved, and one of the demo employee's requests rejected with a reason.

Outbox: seeding writes one message per queued ticket and per approval asked. Delivering all of
them would put hundreds of notifications in every bell on first start, so the messages of the
last two days are replayed here (the in-app notification, backdated to when it was written)
and every seeded message is then marked done: workers never see them.
"""
import json
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.demo.data import (
    H, L, M, REQ,
    DEMO_PASSWORD, DEMO_USERS, SITES, DIRECTOR, DATA_OWNERS, EMPLOYEES, TEAMS, TECHNICIANS,
    CATEGORIES, HEAD_OF_IT, POLICIES, RULES, ITEMS, ITEM_BY_NAME, Days, Sample, SAMPLES, QUESTIONS,
    ANSWERS, UPDATES, NOTES, VENDOR_NOTES, WITHDRAW_REASONS, CANCEL_REASONS, REJECT_REASONS,
    APPROVE_COMMENTS, REOPEN_REASONS, THANKS, STATUS_MIX, CHANNELS, STEP_HOURS, AUTO_CLOSE_LABEL,
    NOTIFY_RECENT, DAYS, FEATURED,
)
from app.extensions import db
from app.models import (
    ApprovalPolicy, ApprovalStepDef, CatalogItem, Category, Channel, Decision, FormField,
    Level, OutboxMessage, Status, StepMode, StepState, Team, Ticket, User,
    ValidationRule, utcnow,
)
from app.models.base import travel_to
from app.services.approvals import decide, ticket_steps
from app.services.catalog import save_catalog_draft
from app.services.comments import add_comment
from app.services.errors import ValidationFailed
from app.services.lifecycle import transition_ticket
from app.services.notifications import (
    notify_approvers, notify_assigned, notify_comment_added, notify_status_changed, notify_team_ticket_queued,
)
from app.services.passwords import hash_password
from app.services.assignment import claim_ticket
from app.services.tickets import TicketInput, create_ticket, save_draft, submit_ticket
from app.services.users import create_user, find_user_by_email, set_membership


@dataclass
class Cast:
    """Everyone the tickets are about, found once and passed around."""

    employees: list[User]  # who raises tickets (the managing director does not)
    teams: dict[str, Team]
    members: dict[int, list[User]]  # team id -> technicians (lead included)
    leads: dict[int, User]
    categories: dict[str, Category]
    approver: User
    people: dict[str, User]  # everyone, by name
    demo: dict[str, User] = field(default_factory=dict)
    items: dict[str, CatalogItem] = field(default_factory=dict)


@dataclass
class Plan:
    created: datetime
    category: str
    sample: Sample
    target: Status
    channel: Channel
    requester: User | None
    created_by: User
    impact: Level
    urgency: Level
    steps: list[str] | None = None  # fixed moves (featured requests); None: planned by _steps


def seed_demo(tickets: int = 300, seed: int = 7) -> list[tuple[str, str]]:
    """Load the demo organisation, its catalog and policies, and ``tickets`` tickets (the
    featured requests included); return the demo sign-ins (email, roles). The caller commits.
    Refuses a database that already holds the demo users."""
    if find_user_by_email(DEMO_USERS[0][0]):
        raise ValidationFailed("Demo data is already loaded; use an empty database.")
    rng = random.Random(seed)
    now = utcnow()
    cast = _create_cast(rng, hash_password(DEMO_PASSWORD))
    cast.items = _create_catalog(cast)
    plans = [_plan_ticket(rng, cast, now) for _ in range(max(tickets - len(FEATURED), 0))]
    plans += [_featured_plan(cast, now, *featured) for featured in FEATURED[:tickets]]
    for plan in sorted(plans, key=lambda p: p.created):
        _play(rng, cast, plan, now)
    _create_drafts(cast, now)
    _settle_outbox(now)
    db.session.flush()
    return [(email, ", ".join(roles)) for email, _name, roles in DEMO_USERS]


# People -------------------------------------------------------------------------------------

def _email(name: str) -> str:
    first, _, last = name.lower().replace("'", "").partition(" ")
    return f"{first}.{last.replace(' ', '')}@example.com"


def _phone(rng: random.Random, site: str) -> str:
    return f"{SITES[site][0]}{rng.randint(100, 999)}"


def _person(rng, password_hash, name, site, roles, **details) -> User:
    """A user with the shared demo password (hashed once: argon2 is deliberately slow)."""
    demo = {n: (e, r) for e, n, r in DEMO_USERS}
    email, roles = demo.get(name, (_email(name), roles))
    user = create_user(email, name, roles=roles, location=site, phone=_phone(rng, site), **details)
    user.password_hash = password_hash
    return user


def _create_cast(rng: random.Random, password_hash: str) -> Cast:
    """The organisation. Everyone but the managing director has a manager, so that every
    "requester's manager" approval step has somebody to ask."""
    teams = _create_teams()
    name, department, site = DIRECTOR
    director = _person(rng, password_hash, name, site, ("employee",), department=department)
    members, leads = {}, {}
    for team_name, (lead, technicians) in TECHNICIANS.items():
        team = teams[team_name]
        for (name, site), is_lead in [(lead, True), *((t, False) for t in technicians)]:
            user = _person(rng, password_hash, name, site, ("agent",), department="IT",
                           manager=leads.get(team.id))
            set_membership(team, user, is_lead=is_lead)
            members.setdefault(team.id, []).append(user)
            leads.setdefault(team.id, user)
    technicians = [m for ms in members.values() for m in ms]
    head_of_it = next(u for u in technicians if u.name == HEAD_OF_IT)
    for lead in leads.values():
        lead.manager = director if lead is head_of_it else head_of_it
    employees = _create_employees(rng, password_hash, director)
    db.session.flush()
    categories = _create_categories(teams)
    people = {u.name: u for u in [director, *employees, *technicians]}
    by_email = {u.email: u for u in people.values()}
    return Cast(employees=employees, teams=teams, members=members, leads=leads,
                categories=categories, approver=by_email["approver@example.com"], people=people,
                demo={email: by_email[email] for email, _n, _r in DEMO_USERS})


def _create_teams() -> dict[str, Team]:
    teams = {name: Team(name=name, tier=tier, description=text) for name, tier, _e, text in TEAMS}
    for name, _tier, escalates_to, _text in TEAMS:
        teams[name].escalation_team = teams.get(escalates_to)
    db.session.add_all(teams.values())
    db.session.flush()
    return teams


def _create_employees(rng: random.Random, password_hash: str, director: User) -> list[User]:
    """Each department's first person heads it and reports to the director."""
    heads: dict[str, User] = {}
    people = []
    for name, department, site in EMPLOYEES:
        roles = ("employee", "approver") if name in DATA_OWNERS else ("employee",)
        user = _person(rng, password_hash, name, site, roles, department=department,
                       manager=heads.get(department, director))
        heads.setdefault(department, user)
        people.append(user)
    return people


def _create_categories(teams: dict[str, Team]) -> dict[str, Category]:
    categories = {name: Category(name=name, team=teams[team], description=text, position=i)
                  for i, (name, (team, text, _w)) in enumerate(CATEGORIES.items())}
    db.session.add_all(categories.values())
    db.session.flush()
    return categories


# Catalog and policy -------------------------------------------------------------------------

def _approver_spec(spec: dict, cast: Cast) -> dict:
    """A POLICIES approver with its person or team named → the stored spec (ids)."""
    if "name" in spec:
        return {"kind": "user", "user_id": cast.people[spec["name"]].id}
    if "team" in spec:
        return {"kind": "team_lead", "team_id": cast.teams[spec["team"]].id}
    return spec


def _create_catalog(cast: Cast) -> dict[str, CatalogItem]:
    """Approval policies, validation rules and the catalog items with their forms."""
    policies = {}
    for name, (description, steps) in POLICIES.items():
        policies[name] = ApprovalPolicy(name=name, description=description, steps=[
            ApprovalStepDef(position=i, name=step, mode=mode,
                            approvers=json.dumps([_approver_spec(s, cast) for s in specs]))
            for i, (step, mode, specs) in enumerate(steps, start=1)])
    rules = [ValidationRule(name=name, ticket_type=ticket_type, conditions=json.dumps(conditions),
                            kind=kind, required_fields=json.dumps(required), message=message,
                            approval_policy=policies.get(policy), position=i)
             for i, (name, ticket_type, conditions, kind, required, policy, message) in enumerate(RULES)]
    items = {spec.name: CatalogItem(
        category=cast.categories[spec.category], name=spec.name, summary=spec.summary,
        description=spec.description, keywords=spec.keywords, ticket_type=spec.ticket_type,
        delivery_days=spec.delivery_days, impact=spec.levels[0], urgency=spec.levels[1],
        approval_policy=policies.get(spec.policy) if spec.policy else None, position=i,
        fields=[FormField(position=j, **f) for j, f in enumerate(spec.fields)])
        for i, spec in enumerate(ITEMS)}
    db.session.add_all([*policies.values(), *rules, *items.values()])
    db.session.flush()
    return items


# Planning -----------------------------------------------------------------------------------

def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _created_at(rng: random.Random, now: datetime, office_hours: bool) -> datetime:
    """A moment in the last DAYS days; people raise tickets on weekdays in office hours."""
    while True:
        moment = now - timedelta(days=DAYS * rng.random() ** 1.15)
        if office_hours:
            moment = moment.replace(hour=rng.randint(7, 17), minute=rng.randint(0, 59))
        if (moment.weekday() < 5 or not office_hours) and moment < now - timedelta(minutes=20):
            return moment


def _target(rng: random.Random, created: datetime, now: datetime, sample: Sample) -> Status:
    """Where the ticket ends up. For a ticket that needs approval, New means "approved and
    waiting in its team's queue"; a share of the young ones still wait for approval."""
    age = (now - created).days
    target = _weighted(rng, next(mix for min_age, mix in STATUS_MIX if age >= min_age))
    if target == Status.UNDER_REVIEW and not sample.needs_approval:
        return Status.NEW
    if target == Status.NEW and sample.needs_approval and rng.random() < 0.7:
        return Status.UNDER_REVIEW
    if target == Status.ON_HOLD and sample.source != "people":
        return Status.PENDING
    return target


def _requester(rng: random.Random, cast: Cast) -> User:
    """Mostly anyone; the demo employee and approver get a fair share so their pages are full."""
    roll = rng.random()
    if roll < 0.045:
        return cast.demo["employee@example.com"]
    if roll < 0.065:
        return cast.approver
    return rng.choice(cast.employees)


def _plan_ticket(rng: random.Random, cast: Cast, now: datetime) -> Plan:
    category = _weighted(rng, {name: w for name, (_t, _d, w) in CATEGORIES.items()})
    sample = rng.choice(SAMPLES[category])
    team_id = cast.categories[category].team.id
    created = _created_at(rng, now, office_hours=sample.source != "monitoring")
    impact, urgency = sample.levels or (_weighted(rng, {H: 1, M: 4, L: 3}), _weighted(rng, {H: 2, M: 5, L: 2}))
    if sample.source != "people":
        channel = Channel.MONITORING if sample.source == "monitoring" else Channel.AGENT
        requester, created_by = None, cast.leads[team_id]
    elif sample.item:  # the catalog is the portal's
        channel = Channel.PORTAL
        requester = created_by = _requester(rng, cast)
    else:
        channel = _weighted(rng, CHANNELS)
        requester = _requester(rng, cast)
        service_desk = cast.members[cast.teams["Service Desk"].id]
        created_by = requester if channel in (Channel.PORTAL, Channel.EMAIL) else rng.choice(service_desk)
    return Plan(created, category, sample, _target(rng, created, now, sample), channel, requester,
                created_by, impact, urgency)


def _featured_plan(cast: Cast, now: datetime, name: str, age: timedelta, sample: Sample,
                   steps: list[str]) -> Plan:
    requester = cast.people[name]
    item = ITEM_BY_NAME[sample.item]
    target = Status.CANCELLED if "reject" in steps else Status.UNDER_REVIEW
    return Plan(now - age, item.category, sample, target, Channel.PORTAL, requester, requester,
                *item.levels, steps=steps)


def _steps(rng: random.Random, plan: Plan, now: datetime) -> list[str]:
    """The moves that take a submitted ticket to ``plan.target``, in order. A ticket that needs
    approval starts Under Review: its steps are approved one by one ("approve" each) or one of
    them rejects it."""
    people, target, sample = plan.requester is not None, plan.target, plan.sample
    steps = []
    if sample.needs_approval:
        if target == Status.UNDER_REVIEW:
            return ["approve"] * rng.randrange(sample.approval_steps)
        if target == Status.CANCELLED and rng.random() < 0.6:
            return ["approve"] * rng.randrange(sample.approval_steps) + ["reject"]
        steps = ["approve"] * sample.approval_steps
    if target == Status.NEW:
        return steps
    if target == Status.CANCELLED:
        withdraw = people and rng.random() < 0.5
        return [*steps, "withdraw"] if withdraw else [*steps, "claim", "cancel"]
    steps.append("claim")
    if rng.random() < 0.5:
        steps.append(rng.choice(["update", "note"]))
    if target == Status.IN_PROGRESS:
        return steps
    if target in (Status.ON_HOLD, Status.PENDING):
        return [*steps, "ask", "hold"] if target == Status.ON_HOLD else [*steps, "vendor"]
    return steps + _work(rng, people) + _closing(rng, plan, people, now)


def _work(rng: random.Random, people: bool) -> list[str]:
    steps = []
    if people and rng.random() < 0.35:
        steps += ["ask", "hold", "answer"]
    if rng.random() < 0.15:
        steps += ["vendor", "resume"]
    if rng.random() < 0.4:
        steps.append("note")
    return [*steps, "resolve"]


def _closing(rng: random.Random, plan: Plan, people: bool, now: datetime) -> list[str]:
    """Closed by the requester, by the technician, or (old enough) by the 5-day auto-close."""
    if plan.target == Status.RESOLVED:
        return []
    steps = ["reopen", "note", "resolve"] if people and rng.random() < 0.06 else []
    if people and rng.random() < 0.55:
        return [*steps, "confirm"]
    old_enough = now - plan.created > timedelta(days=9)
    return [*steps, "autoclose" if old_enough and rng.random() < 0.7 else "close"]


def _schedule(rng: random.Random, steps: list[str], start: datetime, cap: datetime) -> list[datetime]:
    """A time for each step; squeezed proportionally when the ticket is too young for it."""
    gaps = [rng.uniform(*STEP_HOURS[s]) for s in steps]
    room = (cap - start).total_seconds() / 3600
    scale = max(0.0, min(1.0, room * 0.9 / sum(gaps))) if gaps else 1.0
    times, moment = [], start
    for gap in gaps:
        moment += timedelta(hours=gap * scale)
        times.append(moment)
    return times


# Playing ------------------------------------------------------------------------------------

@contextmanager
def _at(moment: datetime):
    """Backdate a step. Flushing inside the block matters: column defaults such as created_at
    are evaluated at flush time, which must not be some later step's moment."""
    with travel_to(moment):
        yield
        db.session.flush()


@dataclass
class Scene:
    """One ticket being played: who works it and what to say."""

    rng: random.Random
    cast: Cast
    plan: Plan
    ticket: Ticket
    assignee: User | None = None

    @property
    def team_members(self) -> list[User]:
        return self.cast.members[self.ticket.team_id]

    @property
    def worker(self) -> User:
        return self.assignee or self.cast.leads[self.ticket.team_id]

    def say(self, lines: list[str]) -> str:
        return self.rng.choice(lines).format(n=self.rng.randint(10000, 99999))


def _play(rng: random.Random, cast: Cast, plan: Plan, now: datetime) -> None:
    place = plan.requester or plan.created_by
    words = {"site": place.location, "floor": rng.choice(SITES[place.location][1])}
    with _at(plan.created):
        ticket = _file_request(cast, plan, words) if plan.sample.item else _file_ticket(cast, plan, words)
    scene = Scene(rng, cast, plan, ticket)
    steps = plan.steps if plan.steps is not None else _steps(rng, plan, now)
    for step, moment in zip(steps, _schedule(rng, steps, plan.created, now - timedelta(minutes=5))):
        with _at(moment):
            ACTIONS[step](scene)


def _file_ticket(cast: Cast, plan: Plan, words: dict) -> Ticket:
    data = TicketInput(ticket_type=plan.sample.ticket_type, title=plan.sample.title.format(**words),
                       description=plan.sample.body.format(**words), impact=plan.impact,
                       urgency=plan.urgency, category_id=cast.categories[plan.category].id,
                       contact_phone=plan.requester.phone if plan.requester else None)
    return create_ticket(data, requester=plan.requester, created_by=plan.created_by,
                         channel=plan.channel)


def _file_request(cast: Cast, plan: Plan, words: dict) -> Ticket:
    """A catalog request as the portal files it: a draft holding the item and the raw answers,
    then submitted, which validates them and starts the item's approvals."""
    requester, item = plan.requester, cast.items[plan.sample.item]
    words = {**words, "me": requester.email, "phone": requester.phone}
    answers = {key: _answer(value, plan.created, words) for key, value in plan.sample.answers.items()}
    draft = save_catalog_draft(requester, item, answers, uploads={})
    return submit_ticket(draft, requester)




def _answer(value, filed: datetime, words: dict):
    """A sample's answer as the employee typed it: dates relative to the filing day."""
    if isinstance(value, Days):
        return (filed.date() + timedelta(days=value)).isoformat()
    return value.format(**words) if isinstance(value, str) else value


def _pending_step(ticket: Ticket):
    return next(step for step in ticket_steps(ticket) if step.state == StepState.PENDING)


def _approvers(step) -> list[User]:
    return sorted((a.user for a in step.assignments), key=lambda user: user.id)


def _approve(scene: Scene) -> None:
    """The ticket's current step is approved: by one of its approvers, or all of them."""
    step = _pending_step(scene.ticket)
    people = _approvers(step)
    for person in people if step.mode == StepMode.ALL else [scene.rng.choice(people)]:
        decide(step.id, person, Decision.APPROVED, scene.say(APPROVE_COMMENTS))


def _reject(scene: Scene) -> None:
    step = _pending_step(scene.ticket)
    decide(step.id, scene.rng.choice(_approvers(step)), Decision.REJECTED,
           scene.say(REJECT_REASONS[scene.plan.sample.policy]))


def _claim(scene: Scene) -> None:
    members = scene.team_members
    weights = [3 if m.email == "agent@example.com" else 1 for m in members]
    scene.assignee = scene.rng.choices(members, weights=weights)[0]
    claim_ticket(scene.ticket, scene.assignee)


def _move(status: Status, who: str = "worker", reasons: list[str] | None = None, label: str | None = None):
    """A step that moves the ticket; ``who``: worker, requester or system (a job)."""

    def step(scene: Scene) -> None:
        actor = {"worker": scene.worker, "requester": scene.plan.requester, "system": None}[who]
        transition_ticket(scene.ticket, status, actor, reason=scene.say(reasons) if reasons else None,
                          actor_label=label)

    return step


def _comment(lines, who: str = "worker", internal: bool = False):
    def step(scene: Scene) -> None:
        author = scene.plan.requester if who == "requester" else scene.worker
        text = scene.say(lines(scene) if callable(lines) else lines)
        add_comment(scene.ticket, author, text, internal=internal)

    return step


def _vendor(scene: Scene) -> None:
    _comment(VENDOR_NOTES, internal=True)(scene)
    transition_ticket(scene.ticket, Status.PENDING, scene.worker)


def _resolve(scene: Scene) -> None:
    transition_ticket(scene.ticket, Status.RESOLVED, scene.worker, reason=scene.plan.sample.resolution)


def _confirm(scene: Scene) -> None:
    if scene.rng.random() < 0.6:
        _comment(THANKS, who="requester")(scene)
    transition_ticket(scene.ticket, Status.CLOSED, scene.plan.requester)


ACTIONS = {
    "approve": _approve,
    "reject": _reject,
    "claim": _claim,
    "update": _comment(UPDATES),
    "ask": _comment(lambda s: QUESTIONS[s.plan.category]),
    "hold": _move(Status.ON_HOLD),
    "answer": _comment(ANSWERS, who="requester"),
    "note": _comment(lambda s: NOTES[s.plan.category], internal=True),
    "vendor": _vendor,
    "resume": _move(Status.IN_PROGRESS),
    "resolve": _resolve,
    "reopen": _move(Status.IN_PROGRESS, "requester", REOPEN_REASONS),
    "confirm": _confirm,
    "close": _move(Status.CLOSED),
    "autoclose": _move(Status.CLOSED, "system", label=AUTO_CLOSE_LABEL),
    "withdraw": _move(Status.CANCELLED, "requester", WITHDRAW_REASONS),
    "cancel": _move(Status.CANCELLED, reasons=CANCEL_REASONS),
}


def _create_drafts(cast: Cast, now: datetime) -> None:
    """A few half-written tickets for the demo employee, one of them a catalog request: drafts
    need nothing to be filled in."""
    author = cast.demo["employee@example.com"]
    drafts = [
        (timedelta(days=3), TicketInput(title="Request a standing desk converter",
                                        description="My physio recommends a standing desk. ",
                                        ticket_type=REQ)),
        (timedelta(hours=20), TicketInput(title="Headset crackles in Teams calls",
                                          category_id=cast.categories["Hardware"].id)),
        (timedelta(hours=2), TicketInput(title="Access to the Marketing analytics dashboard",
                                         ticket_type=REQ, impact=L, urgency=M)),
    ]
    for age, data in drafts:
        with _at(now - age):
            save_draft(author, data)
    with _at(now - timedelta(hours=1)):
        save_catalog_draft(author, cast.items["VPN access"], {"device": "Company laptop", "policy": ""},
                           uploads={})


def _settle_outbox(now: datetime) -> None:
    """Replay the recent notifications (backdated: "queued" for the teams, "approval needed"
    for the approvers of steps still waiting, replies, waiting-for-you, resolutions, approval
    outcomes and assignments for the people they concern), then mark every seeded message done
    so that workers do not flood the bell with two months of history."""
    db.session.flush()
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.done_at.is_(None))
                                  .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    replay = {"notify_team_ticket_queued": notify_team_ticket_queued, "notify_approvers": notify_approvers,
              "notify_comment_added": notify_comment_added, "notify_status_changed": notify_status_changed,
              "notify_assigned": notify_assigned}
    for message in messages:
        if message.job in replay and message.created_at >= now - NOTIFY_RECENT:
            with _at(message.created_at):
                replay[message.job](**json.loads(message.payload), outbox_id=message.id)
        message.done_at = message.created_at

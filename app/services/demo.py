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
and every seeded message is then marked dispatched: workers never see them.
"""
import json
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    ApprovalPolicy, ApprovalStepDef, CatalogItem, Category, Channel, Decision, FieldType, FormField,
    Level, OutboxMessage, RuleKind, Status, StepMode, StepState, Team, Ticket, TicketType, User,
    ValidationRule, utcnow,
)
from app.models.base import travel_to
from app.services.approvals import decide, ticket_steps
from app.services.catalog import save_catalog_draft
from app.services.comments import add_comment
from app.services.errors import ValidationFailed
from app.services.lifecycle import transition_ticket
from app.services.notifications import notify_approvers, notify_team_ticket_queued
from app.services.passwords import hash_password
from app.services.tickets import (
    TicketInput, claim_ticket, create_ticket, save_draft, submit_ticket,
)
from app.services.users import create_user, find_user_by_email, set_membership

DEMO_PASSWORD = "deskflow-demo"

# The sign-ins printed by ``flask serve`` and the README: (email, name, roles).
DEMO_USERS = [
    ("employee@example.com", "Emma Fischer", ("employee",)),
    ("agent@example.com", "Sam Carter", ("agent",)),
    ("approver@example.com", "Olivia Bennett", ("employee", "approver")),
    ("admin@example.com", "Priya Raman", ("admin", "agent")),
]

SITES = {  # location -> (phone prefix, floors)
    "London": ("+44 20 7946 0", ("2nd", "3rd", "4th")),
    "Berlin": ("+49 30 9018 2", ("1st", "2nd")),
    "New York": ("+1 212 555 0", ("14th", "15th")),
    "Singapore": ("+65 6555 0", ("8th",)),
}

# The managing director: every department head reports to her; she raises no tickets.
DIRECTOR = ("Catherine Hughes", "Executive", "London")
# A second data owner besides the demo approver, so the approver's own requests can be approved.
DATA_OWNERS = {"Daniel Okafor"}

# name, department, location; the first person of each department is its head (the manager).
# Olivia Bennett (approver@example.com) heads Marketing, so Emma Fischer (employee@example.com)
# and her colleagues' requests wait in the approver's inbox.
EMPLOYEES = [
    ("Daniel Okafor", "Finance", "London"), ("Hannah Schmidt", "Finance", "Berlin"),
    ("Marcus Lee", "Finance", "New York"), ("Sofia Rossi", "Finance", "London"),
    ("James Whitaker", "Sales", "New York"), ("Aisha Khan", "Sales", "London"),
    ("Lukas Weber", "Sales", "Berlin"), ("Chloe Martin", "Sales", "New York"),
    ("Ravi Menon", "Sales", "Singapore"), ("Grace Liu", "Sales", "Singapore"),
    ("Olivia Bennett", "Marketing", "London"), ("Isabel Garcia", "Marketing", "London"),
    ("Tom Becker", "Marketing", "Berlin"), ("Nadia Haddad", "Marketing", "New York"),
    ("Oliver Grant", "Marketing", "London"), ("Emma Fischer", "Marketing", "Berlin"),
    ("Fatima Ali", "People", "London"), ("Jonas Keller", "People", "Berlin"),
    ("Megan O'Connor", "People", "New York"), ("Charlotte Dubois", "Legal", "London"),
    ("Benjamin Roth", "Legal", "Berlin"), ("Elena Petrova", "Legal", "London"),
    ("Wei Zhang", "Engineering", "Berlin"), ("Lena Vogel", "Engineering", "Berlin"),
    ("Arjun Patel", "Engineering", "London"), ("Kofi Mensah", "Engineering", "London"),
    ("Mia Johansson", "Engineering", "Berlin"), ("Ethan Brooks", "Engineering", "New York"),
    ("Yuki Tanaka", "Engineering", "Singapore"), ("Noah Fischer", "Engineering", "Berlin"),
    ("Laura Santos", "Operations", "London"), ("Felix Braun", "Operations", "Berlin"),
    ("Sarah Cohen", "Operations", "New York"), ("Diego Alvarez", "Operations", "New York"),
    ("Amara Nwosu", "Customer Success", "London"), ("Paul Lambert", "Customer Success", "London"),
    ("Julia Novak", "Customer Success", "Berlin"), ("Hiroshi Sato", "Customer Success", "Singapore"),
    ("Zoe Williams", "Customer Success", "New York"),
]
# name, tier, escalates to, description
TEAMS = [
    ("Service Desk", 1, "Desktop Support", "First line: calls, chats, walk-ins and the portal."),
    ("Desktop Support", 2, None, "Laptops, peripherals, mobiles and on-site fixes."),
    ("Network & Connectivity", 2, None, "Wi-Fi, VPN, office networks and firewalls."),
    ("Identity & Access", 2, None, "Accounts, MFA, permissions and security incidents."),
    ("Infrastructure", 3, None, "Servers, storage, backups and patching."),
]

# team -> (lead, technicians); every technician lives in one of the sites.
TECHNICIANS = {
    "Service Desk": (("Rachel Adams", "London"), [("Sam Carter", "London"), ("Leon Hoffmann", "Berlin"),
                                                  ("Maya Robinson", "New York"), ("Tariq Hussain", "London")]),
    "Desktop Support": (("Chris Walsh", "London"), [("Anna Kowalski", "Berlin"), ("Ben Turner", "London"),
                                                    ("Carlos Mendes", "New York")]),
    "Network & Connectivity": (("Stefan Richter", "Berlin"), [("Imran Sheikh", "London"),
                                                              ("Kate Morgan", "New York")]),
    "Identity & Access": (("Nina Larsen", "London"), [("David Kim", "New York"), ("Eva Schulz", "Berlin")]),
    "Infrastructure": (("Priya Raman", "London"), [("Mark Jensen", "Berlin"), ("Lucy Evans", "London"),
                                                   ("Ahmed Farouk", "London")]),
}

# category -> (team, description, weight among tickets)
CATEGORIES = {
    "Hardware": ("Desktop Support", "Laptops, monitors, docks, keyboards and other kit.", 14),
    "Software": ("Service Desk", "Installing, licensing and fixing applications.", 16),
    "Network": ("Network & Connectivity", "Wi-Fi, VPN, wired ports and slow connections.", 10),
    "Email & Calendar": ("Service Desk", "Outlook, shared mailboxes, calendars and lists.", 14),
    "Accounts & Access": ("Identity & Access", "Sign-in problems, MFA, access to systems.", 16),
    "Printing": ("Service Desk", "Printers, scanning and copiers.", 8),
    "Phones & Mobile": ("Desktop Support", "Desk phones, company mobiles and enrolment.", 6),
    "Servers & Storage": ("Infrastructure", "File shares, backups, servers and databases.", 8),
    "Security": ("Identity & Access", "Phishing, lost devices and anything suspicious.", 8),
}

INC, REQ, CHG = TicketType.INCIDENT, TicketType.SERVICE_REQUEST, TicketType.CHANGE
H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW
HEAD_OF_IT = "Priya Raman"  # the team leads report to her; technicians report to their lead

# Approval policies ----------------------------------------------------------------------------
# name -> (description, [(step name, mode, approvers)]); approvers as in ApprovalStepDef, with
# people and teams named ({"kind": "user", "name": ...}, {"kind": "team_lead", "team": ...}).
MANAGER = {"kind": "manager"}
POLICIES = {
    "Manager approval": (
        "The requester's line manager confirms the business need.",
        [("Line manager", StepMode.ANY, [MANAGER])]),
    "Manager, then IT lead": (
        "The line manager confirms the need, then Desktop Support's lead checks the spec and stock.",
        [("Line manager", StepMode.ANY, [MANAGER]),
         ("IT lead", StepMode.ANY, [{"kind": "team_lead", "team": "Desktop Support"}])]),
    "Data owner": (
        "Access to business data is granted by a data owner (anyone with the approver role).",
        [("Data owner", StepMode.ANY, [{"kind": "role", "role": "approver"}])]),
    "Change Advisory Board": (
        "Every change is reviewed by the business and the service desk before it is scheduled.",
        [("Change Advisory Board", StepMode.ALL, [{"kind": "user", "name": "Olivia Bennett"},
                                                  {"kind": "user", "name": "Rachel Adams"}])]),
}

# Validation rules: (name, ticket type, conditions, kind, required fields, policy, message).
RULES = [
    ("P1 needs a business-impact statement", None,
     [{"field": "priority", "op": "eq", "value": "1"}], RuleKind.REQUIRE, ["description"], None,
     "A P1 (critical) ticket needs a business-impact statement: who is affected and what cannot "
     "be done until it is fixed."),
    ("Changes need CAB approval", TicketType.CHANGE, [], RuleKind.APPROVE, [],
     "Change Advisory Board", "Every change is approved by the Change Advisory Board."),
]


# The service catalog ---------------------------------------------------------------------------

def Q(key: str, label: str, field_type: FieldType, **options) -> dict:
    """One form field's definition (FormField columns); choices as a list."""
    options["choices"] = json.dumps(options.get("choices", []))
    return {"key": key, "label": label, "field_type": field_type, **options}


@dataclass(frozen=True)
class Item:
    category: str
    name: str
    summary: str
    description: str
    keywords: str
    ticket_type: TicketType
    delivery_days: int | None
    levels: tuple[Level, Level]  # (impact, urgency): items fix the priority
    policy: str | None
    fields: list[dict]


UNC = r"\\\\[A-Za-z0-9._-]+\\[^\\].*"  # \\server\share[\folder...]
ITEMS = [
    Item("Hardware", "New laptop",
         "A company laptop, imaged, encrypted and enrolled, ready to use on day one.",
         "Order a laptop for yourself, as a replacement for an old or broken machine or for a role "
         "that needs more power.\n\n- **Standard**: 14\" business laptop, 16 GB memory, 512 GB SSD, "
         "dock and charger.\n- **Above standard spec**: 32 GB memory and dedicated graphics, for "
         "engineering, data and design work. Tell us why you need it.\n\nYour manager approves "
         "the request, then Desktop Support's lead checks the spec and stock. Your old laptop is "
         "collected when the new one is handed over.",
         "notebook computer pc macbook replacement hardware", TicketType.SERVICE_REQUEST, 5, (L, M),
         "Manager, then IT lead",
         [Q("spec", "Specification", FieldType.CHOICE, required=True, default="Standard",
            choices=["Standard", "Above standard spec"],
            help="Standard suits office work; above standard is for engineering, data and design."),
          Q("justification", "Why do you need the above-standard spec?", FieldType.LONG_TEXT,
            required=True, show_if_key="spec", show_if_value="Above standard spec",
            min_length=20, max_length=2000,
            help="The work you do that the standard laptop cannot handle."),
          Q("needed_by", "Needed by", FieldType.DATE, required=True,
            help="Allow five working days for imaging and delivery."),
          Q("keyboard", "Keyboard layout", FieldType.CHOICE, default="UK",
            choices=["UK", "US", "German", "Other"])]),
    Item("Software", "Software install",
         "Install an application that is not already in Company Portal.",
         "Most applications can be installed by yourself from **Company Portal** with no ticket. "
         "Ask here for anything that is not listed there, or that needs a paid licence.\n\n"
         "Your manager approves the cost; the Service Desk installs it remotely, usually within "
         "two working days.",
         "application program licence license install adobe visio tableau", TicketType.SERVICE_REQUEST,
         2, (L, M), "Manager approval",
         [Q("software", "Software name", FieldType.TEXT, required=True, max_length=80,
            pattern=r"[A-Za-z0-9][A-Za-z0-9 .,+#&()'/-]{1,79}",
            pattern_message="Give the product's name, e.g. Adobe Acrobat Pro.",
            help="The product and edition, as the vendor names it."),
          Q("licence", "Licence", FieldType.CHOICE, required=True,
            choices=["We already have a licence", "A new licence is needed", "Free / open source"]),
          Q("purpose", "What will you use it for?", FieldType.LONG_TEXT, max_length=1000)]),
    Item("Accounts & Access", "Access to a shared drive",
         "Read or change the files of a team's shared drive.",
         "Access to a team's files is granted by the **data owner**, not by IT: your request goes "
         "to them first, and Identity & Access adds you to the share's group once they approve.\n\n"
         "Give the full path of the share as it appears in File Explorer.",
         "file share folder network drive permission s: p: fileserver", TicketType.SERVICE_REQUEST,
         2, (L, M), "Data owner",
         [Q("path", "Share path", FieldType.TEXT, required=True, pattern=UNC,
            pattern_message="Give the full path, starting with two backslashes: \\\\fs01\\Finance",
            help="For example \\\\fs01\\Finance or \\\\fs02\\Marketing\\Campaigns."),
          Q("access", "Access needed", FieldType.CHOICE, required=True,
            choices=["Read only", "Read and write"]),
          Q("reason", "Why do you need it?", FieldType.LONG_TEXT, required=True, min_length=10,
            max_length=1000)]),
    Item("Network", "VPN access",
         "Work from home or on the road with access to internal systems.",
         "VPN access lets a company laptop reach internal systems from outside the office. It is "
         "set up remotely within a working day.\n\nYou must accept the **remote access policy**: "
         "keep the laptop updated, never share your sign-in, and lock the screen when you step away.",
         "remote home working globalprotect tunnel travel", TicketType.SERVICE_REQUEST, 1, (L, M),
         None,
         [Q("device", "Device", FieldType.CHOICE, required=True, default="Company laptop",
            choices=["Company laptop", "Company phone"]),
          Q("policy", "I have read the remote access policy and will follow it",
            FieldType.CHECKBOX, required=True)]),
    Item("Accounts & Access", "New starter set-up",
         "Account, mailbox, laptop and phone for someone joining your team.",
         "Raise this at least **five working days** before the start date. We create the account "
         "and mailbox, prepare the equipment you tick, and hand everything to the new starter's "
         "manager on the first morning.",
         "onboarding joiner new hire employee account equipment", TicketType.SERVICE_REQUEST, 5, (L, M),
         "Manager approval",
         [Q("starter_name", "New starter's full name", FieldType.TEXT, required=True, min_length=3,
            max_length=120),
          Q("starter_manager", "Their manager", FieldType.USER, required=True,
            help="Email address of the person they report to."),
          Q("start_date", "Start date", FieldType.DATE, required=True),
          Q("equipment", "Equipment", FieldType.MULTI_CHOICE, default="Laptop,Headset",
            choices=["Laptop", "Dock and monitor", "Headset", "Mobile phone", "Desk phone"])]),
    Item("Accounts & Access", "Password reset",
         "Locked out or forgot a password: we reset it and call you back.",
         "If you can still sign in to Windows, change your password yourself at **Ctrl+Alt+Del → "
         "Change a password**. Otherwise ask a colleague to raise this for you: we call you back "
         "on the number given, check who you are and reset it, usually within the hour.",
         "forgotten locked out login sign in account unlock", TicketType.SERVICE_REQUEST, 1, (L, H),
         None,
         [Q("system", "Which account?", FieldType.CHOICE, required=True,
            choices=["Windows / Microsoft 365", "SAP", "Salesforce", "Workday", "Other"]),
          Q("callback", "Number to call you back on", FieldType.TEXT, required=True,
            pattern=r"\+?[0-9 ()-]{6,20}", pattern_message="Give a phone number, e.g. +44 20 7946 0123.")]),
    Item("Servers & Storage", "Report an outage",
         "Something everyone relies on is down: tell us straight away.",
         "Use this when a service is down or unusable for **several people** (for one person, "
         "raise a normal incident). Check the status page first: if the outage is listed there, "
         "we already know.\n\nOutages go straight to the Infrastructure team's queue.",
         "down broken not working outage incident major service unavailable", TicketType.INCIDENT,
         None, (M, H), None,
         [Q("service", "Service", FieldType.CHOICE, required=True,
            choices=["Email", "Intranet", "SAP", "File shares", "Wi-Fi", "VPN", "Phones", "Other"]),
          Q("people_affected", "People affected", FieldType.NUMBER, required=True, min_value=1,
            max_value=10000, help="Roughly: how many people cannot work normally?"),
          Q("details", "What do you see?", FieldType.LONG_TEXT, required=True, min_length=10,
            help="Error messages, since when, which office.")]),
]
ITEM_BY_NAME = {item.name: item for item in ITEMS}


class Days(int):
    """An answer "this many days after the request was filed" (a date field)."""


@dataclass(frozen=True)
class Sample:
    """One kind of ticket people really raise. ``source``: people (an employee asks),
    monitoring (an alert, no requester) or it (planned work raised by IT itself). A sample with
    an ``item`` is a catalog request: its title is the item's name and ``answers`` fill its
    form ("{me}" is the requester's email, ``Days(n)`` a date n days after filing)."""

    ticket_type: TicketType
    title: str
    body: str
    resolution: str
    levels: tuple[Level, Level] | None = None  # (impact, urgency); random when None
    source: str = "people"
    item: str | None = None
    answers: dict = field(default_factory=dict)

    @property
    def policy(self) -> str | None:
        """The approval policy it will meet on submission: its item's, or an approval rule's
        for its type (the demo's rules have no further conditions)."""
        if self.item:
            return ITEM_BY_NAME[self.item].policy
        return next((policy for _name, ticket_type, _c, kind, _f, policy, _m in RULES
                     if kind == RuleKind.APPROVE and ticket_type in (None, self.ticket_type)), None)

    @property
    def needs_approval(self) -> bool:
        return self.policy is not None

    @property
    def approval_steps(self) -> int:
        return len(POLICIES[self.policy][1]) if self.policy else 0


def C(item: str, answers: dict, resolution: str) -> Sample:
    """A catalog request for ``item``."""
    spec = ITEM_BY_NAME[item]
    return Sample(spec.ticket_type, item, "", resolution, levels=spec.levels, item=item,
                  answers=answers)


S = Sample
SAMPLES = {
    "Hardware": [
        S(INC, "Laptop won't power on after the weekend",
          "My laptop won't start. The charging light comes on but the screen stays black.\n\n"
          "- Tried holding the power button for 30 seconds\n- Tried a different charger from a colleague",
          "Drained the residual charge and reseated the battery; the laptop boots. BIOS updated."),
        S(INC, "External monitor flickers when connected to the dock",
          "Since yesterday the monitor on my desk ({floor} floor, {site}) flickers every few seconds "
          "when the laptop is docked. Directly via HDMI it's fine.",
          "Replaced the DisplayPort cable and updated the dock firmware; no flicker since."),
        S(INC, "Several keys on my keyboard stopped working",
          "The E, R and T keys don't respond unless I press very hard. Makes typing anything painful.",
          "Keyboard replaced under warranty by on-site engineer."),
        C("New laptop", {"spec": "Standard", "needed_by": Days(8), "keyboard": "UK"},
          "Laptop imaged with the standard build, enrolled in Intune and handed over; old one collected."),
        C("New laptop", {"spec": "Above standard spec", "needed_by": Days(12), "keyboard": "US",
                         "justification": "I build and test the forecasting models; the standard "
                                          "16 GB laptop runs out of memory on our data sets."},
          "32 GB laptop with dedicated graphics imaged and handed over; old laptop collected."),
        S(REQ, "Second monitor for home working",
          "I work from home three days a week and would like a second 24\" monitor, per the home "
          "working policy.", "Monitor shipped to home address; tracking number sent by email.",
          levels=(L, L)),
        S(INC, "Laptop fan very loud and machine overheating",
          "The fan runs at full speed constantly and the laptop gets too hot to keep on my lap. "
          "Teams calls stutter when it happens.",
          "Cleaned the vents, reapplied thermal paste and removed a runaway indexing process."),
        S(INC, "Dock not detecting USB devices",
          "Mouse, keyboard and headset plugged into the dock are not recognised. The dock's network "
          "and screen work.", "Dock firmware updated and power-cycled; USB devices detected again."),
        S(REQ, "Replace cracked laptop screen",
          "I dropped my laptop bag at the station and the screen now has a crack across the corner. "
          "Still usable but getting worse.", "Screen replaced by the vendor; laptop returned.",
          levels=(L, M)),
    ],
    "Software": [
        S(INC, "Excel crashes when opening the monthly forecast workbook",
          "Excel closes without an error as soon as I open `Forecast_FY.xlsx` from the Finance "
          "SharePoint. Other workbooks open fine. I need this for the month-end pack.",
          "Disabled a faulty COM add-in and repaired Office; the workbook opens."),
        C("Software install", {"software": "Adobe Acrobat Pro", "licence": "A new licence is needed",
                               "purpose": "Editing and signing PDFs from suppliers."},
          "Licence assigned and Acrobat Pro deployed through Company Portal."),
        S(INC, "Teams keeps signing me out",
          "Teams signs me out every hour or so and asks me to log in again. It started after the "
          "laptop restarted for updates.", "Cleared the Teams cache and the stale token in Credential "
          "Manager; signed in cleanly."),
        S(INC, "Zoom add-in missing from Outlook",
          "The Zoom button disappeared from Outlook so I can't add meeting links to invites.",
          "Re-enabled the add-in, which Outlook had disabled after a slow start."),
        C("Software install", {"software": "Microsoft Visio Plan 2", "licence": "A new licence is needed",
                               "purpose": "Process maps for the audit project."},
          "Visio Plan 2 licence assigned; available after sign-out and back in."),
        S(INC, "Windows update stuck at 35% for two days",
          "The laptop says 'Working on updates 35%' every time I restart. I've left it overnight twice.",
          "Cleared the SoftwareDistribution folder and installed the cumulative update manually."),
        S(INC, "SAP GUI shows 'connection refused' at login",
          "Getting 'partner not reached, connection refused' when I log in to SAP production. "
          "Colleagues next to me can log in.", "Corrupted saplogon.ini replaced with the central copy."),
        S(REQ, "Upgrade Tableau Desktop to the current version",
          "The dashboards my team receives now need a newer Tableau Desktop than the one installed.",
          "Tableau Desktop upgraded via Company Portal.", levels=(L, M)),
    ],
    "Network": [
        C("VPN access", {"device": "Company laptop", "policy": "yes"},
          "VPN group assigned and GlobalProtect profile pushed; tested from home."),
        S(INC, "Wi-Fi drops every few minutes on the {floor} floor",
          "On the {floor} floor in {site} the Wi-Fi disconnects every few minutes. Several people "
          "around me have the same problem, especially near the kitchen.",
          "One access point was rebooting in a loop; replaced it and rebalanced channels.", levels=(M, H)),
        S(INC, "VPN connects but no internal sites load",
          "GlobalProtect shows connected but the intranet and SharePoint time out. Internet works.",
          "DNS suffix missing on the VPN adapter; profile re-pushed and issue cleared."),
        S(INC, "Very slow network in {site} meeting rooms",
          "Video calls in the {site} meeting rooms freeze and screen sharing takes ages to start.",
          "Switch port negotiated at 100 Mbit; replaced the patch lead and fixed duplex settings.",
          levels=(M, M)),
        S(REQ, "Network port for a new desk",
          "We're adding a desk by the window on the {floor} floor ({site}); it needs a live data port.",
          "Port patched to the user VLAN and tested.", levels=(L, L)),
        S(INC, "Cannot reach the file server from the {site} office",
          "Mapped drives show a red cross and \\\\fs01 does not respond from the {site} office.",
          "Site-to-site tunnel renegotiated after the ISP maintenance; access restored.", levels=(H, H)),
        S(CHG, "Firewall rule for the payroll provider's SFTP",
          "Allow outbound SFTP (TCP 22) from the payroll batch server to the provider's new endpoint "
          "ahead of the migration.\n\n**Rollback:** remove the rule.",
          "Rule added, tested with the provider's test file, documented.", levels=(M, M), source="it"),
        S(INC, "Core switch uplink flapping in {site}",
          "Monitoring reports the uplink on the {site} core switch going down and up repeatedly.",
          "Faulty SFP replaced; uplink stable for 24 hours.", levels=(H, H), source="monitoring"),
    ],
    "Email & Calendar": [
        S(INC, "Outlook stuck on 'Updating folders'",
          "Outlook has been stuck on 'Updating folders' since this morning and no new mail arrives. "
          "Outlook on the web works.", "Rebuilt the OST file; Outlook syncs normally."),
        S(REQ, "Shared mailbox for the events team",
          "Please create events@ as a shared mailbox for the Marketing events team and give the four "
          "of us access.", "Shared mailbox created, members added, appears in Outlook automatically.",
          levels=(L, M)),
        S(INC, "Invites from partners arrive as winmail.dat",
          "Meeting invites from one of our partners arrive with a winmail.dat attachment instead of "
          "a proper invite.", "Set the partner's domain to send in MIME format in the transport rules."),
        S(REQ, "Delegate access to my manager's calendar",
          "I now manage my director's diary. Please give me editor access to their calendar.",
          "Editor delegate permission granted; calendar opened in Outlook.", levels=(L, M)),
        S(INC, "Emails to a customer bounce with 550 5.7.1",
          "Every email to one of our biggest customers bounces with `550 5.7.1 message rejected`. "
          "We have a proposal due tomorrow.", "Customer's gateway blocked our new sending IP; they "
          "allow-listed it after we sent the SPF details.", levels=(M, H)),
        S(INC, "Mailbox full warning",
          "Outlook says my mailbox is almost full and I may soon be unable to send.",
          "Enabled the online archive and moved mail older than two years to it."),
        S(REQ, "Distribution list for the {site} office",
          "Could we have a distribution list for everyone based in the {site} office for building "
          "announcements?", "Dynamic distribution list created, filtered on office location.",
          levels=(L, L)),
    ],
    "Accounts & Access": [
        S(INC, "Account locked out after password change",
          "I changed my password this morning and now my account keeps locking. I can't sign in to "
          "anything.", "Removed the old password cached on the phone's mail app; account unlocked.",
          levels=(L, H)),
        C("Access to a shared drive", {"path": "\\\\fs01\\Finance", "access": "Read and write",
                                       "reason": "I've joined the Finance team and work on the month-end pack."},
          "Added to the Finance-RW group after approval; access confirmed."),
        C("New starter set-up", {"starter_name": "Alex Morgan", "starter_manager": "{me}",
                                 "start_date": Days(9), "equipment": ["Laptop", "Dock and monitor", "Headset"]},
          "Account and mailbox created, laptop imaged; everything handed to the manager on day one."),
        C("Password reset", {"system": "Windows / Microsoft 365", "callback": "{phone}"},
          "Identity confirmed by call-back; password reset and account unlocked."),
        S(INC, "MFA prompts not arriving on my new phone",
          "I got a new phone and the Authenticator app doesn't receive sign-in prompts.",
          "Re-registered MFA methods after identity check over video call."),
        S(REQ, "Salesforce access for a new account executive",
          "New starter in my team needs a Salesforce licence with the standard AE profile.",
          "User provisioned in Salesforce with the AE profile; welcome email sent.", levels=(L, M)),
        S(REQ, "Remove access for a leaver",
          "A member of my team leaves on Friday. Please disable the account at 17:00 and forward "
          "mail to me for 30 days.", "Account disabled at 17:00, mail forwarding set, licences freed.",
          levels=(M, M)),
        S(INC, "Cannot sign in to Workday: 'user not provisioned'",
          "Workday says my user is not provisioned. I need to submit my expenses this week.",
          "Provisioning job had skipped the account; re-synced and sign-in works."),
        S(REQ, "Local admin rights to install lab software",
          "I need temporary admin rights to install the instrument drivers for the new lab kit.",
          "Temporary admin rights granted for 24 hours via the privileged access tool.",
          levels=(L, M)),
    ],
    "Printing": [
        S(INC, "Printer on the {floor} floor jams on every job",
          "The big printer by the lifts on the {floor} floor ({site}) jams on every print job. "
          "There's a queue of people waiting.", "Replaced the worn pickup roller; test prints fine.",
          levels=(M, M)),
        S(INC, "Print jobs stuck in the queue",
          "My jobs sit in the queue with status 'Error - Printing' and never come out.",
          "Restarted the print spooler and removed a corrupt job from the server queue."),
        S(INC, "Scan to email not working on the {site} copier",
          "The copier in {site} shows 'SMTP error' when scanning to email.",
          "Updated the copier's SMTP relay credentials after the service account change.",
          levels=(M, M)),
        S(REQ, "Add the new HR printer to my laptop",
          "HR got a new secure printer; I'd like it added to my laptop.",
          "Printer deployed via policy; secure release card registered.", levels=(L, L)),
        S(INC, "Colour prints come out with streaks",
          "Everything printed in colour has magenta streaks down the page.",
          "Replaced the magenta drum unit."),
    ],
    "Phones & Mobile": [
        S(REQ, "Company iPhone for the on-call rota",
          "I'm joining the on-call rota next month and need a company iPhone.",
          "iPhone enrolled in Intune and handed over with the on-call profile.", levels=(L, M)),
        S(INC, "Company Portal won't enrol my Android phone",
          "Company Portal fails at 'Checking device settings' when I try to enrol my work phone.",
          "Phone OS was below the minimum version; updated, then enrolled."),
        S(INC, "Desk phone has no dial tone",
          "My desk phone shows the time but there's no dial tone and calls don't come through.",
          "Phone had lost its VLAN after a switch change; reprovisioned."),
        S(INC, "Outlook app on my phone stopped syncing",
          "Mail on my phone stopped updating two days ago. Calendar is also stale.",
          "Removed and re-added the account after the conditional access policy update."),
        S(REQ, "Replace broken phone screen",
          "The screen on my company phone cracked and the touch no longer works at the bottom.",
          "Replacement handset issued; old device wiped and returned to the vendor.", levels=(L, M)),
    ],
    "Servers & Storage": [
        C("Report an outage", {"service": "Intranet", "people_affected": "40",
                               "details": "The intranet shows 'Service unavailable' for everyone in {site}."},
          "Application pool recycled after a memory leak; monitoring alert added."),
        S(INC, "Shared drive S: is read-only",
          "Since this morning nobody in Operations can save to S:. Files open read-only.",
          "Volume had hit its quota; extended and the team can save again.", levels=(H, H)),
        S(INC, "Backup job failed for FS02",
          "Nightly backup of FS02 failed: `VSS snapshot timed out`.",
          "VSS writer restarted, job re-run successfully.", levels=(M, M), source="monitoring"),
        S(INC, "Disk space low on SQL-PRD-02",
          "Monitoring: drive E: on SQL-PRD-02 below 10% free.",
          "Old transaction log backups moved to archive storage; 40% free.", levels=(M, H),
          source="monitoring"),
        S(CHG, "Monthly patching of production web servers",
          "Apply this month's OS updates to WEB-PRD-01..04 in the Sunday maintenance window, "
          "two nodes at a time behind the load balancer.\n\n**Rollback:** restore snapshots.",
          "All four nodes patched and healthy; no customer impact.", levels=(M, M), source="it"),
        S(CHG, "Increase storage on the finance file share",
          "Grow the finance share by 500 GB ahead of year-end. Online extension, no downtime.",
          "Volume extended online; quota alerts reset.", levels=(L, M), source="it"),
        S(REQ, "Restore a deleted folder from last week's backup",
          "I accidentally deleted the 'Contracts 2024' folder on the Legal share. Can it be restored "
          "from last week?", "Folder restored from Tuesday's backup to its original location.",
          levels=(M, H)),
        S(INC, "Intranet very slow since this morning",
          "The intranet takes 20+ seconds to load any page for everyone in {site}.",
          "Application pool recycled and a slow search index query fixed.", levels=(H, M)),
    ],
    "Security": [
        S(INC, "Suspicious email asking me to confirm my password",
          "I received an email that looks like it's from IT asking me to confirm my password via a "
          "link. I haven't clicked it.", "Confirmed phishing; message purged from all mailboxes and "
          "the sender domain blocked.", levels=(M, M)),
        S(INC, "I clicked a link in a phishing email",
          "I clicked a link in an email about a parcel delivery and entered my credentials before I "
          "realised. Sorry!", "Password reset, sessions revoked, MFA re-registered; no suspicious "
          "sign-ins found.", levels=(H, H)),
        S(INC, "Laptop left on the train",
          "I left my work laptop on the train this morning. I've reported it to the rail company.",
          "Device remotely wiped and locked; replacement issued.", levels=(M, H)),
        S(REQ, "Encrypted USB stick",
          "I need to hand over files to the external auditors in person and need an encrypted USB "
          "stick.", "Encrypted USB stick issued and logged against the user.", levels=(L, M)),
        S(INC, "MFA prompt I did not trigger",
          "I just got an MFA push notification on my phone although I wasn't signing in. I denied it.",
          "Password had leaked in a third-party breach; reset it and blocked the attacker's IP range.",
          levels=(H, H)),
        S(CHG, "Enforce phishing-resistant MFA for admin accounts",
          "Require FIDO2 keys for all privileged accounts through conditional access.\n\n"
          "**Rollback:** revert the policy to report-only.",
          "Policy enforced after a week in report-only mode; all admins registered keys.",
          levels=(M, L), source="it"),
    ],
}

QUESTIONS = {  # an agent asking the requester (the ticket then waits On Hold)
    "Hardware": ["Could you send me the asset tag from the sticker under the laptop?",
                 "When would suit you for me to come to your desk and have a look?"],
    "Software": ["Could you send a screenshot of the error and tell me roughly when it started?",
                 "Does it happen for you on another computer as well, e.g. a hot desk?"],
    "Network": ["Which desk or room are you in exactly? The number on the desk label is ideal.",
                "Is this on the office Wi-Fi or on the wired network?"],
    "Email & Calendar": ["Could you send the full bounce message, including the headers?",
                         "Does Outlook on the web show the same problem?"],
    "Accounts & Access": ["Could your manager confirm the access by replying here?",
                          "Could you confirm which phone number is registered for MFA?"],
    "Printing": ["What does the printer display show when it jams?",
                 "Could you tell me the printer name from the label on the front?"],
    "Phones & Mobile": ["Which iOS/Android version is the phone on?",
                        "Could you bring the phone by the IT bar so we can look together?"],
    "Servers & Storage": ["Which folder path exactly, and roughly when was it deleted?",
                          "Is everyone affected or only some people in your team?"],
    "Security": ["Could you forward the email to us as an attachment, please?",
                 "Have you used the same password anywhere else?"],
}

ANSWERS = [
    "Sure, here you go. Let me know if you need anything else.",
    "Done, I've sent it over. Thanks for looking into it!",
    "I'm at my desk all afternoon, come by any time.",
    "Yes, it happens on the other laptop too.",
    "Only me as far as I can tell. Colleagues seem fine.",
    "Thanks, I've checked and attached the details.",
]

UPDATES = [
    "Thanks for reporting this. I'm looking into it now and will update you shortly.",
    "I can reproduce the problem on my side and am working on a fix.",
    "Quick update: I've found the likely cause and am testing the fix.",
    "I've applied a change; could you try again and tell me if it's better?",
]

NOTES = {  # internal notes: what technicians tell each other
    "Hardware": ["Dell warranty valid until next year. Checked in Intune: device compliant.",
                 "Spare in the London stock cupboard if the part takes too long."],
    "Software": ["Known issue with the latest Office build, see the vendor advisory.",
                 "Event log shows application error 1000 at each crash."],
    "Network": ["AP logs show repeated radar (DFS) events on channel 52.",
                "Checked the switch: port errors increasing on Gi1/0/24."],
    "Email & Calendar": ["Message trace shows delivery to the customer's gateway then rejection.",
                         "Mailbox at 49.2 GB of 50 GB."],
    "Accounts & Access": ["Sign-in logs show failures from the old phone's mail client.",
                          "Manager approval received by email, attached to HR record."],
    "Printing": ["Page count 412k, roller due for replacement anyway.",
                 "Print server queue had 37 stuck jobs from several users."],
    "Phones & Mobile": ["Device not compliant: OS version below the minimum in the policy.",
                        "SIM ordered from the carrier, arrives in 2 days."],
    "Servers & Storage": ["Quota at 100%. Finance approved growth last quarter.",
                          "Same failure last month; check the VSS writer after the fix."],
    "Security": ["No suspicious sign-ins in the last 7 days after the reset.",
                 "Reported the domain to the mail filter vendor."],
}

VENDOR_NOTES = [
    "Logged a case with the vendor (ref 4471-{n}); waiting for their engineer.",
    "Part ordered from the supplier, expected in 2–3 working days (PO {n}).",
    "Escalated to the vendor's second line; they are reproducing it (case {n}).",
]

WITHDRAW_REASONS = ["It sorted itself out after a restart.", "Raised this twice by mistake, sorry.",
                    "A colleague helped me fix it.", "No longer needed, the project was cancelled."]
CANCEL_REASONS = ["Duplicate of a ticket already being worked.",
                  "Raised against the wrong category; re-raised as a new request.",
                  "Requester no longer needs this."]
REJECT_REASONS = {  # by approval policy
    "Manager approval": ["Not in this quarter's budget; please raise again next quarter.",
                         "Let's talk about this in our one-to-one first."],
    "Manager, then IT lead": ["Please use the standard kit; the above-standard spec is for "
                              "engineering, data and design roles.",
                              "Your current laptop is under two years old; we can upgrade its memory instead."],
    "Data owner": ["Read-only access is enough for this; please request that instead.",
                   "This share holds payroll data; ask your manager to confirm the need in writing."],
    "Change Advisory Board": ["The rollback plan has not been tested; bring it back to next week's CAB.",
                              "Clashes with the month-end freeze; reschedule after the 5th."],
}
APPROVE_COMMENTS = ["", "", "", "Approved.", "Fine by me, thanks for the detail.",
                    "Approved; within this quarter's budget."]
REOPEN_REASONS = ["It's happening again this morning.", "Worked for a day, now the same problem."]
THANKS = ["Works now, thank you!", "All good, thanks for the quick help.", "Confirmed fixed, thanks."]

# Target statuses by ticket age: old tickets are mostly closed, recent ones still in flight.
STATUS_MIX = [
    (12, {Status.CLOSED: 86, Status.CANCELLED: 7, Status.PENDING: 3, Status.ON_HOLD: 2,
          Status.IN_PROGRESS: 2}),
    (4, {Status.CLOSED: 40, Status.RESOLVED: 22, Status.IN_PROGRESS: 14, Status.ON_HOLD: 9,
         Status.PENDING: 8, Status.CANCELLED: 5, Status.NEW: 2}),
    (0, {Status.NEW: 28, Status.IN_PROGRESS: 30, Status.ON_HOLD: 12, Status.PENDING: 6,
         Status.RESOLVED: 16, Status.CANCELLED: 4, Status.UNDER_REVIEW: 4}),
]

CHANNELS = {Channel.PORTAL: 45, Channel.EMAIL: 20, Channel.PHONE: 17, Channel.CHAT: 12,
            Channel.WALK_IN: 6}

# How long each step takes after the previous one, in hours: (shortest, longest).
STEP_HOURS = {
    "approve": (2, 30), "reject": (2, 30), "claim": (0.05, 4),
    "update": (0.2, 4), "ask": (0.2, 6), "hold": (0.01, 0.02), "answer": (1, 20),
    "note": (0.3, 8), "vendor": (0.5, 6), "resume": (24, 96), "resolve": (1, 30),
    "reopen": (10, 72), "confirm": (2, 48), "close": (24, 72), "autoclose": (120, 122),
    "withdraw": (0.5, 10), "cancel": (0.5, 5),
}
AUTO_CLOSE_LABEL = "Auto-close (resolved for 5 days)"
NOTIFY_RECENT = timedelta(days=2)
DAYS = 60

# Requests that are always there, whatever the seed: (requester, age, request, moves).
# They fill the approver's inbox (Olivia manages Marketing), show a request half-way through
# two steps, and give the demo employee a rejected request with its reason.
FEATURED = [
    ("Emma Fischer", timedelta(days=3, hours=5),
     C("New laptop", {"spec": "Above standard spec", "needed_by": Days(10), "keyboard": "German",
                      "justification": "I edit campaign videos and the standard laptop takes an "
                                       "hour to export a two-minute clip."}, ""), ["reject"]),
    ("Nadia Haddad", timedelta(days=2, hours=6),
     C("New laptop", {"spec": "Standard", "needed_by": Days(7), "keyboard": "US"}, ""), ["approve"]),
    ("Lukas Weber", timedelta(days=1, hours=22),
     C("Access to a shared drive", {"path": "\\\\fs02\\Marketing\\Campaigns", "access": "Read only",
                                    "reason": "To reuse the campaign assets in the Q3 sales deck."}, ""), []),
    ("Tom Becker", timedelta(days=1, hours=3),
     C("Software install", {"software": "Adobe Illustrator", "licence": "A new licence is needed",
                            "purpose": "Editing the vector logos for the trade-show stand."}, ""), []),
    ("Emma Fischer", timedelta(hours=20),
     C("Software install", {"software": "Figma Professional", "licence": "A new licence is needed",
                            "purpose": "Reviewing the agency's designs for the new website."}, ""), []),
    ("Isabel Garcia", timedelta(hours=5),
     C("New starter set-up", {"starter_name": "Jamie Clarke", "starter_manager": "{me}",
                              "start_date": Days(8), "equipment": ["Laptop", "Headset", "Mobile phone"]},
       ""), []),
]


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
    for the approvers of steps still waiting), then mark every seeded message dispatched so that
    workers do not flood the bell with two months of history."""
    db.session.flush()
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))
                                  .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    replay = {"notify_team_ticket_queued": notify_team_ticket_queued, "notify_approvers": notify_approvers}
    for message in messages:
        if message.job in replay and message.created_at >= now - NOTIFY_RECENT:
            with _at(message.created_at):
                replay[message.job](**json.loads(message.payload), outbox_id=message.id)
        message.dispatched_at = message.created_at

"""The demo organisation in words: people, teams, categories, the catalog with its forms,
approval policies, validation rules, and the ticket samples (titles, descriptions, replies,
reasons) that app/demo/seed.py plays through the services."""
import json
from dataclasses import dataclass, field
from datetime import timedelta

from app.models import Channel, FieldType, Level, RuleKind, Status, StepMode, TicketType

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

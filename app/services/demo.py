"""Demo data: an IT department of five teams, ~40 employees and a couple of months of tickets.

Every ticket is created and moved only through the services (``create_ticket``,
``claim_ticket``, ``transition_ticket``, ``add_comment``), so numbers, history and timestamps are
the real thing; ``travel_to`` backdates each step so ages and timelines look natural. The same
seed gives the same data (relative to the day it runs).

Outbox: seeding writes one "ticket queued" message per ticket. Delivering all of them would put
hundreds of "new ticket" notifications in every technician's bell on first start, so the
messages of the last two days are replayed here (the in-app notification, backdated to when the
ticket was queued) and every seeded message is then marked dispatched: workers never see them.
"""
import json
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Category, Channel, Level, OutboxMessage, Status, Team, Ticket, TicketType, User, utcnow,
)
from app.models.base import travel_to
from app.services.comments import add_comment
from app.services.errors import ValidationFailed
from app.services.lifecycle import transition_ticket
from app.services.notifications import notify_team_ticket_queued
from app.services.passwords import hash_password
from app.services.tickets import TicketInput, claim_ticket, create_ticket, save_draft
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

# name, department, location; the first person of each department is its head (the manager).
EMPLOYEES = [
    ("Daniel Okafor", "Finance", "London"), ("Hannah Schmidt", "Finance", "Berlin"),
    ("Marcus Lee", "Finance", "New York"), ("Sofia Rossi", "Finance", "London"),
    ("James Whitaker", "Sales", "New York"), ("Aisha Khan", "Sales", "London"),
    ("Lukas Weber", "Sales", "Berlin"), ("Chloe Martin", "Sales", "New York"),
    ("Ravi Menon", "Sales", "Singapore"), ("Grace Liu", "Sales", "Singapore"),
    ("Isabel Garcia", "Marketing", "London"), ("Tom Becker", "Marketing", "Berlin"),
    ("Nadia Haddad", "Marketing", "New York"), ("Oliver Grant", "Marketing", "London"),
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
    ("Zoe Williams", "Customer Success", "New York"), ("Emma Fischer", "Marketing", "Berlin"),
    ("Olivia Bennett", "Finance", "London"),
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


@dataclass(frozen=True)
class Sample:
    """One kind of ticket people really raise. ``source``: people (an employee asks),
    monitoring (an alert, no requester) or it (planned work raised by IT itself)."""

    ticket_type: TicketType
    title: str
    body: str
    resolution: str
    levels: tuple[Level, Level] | None = None  # (impact, urgency); random when None
    approval: bool = False
    source: str = "people"

    @property
    def needs_approval(self) -> bool:
        return self.approval or self.ticket_type == CHG


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
        S(REQ, "New laptop for a starter joining on Monday",
          "We have a new starter joining my team on Monday.\n\n**Role:** Analyst\n**Needs:** standard "
          "laptop, dock, headset\n\nPlease have it ready for 9am.",
          "Laptop imaged with the standard build, enrolled in Intune and handed to the line manager.",
          levels=(L, M), approval=True),
        S(REQ, "Second monitor for home working",
          "I work from home three days a week and would like a second 24\" monitor, per the home "
          "working policy.", "Monitor shipped to home address; tracking number sent by email.",
          levels=(L, L), approval=True),
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
        S(REQ, "Install Adobe Acrobat Pro",
          "I need to edit and sign PDFs from suppliers. Could Acrobat Pro be installed on my laptop?",
          "Licence assigned and Acrobat Pro deployed through Company Portal.", levels=(L, M),
          approval=True),
        S(INC, "Teams keeps signing me out",
          "Teams signs me out every hour or so and asks me to log in again. It started after the "
          "laptop restarted for updates.", "Cleared the Teams cache and the stale token in Credential "
          "Manager; signed in cleanly."),
        S(INC, "Zoom add-in missing from Outlook",
          "The Zoom button disappeared from Outlook so I can't add meeting links to invites.",
          "Re-enabled the add-in, which Outlook had disabled after a slow start."),
        S(REQ, "Visio licence",
          "I need Visio for process maps for the audit project. A standard licence is fine.",
          "Visio Plan 2 licence assigned; available after sign-out and back in.", levels=(L, L),
          approval=True),
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
        S(REQ, "Access to the Finance shared drive",
          "I've joined the Finance team and need read/write access to the Finance shared drive.",
          "Added to the Finance-RW group after approval; access confirmed.", levels=(L, M),
          approval=True),
        S(INC, "MFA prompts not arriving on my new phone",
          "I got a new phone and the Authenticator app doesn't receive sign-in prompts.",
          "Re-registered MFA methods after identity check over video call."),
        S(REQ, "Salesforce access for a new account executive",
          "New starter in my team needs a Salesforce licence with the standard AE profile.",
          "User provisioned in Salesforce with the AE profile; welcome email sent.", levels=(L, M),
          approval=True),
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
          levels=(L, M), approval=True),
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
          "iPhone enrolled in Intune and handed over with the on-call profile.", levels=(L, M),
          approval=True),
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
          "stick.", "Encrypted USB stick issued and logged against the user.", levels=(L, M),
          approval=True),
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
REJECT_REASONS = ["Not in this quarter's budget; please raise again next quarter.",
                  "Please use the standard kit; this exception is not approved."]
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
    "submit_approval": (0.2, 2), "approve": (2, 30), "reject": (2, 30), "claim": (0.05, 4),
    "update": (0.2, 4), "ask": (0.2, 6), "hold": (0.01, 0.02), "answer": (1, 20),
    "note": (0.3, 8), "vendor": (0.5, 6), "resume": (24, 96), "resolve": (1, 30),
    "reopen": (10, 72), "confirm": (2, 48), "close": (24, 72), "autoclose": (120, 122),
    "withdraw": (0.5, 10), "cancel": (0.5, 5),
}
AUTO_CLOSE_LABEL = "Auto-close (resolved for 5 days)"
NOTIFY_RECENT = timedelta(days=2)
DAYS = 60


@dataclass
class Cast:
    """Everyone the tickets are about, found once and passed around."""

    employees: list[User]
    teams: dict[str, Team]
    members: dict[int, list[User]]  # team id -> technicians (lead included)
    leads: dict[int, User]
    categories: dict[str, Category]
    approver: User
    demo: dict[str, User] = field(default_factory=dict)


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


def seed_demo(tickets: int = 300, seed: int = 7) -> list[tuple[str, str]]:
    """Load the demo organisation and ``tickets`` tickets; return the demo sign-ins (email,
    roles). The caller commits. Refuses a database that already holds the demo users."""
    if find_user_by_email(DEMO_USERS[0][0]):
        raise ValidationFailed("Demo data is already loaded; use an empty database.")
    rng = random.Random(seed)
    now = utcnow()
    cast = _create_cast(rng, hash_password(DEMO_PASSWORD))
    for plan in sorted((_plan_ticket(rng, cast, now) for _ in range(tickets)), key=lambda p: p.created):
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
    teams = _create_teams()
    members, leads = {}, {}
    for team_name, (lead, technicians) in TECHNICIANS.items():
        team = teams[team_name]
        for (name, site), is_lead in [(lead, True), *((t, False) for t in technicians)]:
            user = _person(rng, password_hash, name, site, ("agent",), department="IT")
            set_membership(team, user, is_lead=is_lead)
            members.setdefault(team.id, []).append(user)
            leads.setdefault(team.id, user)
    employees = _create_employees(rng, password_hash)
    db.session.flush()
    categories = _create_categories(teams)
    by_email = {u.email: u for u in [*employees, *(m for ms in members.values() for m in ms)]}
    return Cast(employees=employees, teams=teams, members=members, leads=leads,
                categories=categories, approver=by_email["approver@example.com"],
                demo={email: by_email[email] for email, _n, _r in DEMO_USERS})


def _create_teams() -> dict[str, Team]:
    teams = {name: Team(name=name, tier=tier, description=text) for name, tier, _e, text in TEAMS}
    for name, _tier, escalates_to, _text in TEAMS:
        teams[name].escalation_team = teams.get(escalates_to)
    db.session.add_all(teams.values())
    db.session.flush()
    return teams


def _create_employees(rng: random.Random, password_hash: str) -> list[User]:
    heads: dict[str, User] = {}
    people = []
    for name, department, site in EMPLOYEES:
        user = _person(rng, password_hash, name, site, ("employee",), department=department,
                       manager=heads.get(department))
        heads.setdefault(department, user)
        people.append(user)
    return people


def _create_categories(teams: dict[str, Team]) -> dict[str, Category]:
    categories = {name: Category(name=name, team=teams[team], description=text, position=i)
                  for i, (name, (team, text, _w)) in enumerate(CATEGORIES.items())}
    db.session.add_all(categories.values())
    db.session.flush()
    return categories


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
    else:
        channel = _weighted(rng, CHANNELS)
        requester = _requester(rng, cast)
        service_desk = cast.members[cast.teams["Service Desk"].id]
        created_by = requester if channel in (Channel.PORTAL, Channel.EMAIL) else rng.choice(service_desk)
    return Plan(created, category, sample, _target(rng, created, now, sample), channel, requester,
                created_by, impact, urgency)


def _steps(rng: random.Random, plan: Plan, now: datetime) -> list[str]:
    """The moves that take a new ticket to ``plan.target``, in order."""
    people, target = plan.requester is not None, plan.target
    steps = []
    if target == Status.NEW:
        return steps
    if plan.sample.needs_approval:
        steps.append("submit_approval")
        if target == Status.UNDER_REVIEW:
            return steps
        if target == Status.CANCELLED and rng.random() < 0.6:
            return [*steps, "reject"]
        steps.append("approve")
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
    floors = SITES[place.location][1]
    words = {"site": place.location, "floor": rng.choice(floors)}
    data = TicketInput(ticket_type=plan.sample.ticket_type, title=plan.sample.title.format(**words),
                       description=plan.sample.body.format(**words), impact=plan.impact,
                       urgency=plan.urgency, category_id=cast.categories[plan.category].id,
                       contact_phone=plan.requester.phone if plan.requester else None)
    with _at(plan.created):
        ticket = create_ticket(data, requester=plan.requester, created_by=plan.created_by,
                               channel=plan.channel)
    scene = Scene(rng, cast, plan, ticket)
    steps = _steps(rng, plan, now)
    for step, moment in zip(steps, _schedule(rng, steps, plan.created, now - timedelta(minutes=5))):
        with _at(moment):
            ACTIONS[step](scene)


def _claim(scene: Scene) -> None:
    members = scene.team_members
    weights = [3 if m.email == "agent@example.com" else 1 for m in members]
    scene.assignee = scene.rng.choices(members, weights=weights)[0]
    claim_ticket(scene.ticket, scene.assignee)


def _move(status: Status, who: str = "worker", reasons: list[str] | None = None, label: str | None = None):
    """A step that moves the ticket; ``who``: worker, requester or system (an approval, a job)."""

    def step(scene: Scene) -> None:
        actor = {"worker": scene.worker, "requester": scene.plan.requester, "system": None}[who]
        transition_ticket(scene.ticket, status, actor, reason=scene.say(reasons) if reasons else None,
                          actor_label=label.format(approver=scene.cast.approver.name) if label else None)

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
    "submit_approval": _move(Status.UNDER_REVIEW),
    "approve": _move(Status.OPEN, "system", label="Approved by {approver}"),
    "reject": _move(Status.CANCELLED, "system", REJECT_REASONS, label="Rejected by {approver}"),
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
    """A few half-written tickets for the demo employee: drafts need nothing to be filled in."""
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


def _settle_outbox(now: datetime) -> None:
    """Replay the recent "queued" notifications (backdated), then mark every seeded message
    dispatched so that workers do not flood the bell with two months of history."""
    db.session.flush()
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))
                                  .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    for message in messages:
        if message.job == "notify_team_ticket_queued" and message.created_at >= now - NOTIFY_RECENT:
            with _at(message.created_at):
                notify_team_ticket_queued(**json.loads(message.payload), outbox_id=message.id)
        message.dispatched_at = message.created_at

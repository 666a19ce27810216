"""Which actions the ticket page offers, and which one is its primary action.

The lifecycle says which moves are allowed; this says how a technician meets them: exactly one
primary action per state (Claim, or the move that usually comes next), no two buttons that do
the same thing (Claim already starts the work, so "Start work" and "Accept" wait until the
ticket has an assignee), and no "Ask the requester" on a ticket that has none. Pure: no queries.
"""
from dataclasses import dataclass, field

from app.models import Status, Ticket, User
from app.services.lifecycle import Transition
from app.services.permissions import can_claim_ticket

S = Status

# The move that usually comes next in each state, best first.
NEXT_MOVE = {
    S.NEW: (S.IN_PROGRESS, S.OPEN),
    S.OPEN: (S.IN_PROGRESS,),
    S.IN_PROGRESS: (S.RESOLVED,),
    S.ON_HOLD: (S.IN_PROGRESS,),
    S.PENDING: (S.IN_PROGRESS,),
    S.RESOLVED: (S.CLOSED,),
}


@dataclass
class TicketActions:
    claim: bool = False  # Claim is the primary action
    claim_starts_work: bool = False
    primary: Transition | None = None
    moves: list[Transition] = field(default_factory=list)  # every move shown, primary included

    @property
    def plain_moves(self) -> list[Transition]:
        """Secondary one-button moves (no reason asked)."""
        return [t for t in self.moves if not t.needs_reason and t is not self.primary]

    @property
    def reason_moves(self) -> list[Transition]:
        """Moves that ask why; each gets its own reason box."""
        return [t for t in self.moves if t.needs_reason]


def plan_actions(ticket: Ticket, user: User, transitions: list[Transition]) -> TicketActions:
    """The page's actions for ``user`` given the moves the lifecycle allows them now."""
    moves = [t for t in transitions if not (t.target == S.ON_HOLD and ticket.requester_id is None)]
    if ticket.assignee_id is None and can_claim_ticket(user, ticket):
        starts = any(t.target == S.IN_PROGRESS for t in moves)
        moves = [t for t in moves if t.target != S.IN_PROGRESS
                 and not (ticket.status == S.NEW and t.target == S.OPEN)]
        return TicketActions(claim=True, claim_starts_work=starts, moves=moves)
    if any(t.target == S.IN_PROGRESS for t in moves) and ticket.status == S.NEW:
        moves = [t for t in moves if t.target != S.OPEN]  # Accept and Start work overlap
    primary = next((t for target in NEXT_MOVE.get(ticket.status, ()) for t in moves
                    if t.target == target), None)
    return TicketActions(primary=primary, moves=moves)

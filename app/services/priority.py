"""The impact x urgency matrix (ITIL's usual 3x3 → five priorities)."""
from app.models import Level

_MATRIX = {
    (Level.HIGH, Level.HIGH): 1,
    (Level.HIGH, Level.MEDIUM): 2, (Level.MEDIUM, Level.HIGH): 2,
    (Level.HIGH, Level.LOW): 3, (Level.MEDIUM, Level.MEDIUM): 3, (Level.LOW, Level.HIGH): 3,
    (Level.MEDIUM, Level.LOW): 4, (Level.LOW, Level.MEDIUM): 4,
    (Level.LOW, Level.LOW): 5,
}

PRIORITY_LABELS = {1: "P1 Critical", 2: "P2 High", 3: "P3 Moderate", 4: "P4 Low", 5: "P5 Planning"}


def derive_priority(impact: Level | None, urgency: Level | None) -> int:
    """Priority from the matrix; medium stands in for whatever is not given yet (drafts)."""
    return _MATRIX[(impact or Level.MEDIUM, urgency or Level.MEDIUM)]

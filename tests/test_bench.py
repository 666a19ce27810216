"""The benchmark's generated tickets must be ones the app could have made, or its figures would
measure a queue no one has: numbers per type without gaps, statuses each type can reach, the
matrix priority, and times in order and never in the future."""
import importlib.util
import random
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from app.models import OPEN_STATUSES, Status, TicketType
from app.services.lifecycle import TRANSITIONS
from app.services.priority import derive_priority

BENCH = Path(__file__).resolve().parent.parent / "bench" / "queue_bench.py"
NOW = datetime(2026, 6, 1, 12, 0)


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("queue_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows(bench):
    world = {"teams": [10, 11, 12, 13, 14], "tiers": [1, 2, 2, 2, 3],
             "categories": [(100 + i, team) for i, (_, team) in enumerate(bench.CATEGORIES)],
             "requesters": list(range(1000, 1050)), "members": {t: [500 + t, 600 + t] for t in range(5)},
             "agent": 500}
    return list(bench.ticket_rows(random.Random(1), 3000, world, NOW))


def test_numbers_run_per_type_without_gaps(rows):
    counts = Counter(row["ticket_type"] for row in rows)
    for ticket_type, count in counts.items():
        numbers = [row["number"] for row in rows if row["ticket_type"] == ticket_type]
        assert numbers == [f"{ticket_type.prefix}{i:06d}" for i in range(1, count + 1)]


def test_every_status_is_reachable_for_its_type(rows):
    for row in rows:
        reachable = {t.target for t in TRANSITIONS[row["ticket_type"]]}
        assert row["status"] in reachable, row


def test_priority_follows_the_matrix(rows):
    assert all(row["priority"] == derive_priority(row["impact"], row["urgency"]) for row in rows)


def test_times_are_ordered_and_never_in_the_future(rows):
    for row in rows:
        stamps = [row[s.timestamp_field] for s in Status if row[s.timestamp_field] is not None]
        assert row["created_at"] <= min(stamps) and max(stamps) <= row["updated_at"] <= NOW


def test_most_tickets_are_done_and_new_ones_are_unassigned(rows):
    open_share = sum(row["status"] in OPEN_STATUSES for row in rows) / len(rows)
    assert 0.01 < open_share < 0.15
    assert all(row["assignee_id"] is None for row in rows if row["status"] == Status.NEW)
    assert {row["ticket_type"] for row in rows} == set(TicketType)


def test_p95_is_the_nearest_rank(bench):
    assert bench.p95([float(i) for i in range(1, 101)]) == 95.0
    assert bench.p95([3.0]) == 3.0

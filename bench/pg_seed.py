"""Set-based seeding of the benchmark's tickets on PostgreSQL: one INSERT … SELECT over
generate_series, so a million tickets take about a minute instead of the half hour that a
million Python rows sent over the wire would.

The spread is that of queue_bench.ticket_rows (the same weights, turned into CASE expressions
over random()): a year of tickets in creation order, status by age, the busiest team first,
5% moved to another team, the impact × urgency matrix, assignees from the team's members,
numbered per type without gaps (row_number over the creation order). tests/test_bench.py
checks the rows it makes on PostgreSQL against the same rules as the Python rows.

Triggers are off during the insert; the search index, where a bench needs it, is then built
in one statement from ticket_search_source, as the migration's backfill does.
"""
from sqlalchemy import text

from app.models import Channel, Level, Status, TicketType
from app.services.priority import derive_priority


def _lit(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def pick_sql(weights: dict, r: str) -> str:
    """CASE over the uniform random column ``r``: each key with its share of the weights."""
    total, upto, parts = sum(weights.values()), 0.0, []
    items = list(weights.items())
    for key, weight in items[:-1]:
        upto += weight / total
        parts.append(f"WHEN {r} < {upto:.6f} THEN {_lit(getattr(key, 'value', key))}")
    return f"CASE {' '.join(parts)} ELSE {_lit(getattr(items[-1][0], 'value', items[-1][0]))} END"


def _index_sql(weights: list[float], r: str) -> str:
    return pick_sql(dict(enumerate(weights)), r).replace("'", "")


def _array(values) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::int[]"


def _choose(values, r: str) -> str:
    """One of ``values`` (ints) by the uniform random column ``r``; NULL when there are none."""
    values = list(values)
    return f"({_array(values)})[1 + floor({r} * {len(values)})::int]" if values else "NULL::int"


def _per_team(choices: dict[int, list[int]], team: str, r: str) -> str:
    parts = " ".join(f"WHEN {t} THEN {_choose(v, r)}" for t, v in choices.items())
    return f"CASE {team} {parts} END"


def _delay(base: str, mean_hours: float, r1: str, r2: str) -> str:
    """queue_bench.status_times' ``at``: an exponential delay after ``base``, never past now."""
    return (f"{base} + make_interval(secs => least(-ln(1 - {r1}) * {mean_hours * 3600}, "
            f"extract(epoch FROM (:now - {base})) * {r2}))")


def insert_sql(bench, world: dict, title_sql: str | None = None, description_sql: str | None = None) -> str:
    """The INSERT … SELECT for ``:n`` tickets created over the year before ``:now``."""
    teams = range(len(bench.TEAMS))
    by_team = {t: [c for c, ct in world["categories"] if ct == t] for t in teams}
    mixes = " ".join(f"WHEN age < {limit} THEN {pick_sql(mix, 'r_status')}" for limit, mix in bench.STATUS_MIX)
    priority = " ".join(f"WHEN impact = {_lit(i.value)} AND urgency = {_lit(u.value)} THEN {derive_priority(i, u)}"
                        for i in Level for u in Level)
    prefix = " ".join(f"WHEN {_lit(t.value)} THEN {_lit(t.prefix)}" for t in TicketType)
    chance = {Status.NEW: 0, Status.OPEN: 0.5, Status.CANCELLED: 0.3}
    chance_sql = " ".join(f"WHEN {_lit(s.value)} THEN {c}" for s, c in chance.items())
    done = f"status IN ({_lit(Status.RESOLVED.value)}, {_lit(Status.CLOSED.value)})"
    # Statuses whose own stamp is the one step after New (the path to Resolved and Closed is
    # in_progress → resolved → closed, as status_times draws it).
    single = [s for s in Status if s not in (Status.DRAFT, Status.NEW, Status.IN_PROGRESS,
                                              Status.RESOLVED, Status.CLOSED)]
    columns = ", ".join(s.timestamp_field for s in single)
    singles = ", ".join(f"CASE WHEN status = {_lit(s.value)} THEN {_delay('created_at', 20, 'd1', 'd2')} END "
                        f"AS {s.timestamp_field}" for s in single)
    title = title_sql or f"(ARRAY[{', '.join(_lit(t) for t in bench.TITLES)}])[1 + floor(r_title * {len(bench.TITLES)})::int]"
    description = description_sql or _lit(bench.DESCRIPTION)
    agent_channels = f"({_lit(Channel.PORTAL.value)}, {_lit(Channel.EMAIL.value)})"
    return f"""
    WITH g AS MATERIALIZED (
        SELECT i, :now - make_interval(secs => :year * (1 - (i - random()) / :n)) AS created_at,
               random() AS r_type, random() AS r_team, random() AS r_cat, random() AS r_move,
               random() AS r_team2, random() AS r_status, random() AS r_imp, random() AS r_urg,
               random() AS r_req, random() AS r_chan, random() AS r_asg, random() AS r_who,
               random() AS r_title, random() AS d1, random() AS d2, random() AS d3, random() AS d4,
               random() AS d5, random() AS d6
        FROM generate_series(1, :n) AS i
    ), typed AS (
        SELECT g.*, {pick_sql(bench.TYPES, 'r_type')} AS ticket_type,
               {_index_sql([w for *_, w in bench.TEAMS], 'r_team')} AS home,
               extract(epoch FROM (:now - created_at)) / 86400 AS age,
               {pick_sql(bench.IMPACT, 'r_imp')} AS impact, {pick_sql(bench.URGENCY, 'r_urg')} AS urgency,
               {pick_sql(bench.CHANNELS, 'r_chan')} AS channel
        FROM g
    ), placed AS (
        SELECT typed.*, CASE WHEN r_move < 0.05 THEN floor(r_team2 * {len(bench.TEAMS)})::int ELSE home END AS team,
               CASE WHEN ({'CASE ' + mixes + ' END'}) = {_lit(Status.UNDER_REVIEW.value)}
                         AND ticket_type = {_lit(TicketType.INCIDENT.value)} THEN {_lit(Status.OPEN.value)}
                    ELSE ({'CASE ' + mixes + ' END'}) END AS status
        FROM typed
    ), people AS (
        SELECT placed.*, {_choose(world['requesters'], 'r_req')} AS requester,
               CASE WHEN r_asg < (CASE status {chance_sql} ELSE 0.95 END)
                    THEN {_per_team(world['members'], 'team', 'r_who')} END AS agent,
               CASE WHEN {done} THEN {_delay('created_at', 4, 'd1', 'd2')}
                    WHEN status = {_lit(Status.IN_PROGRESS.value)} THEN {_delay('created_at', 20, 'd1', 'd2')}
               END AS in_progress_at, {singles}
        FROM placed
    ), resolved AS (
        SELECT people.*, CASE WHEN {done} THEN {_delay('in_progress_at', 30, 'd3', 'd4')} END AS resolved_at
        FROM people
    ), timed AS (
        SELECT resolved.*, CASE WHEN status = {_lit(Status.CLOSED.value)}
                                THEN {_delay('resolved_at', 72, 'd5', 'd6')} END AS closed_at
        FROM resolved
    )
    INSERT INTO tickets (number, ticket_type, status, title, description, channel, requester_id,
                         contact_phone, created_by_id, category_id, impact, urgency, priority, team_id,
                         tier, assignee_id, resolution, created_at, new_at, in_progress_at, resolved_at,
                         closed_at, {columns}, updated_at, version)
    SELECT CASE ticket_type {prefix} END
               || lpad((row_number() OVER (PARTITION BY ticket_type ORDER BY i))::text, 6, '0'),
           ticket_type, status, {title}, {description}, channel, requester, '+44 20 7946 0000',
           CASE WHEN channel IN {agent_channels} THEN requester ELSE coalesce(agent, requester) END,
           {_per_team(by_team, 'home', 'r_cat')}, impact, urgency, CASE {priority} END,
           {_per_team({t: [world['teams'][t]] for t in teams}, 'team', '0')},
           {_per_team({t: [world['tiers'][t]] for t in teams}, 'team', '0')},
           agent, CASE WHEN {done} THEN 'Fixed; see the notes.' END, created_at, created_at,
           in_progress_at, resolved_at, closed_at, {columns},
           greatest(created_at, in_progress_at, resolved_at, closed_at, {columns}),
           2 + (in_progress_at IS NOT NULL)::int + (resolved_at IS NOT NULL)::int
             + (closed_at IS NOT NULL)::int + ({' OR '.join(f'{c} IS NOT NULL' for c in columns.split(', '))})::int
    FROM timed ORDER BY i
    """


def seed_tickets(conn, bench, world: dict, n: int, now, **texts) -> None:
    """Insert ``n`` tickets and set the counters. The rows are made from ids that exist, so
    the insert runs without triggers (foreign-key checks and the search index's, by
    ``session_replication_role``) and the tickets' indexes are dropped first and built again
    after: building an index once is many times faster than a million insertions into it."""
    indexes = conn.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets' "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'tickets'::regclass)").all()
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    conn.exec_driver_sql("SET session_replication_role = replica")
    conn.exec_driver_sql("SELECT setseed(0.42)")
    conn.execute(text(insert_sql(bench, world, **texts)), {"n": n, "now": now, "year": bench.YEAR_S})
    conn.exec_driver_sql("SET session_replication_role = DEFAULT")
    conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        conn.exec_driver_sql(definition)
    conn.exec_driver_sql("INSERT INTO ticket_counters (ticket_type, last_value) "
                         "SELECT ticket_type, count(*) FROM tickets GROUP BY ticket_type")


def build_search_index(conn) -> None:
    conn.exec_driver_sql("INSERT INTO ticket_search (ticket_id, doc, public_doc) "
                         "SELECT ticket_id, doc, public_doc FROM ticket_search_source")

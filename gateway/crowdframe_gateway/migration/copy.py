"""``crowdframe migrate``: copy everything from a SQLite store into an empty Redis store.

Reads the SQLite file read-only, so the source can stay in place (stop the gateway first: rows
written during the copy would not be copied). Refuses a target that holds any key, so running
it twice cannot mix two copies. Prints progress as it goes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

from ..conversations.redis import ConversationsImport
from ..conversations.sqlite import conversation_record
from ..core.records import ApiKey, Block, Credit, Project, now
from ..core.stored import (
    API_KEY,
    ATTEMPT,
    CLIENT_USER,
    GOLD_STATS,
    INVITATION,
    QUALIFICATION,
    spec_from_json,
)
from ..identity.sqlite import _link
from ..ledger import WorkLine
from ..mail.sqlite import SELECTED_EMAIL, read_email
from ..mturk.records import (
    MTurkCredential,
    QualificationScore,
    hit_from,
    qualification_type_from,
)
from ..mturk.redis import hit_made
from ..mturk.sqlite import _hit_type
from ..redis_store import RedisStore
from ..store.sqlite.base import _assignment, _client, _endpoint, _task, _worker
from ..work.sqlite_pool import in_pool
from .redis_import import RedisImporter

__all__ = ["MigrationError", "migrate_sqlite_to_redis"]

Report = Callable[[str], None]


class MigrationError(RuntimeError):
    """The migration cannot start (the message says why); nothing was written."""


async def migrate_sqlite_to_redis(source: str, target: str, report: Report = print) -> int:
    """Copy ``sqlite:///…`` into ``redis://…``; the number of records copied."""
    path = Path(source.removeprefix("sqlite:///"))
    try:
        if not source.startswith("sqlite:///"):
            raise sqlite3.OperationalError("not a sqlite:/// URL")
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        db.execute("SELECT 1 FROM clients LIMIT 1")
    except sqlite3.Error:
        raise MigrationError(f"no SQLite store at {source!r} (expected sqlite:///PATH)") from None
    db.row_factory = sqlite3.Row
    store = RedisStore(target)
    await store.open()
    try:
        importer = RedisImporter(store.r)
        if not await importer.is_empty():
            raise MigrationError(f"{target} is not empty; migrate into an empty Redis database")
        copied = await _copy(db, importer, report)
        await importer.flush()
        copied += await _copy_links_and_mail(db, store, report)
    finally:
        await store.close()
        db.close()
    report(f"done: {copied} records copied to {target}")
    return copied


async def _copy(db: sqlite3.Connection, to: RedisImporter, report: Report) -> int:
    total = 0

    def progress(kind: str, count: int, *, final: bool = False) -> None:
        if final or count % 5000 == 0:
            report(f"{kind}: {count}{'' if final else ' …'}")

    rows = db.execute("SELECT * FROM clients ORDER BY rowid").fetchall()
    for row in rows:
        await to.client(_client(row), row["api_key_hash"])
    progress("clients", len(rows), final=True)
    total += len(rows)
    rows = db.execute("SELECT * FROM workers ORDER BY rowid").fetchall()
    for row in rows:
        await to.worker(_worker(row))
    progress("workers", len(rows), final=True)
    total += len(rows)

    per_task: dict[str, int] = {}
    count = 0
    for row in db.execute("SELECT * FROM projects ORDER BY seq"):
        spec = spec_from_json(row["spec"])
        per_task[row["id"]] = spec.assignments_per_task
        project = Project(row["id"], row["client_id"], spec, row["status"], row["created_at"])
        await to.project(project, row["seq"])
        count += 1
    progress("projects", count, final=True)
    total += count

    count = 0
    columns = {r["name"] for r in db.execute("PRAGMA table_info(tasks)")}
    # the pool each task is in (a file from before the pools were kept: by the same rule)
    pooled = in_pool("t") if "lapsed" in columns else in_pool("t").replace("t.lapsed = 0", "1")
    reopened = "t.reopened" if "reopened" in columns else "0"
    for row in db.execute(
        f"SELECT t.*, ({pooled}) AS pooled, {reopened} AS reopened FROM tasks t ORDER BY seq"
    ):
        await to.task(
            _task(row),
            seq=row["seq"],
            per_task=row["per_task"],
            assigned=row["assigned"],
            pooled=bool(row["pooled"]),
            came_back=row["reopened"],
        )
        count += 1
        progress("tasks", count)
    progress("tasks", count, final=True)
    total += count

    count = 0
    for row in db.execute("SELECT * FROM assignments ORDER BY seq"):
        await to.assignment(_assignment(row), row["seq"], row["ip_hash"])
        count += 1
        progress("assignments", count)
    progress("assignments", count, final=True)
    total += count

    rows = db.execute("SELECT * FROM endpoints ORDER BY seq").fetchall()
    for row in rows:
        await to.endpoint(_endpoint(row))
    progress("webhook endpoints", len(rows), final=True)
    total += len(rows)

    facts: dict[str, tuple[str, str]] = {}  # event id -> (partition, facts)
    count = 0
    for row in db.execute("SELECT * FROM events ORDER BY seq"):
        data = json.loads(row["data"])
        partition = data.get("project_id") if row["type"] != "endpoint.test" else None
        partition = partition if partition in per_task else row["client_id"]
        text = to.event_facts(row["id"], row["client_id"], row["type"], row["created_at"],
                              row["data"])  # fmt: skip
        facts[row["id"]] = (partition, text)
        await to.event(partition, row["id"], text)
        count += 1
        progress("events", count)
    progress("events", count, final=True)
    total += count

    attempts: dict[str, list[str]] = {}
    for row in db.execute(
        "SELECT message_id, at, status_code, latency_ms, response, error FROM attempts ORDER BY seq"
    ):
        attempts.setdefault(row["message_id"], []).append(json.dumps(dict(row)))
    count = 0
    for row in db.execute("SELECT * FROM outbox ORDER BY rowid"):
        partition, text = facts[row["event_id"]]
        await to.message(partition, dict(row), text, attempts.get(row["id"], []))
        count += 1
        progress("outbox messages", count)
    progress("outbox messages", count, final=True)
    total += count

    rows = db.execute("SELECT * FROM idempotency").fetchall()
    for row in rows:
        await to.idempotency(row["client_id"], row["key"], row["request_hash"], row["task_ids"])
    progress("idempotency keys", len(rows), final=True)
    total += len(rows)
    total += await _copy_keyring_and_feed(db, to, report)
    total += await _copy_console_people(db, to, report)
    total += await _copy_assessments(db, to, report)
    total += await _copy_crowd_review(db, to, report)
    total += await _copy_pool_workers(db, to, pooled, report)
    total += await _copy_conversations(db, to, report)
    return total + await _copy_quality(db, to, report) + await _copy_mturk(db, to, report)


async def _copy_links_and_mail(db: sqlite3.Connection, to: RedisStore, report: Report) -> int:
    """Workers' account links that may still be used, and the emails not sent yet (a file from
    before them has none), written as the Redis store writes them: sent and failed emails, and
    used or expired links, are history nobody reads again."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    total = 0
    if "account_links" in tables:
        rows = db.execute(
            "SELECT * FROM account_links WHERE used_at IS NULL AND expires_at > ?", (now(),)
        ).fetchall()
        for row in rows:
            await to.create_account_link(_link(row), row["token_hash"])
        report(f"account links: {len(rows)}")
        total += len(rows)
    if "emails" in tables:
        rows = db.execute(
            f"SELECT {SELECTED_EMAIL} FROM emails WHERE status = 'pending' ORDER BY seq"
        ).fetchall()
        for row in rows:
            await to.queue_email(read_email(row))
        report(f"emails to send: {len(rows)}")
        total += len(rows)
    return total


async def _copy_conversations(db: sqlite3.Connection, to: RedisImporter, report: Report) -> int:
    """Disputes, threads and their messages, contacts, mutes, notices, rejections and opt-outs
    (a file from before conversations has none of them)."""
    present = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'disputes'"
    ).fetchone()
    if present is None:
        return 0
    write, total = ConversationsImport(), 0
    for table in ("disputes", "threads", "thread_messages", "notices"):
        rows = db.execute(f"SELECT * FROM {table} ORDER BY seq").fetchall()
        for row in rows:
            record = conversation_record(table, row)
            if table == "disputes":
                commands = write.dispute(to.pipe, record, row["seq"])
            elif table == "threads":
                latest = row["last_seq"]
                commands = write.thread(to.pipe, record, row["seq"], latest)
            elif table == "thread_messages":
                commands = write.message(to.pipe, record, row["seq"])
            else:
                commands = write.notice(to.pipe, record, row["seq"])
            await to._queued(commands)
        report(f"{table.replace('_', ' ')}: {len(rows)}")
        total += len(rows)
    for row in db.execute("SELECT * FROM contacts"):
        contact = (row["client_id"], row["pseudonym"], row["worker_id"])
        await to._queued(write.worker_side(to.pipe, contact=contact))
    for row in db.execute("SELECT * FROM mutes"):
        await to._queued(write.worker_side(to.pipe, mute=(row["client_id"], row["worker_id"])))
    for row in db.execute("SELECT * FROM rejections ORDER BY seq"):
        rejection = (row["worker_id"], row["client_id"], row["assignment_id"], row["seq"])
        await to._queued(write.worker_side(to.pipe, rejection=rejection))
    for row in db.execute("SELECT * FROM notice_optouts"):
        optouts = (row["worker_id"], tuple(json.loads(row["kinds"])))
        await to._queued(write.worker_side(to.pipe, optouts=optouts))
    await to._queued(write.counters(to.pipe))
    return total


async def _copy_assessments(db: sqlite3.Connection, to: RedisImporter, report: Report) -> int:
    """Attempts at assessments and the qualifications they granted (a file from before
    assessments has neither table)."""
    present = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'assessment_attempts'"
    ).fetchone()
    if not present:
        return 0
    rows = db.execute("SELECT * FROM assessment_attempts ORDER BY seq").fetchall()
    for row in rows:
        await to.assessment_attempt(ATTEMPT.from_row(row), row["seq"])
    granted = db.execute("SELECT * FROM qualifications ORDER BY granted_at").fetchall()
    for row in granted:
        await to.qualification(QUALIFICATION.from_row(row))
    report(f"assessment attempts: {len(rows)}, qualifications: {len(granted)}")
    return len(rows) + len(granted)


async def _copy_crowd_review(db: sqlite3.Connection, to: RedisImporter, report: Report) -> int:
    """Review tasks' excluded submitters and the crowd review queue (absent from files made
    before crowd review)."""
    columns = {r["name"] for r in db.execute("PRAGMA table_info(tasks)")}
    if "excluded_worker" not in columns:
        return 0
    count = 0
    for row in db.execute(
        "SELECT project_id, id, excluded_worker FROM tasks WHERE excluded_worker IS NOT NULL"
    ):
        await to.review_exclusion(row["project_id"], row["id"], row["excluded_worker"])
        count += 1
    for row in db.execute("SELECT * FROM crowd_review_queue ORDER BY due_at"):
        await to.crowd_review_queued(row["project_id"], row["assignment_id"], row["due_at"])
        count += 1
    report(f"crowd review tasks and queue: {count}")
    return count


async def _copy_pool_workers(
    db: sqlite3.Connection, to: RedisImporter, pooled: str, report: Report
) -> int:
    """What each worker may not take of each pool, and their claims' frontiers."""
    columns = {r["name"] for r in db.execute("PRAGMA table_info(tasks)")}
    excluded = (
        " UNION SELECT id, excluded_worker FROM tasks WHERE excluded_worker IS NOT NULL"
        if "excluded_worker" in columns
        else ""
    )
    count = 0
    for row in db.execute(
        "SELECT t.project_id, w.worker_id, CASE WHEN t.gold IS NULL THEN 'pool' ELSE 'gold' END"
        " AS pool, COUNT(*) AS n FROM tasks t JOIN (SELECT task_id, worker_id FROM assignments"
        f"{excluded}) w ON w.task_id = t.id WHERE {pooled} GROUP BY 1, 2, 3"
    ):
        await to.pool_worker(row["project_id"], row["worker_id"], row["pool"], skipped=row["n"])
        count += 1
    present = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pool_workers'"
    ).fetchone()
    for row in db.execute("SELECT * FROM pool_workers WHERE frontier > 0") if present else ():
        pool = "pool" if row["pool"] == "work" else "gold"
        await to.pool_worker(row["project_id"], row["worker_id"], pool, frontier=row["frontier"])
    report(f"pool counts of workers: {count}")
    return count


async def _copy_quality(db: sqlite3.Connection, to: RedisImporter, report: Report) -> int:
    """Gold records, block lists, the earnings ledger and the workers' statements."""
    rows = db.execute("SELECT rowid AS n, * FROM gold_stats ORDER BY rowid").fetchall()
    for row in rows:
        await to.gold_stats(GOLD_STATS.from_row(row), row["n"])
    report(f"gold records: {len(rows)}")
    total = len(rows)
    rows = db.execute("SELECT * FROM blocks ORDER BY created_at").fetchall()
    for row in rows:
        await to.block(Block(**dict(row)))
    report(f"blocks: {len(rows)}")
    total += len(rows)
    rows = db.execute("SELECT * FROM credits ORDER BY seq").fetchall()
    for row in rows:
        credit = Credit(**{f.name: row[f.name] for f in fields(Credit)})
        await to.credit(credit, row["task_id"], row["seq"])
    report(f"credits: {len(rows)}")
    total += len(rows)
    rows = db.execute("SELECT * FROM work_lines ORDER BY seq").fetchall()
    for row in rows:
        await to.work_line(WorkLine(**{f.name: row[f.name] for f in fields(WorkLine)}), row["seq"])
    report(f"statement lines: {len(rows)}")
    return total + len(rows)


async def _copy_mturk(db: sqlite3.Connection, to: RedisImporter, report: Report) -> int:
    """MTurk credentials, HIT types, the projects they run as, and HITs."""
    rows = db.execute("SELECT * FROM mturk_credentials ORDER BY created_at").fetchall()
    for row in rows:
        await to.mturk_credential(MTurkCredential(**dict(row)))
    total = len(rows)
    rows = db.execute("SELECT * FROM mturk_hit_types ORDER BY created_at").fetchall()
    for row in rows:
        await to.hit_type(_hit_type(row))
    total += len(rows)
    for row in db.execute(
        "SELECT h.*, p.client_id FROM mturk_hit_type_projects h"
        " JOIN projects p ON p.id = h.project_id"
    ):
        await to.hit_type_project(row["client_id"], row["hit_type_id"], row["origin"],
                                  row["project_id"])  # fmt: skip
        total += 1
    report(f"MTurk credentials and HIT types: {total}")
    total += await _copy_qualification_types(db, to, report)
    count = 0
    for row in db.execute("SELECT * FROM mturk_hits ORDER BY seq").fetchall():
        task = db.execute("SELECT * FROM tasks WHERE id = ?", (row["task_id"],)).fetchone()
        hit = hit_from(_task(task), dict(row), task["per_task"])
        made = hit_made(hit)
        await to.hit(hit, made, row["request_token"], row["seq"], row["disposed_at"])
        count += 1
        progress_every(report, "HITs", count)
    report(f"HITs: {count}")
    return total + count


async def _copy_qualification_types(
    db: sqlite3.Connection, to: RedisImporter, report: Report
) -> int:
    """MTurk qualification types and their scores, and each worker's reviews (the record the
    approval-rate requirements read)."""
    types = db.execute("SELECT record FROM mturk_qualification_types ORDER BY seq").fetchall()
    owners = {}
    for row in types:
        qualification = qualification_type_from(row["record"])
        owners[qualification.id] = qualification.client_id
        await to.qualification_type(qualification)
    scores = db.execute("SELECT * FROM mturk_qualification_scores").fetchall()
    for row in scores:
        await to.qualification_score(owners[row["type_id"]], QualificationScore(**dict(row)))
    reviews = db.execute(
        "SELECT id, worker_id, status FROM assignments WHERE status IN ('approved', 'rejected')"
    ).fetchall()
    for row in reviews:
        await to.reviewed(row["worker_id"], row["id"], row["status"])
    report(f"MTurk qualification types, scores and reviews: {len(types) + len(scores)}")
    return len(types) + len(scores)


def progress_every(report: Report, kind: str, count: int) -> None:
    if count % 5000 == 0:
        report(f"{kind}: {count} …")


async def _copy_keyring_and_feed(db: sqlite3.Connection, to: RedisImporter, report: Report) -> int:
    """API keys (a file from before they had a table: each client's first key) and each
    client's live feed, in the source's event order."""
    has_keys = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'"
    ).fetchone()
    if has_keys:
        rows = db.execute("SELECT * FROM api_keys ORDER BY rowid").fetchall()
        keyring = [(API_KEY.from_row(r), r["key_hash"]) for r in rows]
    else:
        rows = db.execute("SELECT * FROM clients ORDER BY rowid").fetchall()
        keyring = [
            (ApiKey("key_" + r["id"], r["id"], "default", "cfk_", r["created_at"]),
             r["api_key_hash"])
            for r in rows
        ]  # fmt: skip
    for key, key_hash in keyring:
        await to.api_key(key, key_hash)
    report(f"API keys: {len(keyring)}")
    for row in db.execute("SELECT * FROM events ORDER BY seq"):
        text = to.event_facts(row["id"], row["client_id"], row["type"], row["created_at"],
                              row["data"])  # fmt: skip
        await to.feed_event(row["client_id"], row["id"], text)
    for (client_id,) in db.execute("SELECT id FROM clients ORDER BY rowid").fetchall():
        projects = db.execute("SELECT id FROM projects WHERE client_id = ?", (client_id,))
        await to.mark_fed(client_id, [client_id, *(p for (p,) in projects.fetchall())])
    return len(keyring)


async def _copy_console_people(db: sqlite3.Connection, to: RedisImporter, report: Report) -> int:
    """Client users and their invitations (a file from before the console has neither)."""
    has_users = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'client_users'"
    ).fetchone()
    if not has_users:
        return 0
    users = db.execute("SELECT * FROM client_users ORDER BY rowid").fetchall()
    for row in users:
        await to.client_user(CLIENT_USER.from_row(row))
    invitations = db.execute("SELECT * FROM invitations ORDER BY rowid").fetchall()
    for row in invitations:
        await to.invitation(INVITATION.from_row(row), row["token_hash"])
    report(f"console users and invitations: {len(users) + len(invitations)}")
    return len(users) + len(invitations)

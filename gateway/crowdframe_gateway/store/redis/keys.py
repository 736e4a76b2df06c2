"""Where everything lives in Redis: the whole key layout, in one place.

Keys come in two kinds (docs/deployment.md draws the layout):

- **partition keys** ``cf:{<id>}:<suffix>``: everything of one project (``{prj_…}``: its tasks,
  gold records, assignments and their indexes, HITs, events and outbox) or of one client
  (``{cli_…}``: its record, project list, endpoints, idempotency keys, block list, MTurk keys,
  HIT types and HIT list, bonuses, and the outbox of events that belong to no project). The braces
  are a Redis Cluster hash tag: a partition lives in one slot, so one Lua script can change it
  atomically wherever the cluster puts it.
- **global keys** ``cf:<name>…``: lookups by a unique value (API key hash, email, credit key,
  an id whose partition is not in the id), what belongs to a worker (account, earnings) and the
  indexes every process scans (projects, active projects, due partitions).
  Each is its own slot; no script touches them, callers write them around the scripts in an
  order that leaves nothing dangling (see ``docs/deployment.md``, "cross-slot operations").
"""

from __future__ import annotations

__all__ = [
    "ACCOUNT_LINK",
    "ACCOUNT_LINKS",
    "ACTIVE_PROJECTS",
    "ASSIGNMENT_INDEX",
    "CLIENT_KEYS",
    "CREDIT",
    "CREDIT_SEQ",
    "DUE_APPROVALS",
    "DUE_DEADLINES",
    "DUE_LIFETIMES",
    "DUE_OUTBOX",
    "DUE_REVIEWS",
    "EARNINGS",
    "ENDPOINT_INDEX",
    "HIT_TYPE_INDEX",
    "MAIL_PARTITION",
    "MESSAGE_INDEX",
    "MTURK_KEY_INDEX",
    "OUTBOX_CHANNEL",
    "OUTBOX_KEYS",
    "PARTITIONS",
    "PREFIX",
    "PROJECTS",
    "PROJECT_KEYS",
    "PROJECT_SEQ",
    "REVIEWED",
    "TASK_INDEX",
    "WORKER",
    "WORKER_BY_EMAIL",
    "WORKER_KEYS",
    "message_partition",
    "part",
]

PREFIX = "cf"

# global keys
WORKER = f"{PREFIX}:worker:"  # + worker id -> the worker (JSON)
WORKER_BY_EMAIL = f"{PREFIX}:worker-email:"  # + email -> worker id
TASK_INDEX = f"{PREFIX}:task:"  # + task id -> project id
ASSIGNMENT_INDEX = f"{PREFIX}:asg:"  # + assignment id -> project id
ENDPOINT_INDEX = f"{PREFIX}:endpoint:"  # + endpoint id -> client id
MESSAGE_INDEX = f"{PREFIX}:msg:"  # + message id -> partition id (imported messages only)
HIT_TYPE_INDEX = f"{PREFIX}:hit-type:"  # + HIT type id -> client id
MTURK_KEY_INDEX = f"{PREFIX}:mturk-key:"  # + access key id -> client id
CREDIT = f"{PREFIX}:credit:"  # + credit key -> the credit (JSON); SET NX: credited once
CREDIT_SEQ = f"{PREFIX}:seq:credits"  # counter: the ledger's order
# + 'approved:' or 'rejected:' + worker id -> set: the worker's assignments reviewed so (the
# record MTurk's PercentAssignmentsApproved and NumberHITsApproved compare; written after the
# review by review/decisions.py, whose repeat of a review adds nothing)
REVIEWED = f"{PREFIX}:reviewed:"
EARNINGS = f"{PREFIX}:earnings:"  # + worker id -> sorted set: credit keys by ledger order
PROJECTS = f"{PREFIX}:projects"  # sorted set: every project by creation order
# sorted set: the active projects by creation order (the task list, a page at a time). Written
# after the project's record changes, then read back: a project paused, then activated at once
# elsewhere, stays listed; an entry a crash left wrong is mended by the sweeper's repair. A
# paused project still listed only costs a look (available.lua answers nothing for it).
ACTIVE_PROJECTS = f"{PREFIX}:projects:active"
PROJECT_SEQ = f"{PREFIX}:seq:projects"  # counter behind that order
PARTITIONS = f"{PREFIX}:partitions"  # set: every partition id (for the index repair)
DUE_OUTBOX = f"{PREFIX}:due:outbox"  # sorted set: partition -> earliest due message (a hint)
DUE_DEADLINES = f"{PREFIX}:due:deadlines"  # sorted set: project -> earliest deadline (a hint)
DUE_LIFETIMES = f"{PREFIX}:due:lifetimes"  # sorted set: project -> earliest 'lifetimes' (a hint)
DUE_APPROVALS = f"{PREFIX}:due:approvals"  # sorted set: project -> earliest auto-approval (a hint)
DUE_REVIEWS = f"{PREFIX}:due:reviews"  # sorted set: project -> earliest crowd review (a hint)
OUTBOX_CHANNEL = f"{PREFIX}:outbox"  # pub/sub: a partition has new messages
# the outbox of emails is one partition of its own, ``cf:{mail}:`` (mail/redis.py): ``emails``
# (hash: id -> the email, JSON), ``due`` (sorted set: pending id -> when due), ``order``
# (sorted set: id -> when queued)
MAIL_PARTITION = "mail"
ACCOUNT_LINK = f"{PREFIX}:account-link:"  # + token hash -> the link (JSON; identity/redis.py)
# + worker id + ':' + purpose -> sorted set: the worker's links' token hashes by their end
ACCOUNT_LINKS = f"{PREFIX}:account-links:"


# Partition keys: the suffix after ``part(id)`` (``<…>`` is filled in), and what it holds.
PROJECT_KEYS = {
    "project": "hash: the project (spec JSON, status, per_task, seq)",
    "counts": "hash: tasks, open, completed, cancelled, expired, goldopen (open gold tasks)",
    "task:<tid>": "hash: a task (gold answer as JSON on gold tasks)",
    "tasks": "zset: task ids by order",
    "ext": "hash: external id -> task id",
    "taskseq": "counter behind the task order",
    "pool": "zset: normal tasks still short of assignments, by order",
    "poolexp": "zset: the same tasks by expiry",
    "gold": "zset: open gold tasks, by order (served to every worker once)",
    "goldexp": "zset: the same gold tasks by expiry",
    "poolback": "zset: tasks of 'pool' that came back into it after leaving, by stamp",
    "goldback": "zset: the same for 'gold'",
    "pooled": "hash: pool ('pool', 'gold') -> how many tasks it holds; 'back' -> last stamp",
    "pw:<worker>": (
        "hash: '<pool>:skip' tasks of the pool a worker may not take, '<pool>:front', '<pool>:back'"
    ),
    "wtasks:<worker>": "set: every task a worker ever had here (never again)",
    "excluded:<worker>": "set: tasks a worker may never take (reviews of their own answers)",
    "asg:<aid>": "hash: an assignment, with its sort key (server time + id)",
    "asgs": "zset (lex): every assignment by sort key",
    "asgs:<status>": "zset (lex): assignments by status",
    "sig:<signal>": "zset (lex): assignments submitted with a fraud signal",
    "tasgs:<tid>": "zset (lex): a task's assignments",
    "tsubs:<tid>": "zset (lex): a task's submissions (completion)",
    "subs": "zset (lex): every submission (work times)",
    "subhours": "hash: hour (core.records.hour_of) -> submissions in it (the charts)",
    "wsubs:<worker>": "zset (lex): a worker's submissions (answer history)",
    "ip:<ip hash>": "set: workers who submitted from one address",
    "live:<worker>": "zset: a worker's live assignments",
    "deadlines": "zset: live assignment -> deadline (the sweeper)",
    "lifetimes": (
        "zset: open task -> when the sweep looks at it (its expiry, or its holders' last deadline)"
    ),
    "lifetimes:filled": "string: 'done', or how far a project from before 'lifetimes' is in it",
    "approvals": "zset: submitted assignment -> submitted_at (auto-approval)",
    "reviewq": "zset: submitted assignment -> next visit of its crowd review (crowd_review.py)",
    "gold:<worker>": "hash: a worker's gold record (answered, correct, stopped)",
    "golders": "zset: workers with a gold record, by first answer",
    "goldseq": "counter behind that order",
    "hit:<tid>": "hash: the MTurk HIT a task is (question, HIT type, disposed_at)",
    # an assessment's attempts and the qualification it grants (assessments.py)
    "try:<worker>:<n>": "hash: a worker's attempt number n at the assessment",
    "tries:<worker>": "counter: the number of the worker's latest attempt",
    "tries": "zset: every attempt (<worker>:<n>) by start order",
    "tryseq": "counter behind that order",
    "qual:<worker>": "hash: the qualification the assessment granted the worker",
    "quals": "hash: pseudonym -> worker id of every holder (revoking by pseudonym)",
}
# The outbox, in every partition (a project's, or a client's for events of no project).
OUTBOX_KEYS = {
    "events": "stream: every event of the partition (facts)",
    "msg:<mid>": "hash: an outbox message",
    "due": "zset: outbox message -> when it is due",
    "attempts:<mid>": "list: a message's delivery attempts",
    "msgseq": "counter: message creation order",
    "due:<endpoint>": "zset: an endpoint's pending messages by due time",
    "tq:<endpoint>|<task>": "zset: a task's pending messages to an endpoint, by seq",
    "emsgs:<endpoint>": "zset (lex): sort key + message id, the delivery log (newest last)",
    "emsgs:<endpoint>:<status>": "zset (lex): the same, by status",
}
# A worker's partition (``{<worker id>}``): their statement of work (ledger/redis.py).
WORKER_KEYS = {
    "line:<key>": "string (JSON): the statement's line of a submission (key: its assignment id)"
    " or of a bonus (its credit key)",
    "lines": "zset: the statement's lines (keys) by first writing (lineseq)",
    "lineseq": "counter behind that order",
    "submissions": "zset: the submissions' lines (no bonus) by submission time (today's count)",
    "totals": "hash: '<status> <currency>' -> cents, '<status> <currency> #' -> how many",
}
CLIENT_KEYS = {
    "client": "string (JSON): the client, with its API key hash",
    "projects": "zset: the client's projects by creation order",
    "endpoints": "hash: webhook endpoints (JSON)",
    "endpoint-order": "list: endpoint ids in order",
    "idem:<key>": "hash: an Idempotency-Key (request hash, task ids)",
    "blocks": "hash: [pseudonym, project id or ''] (JSON) -> the block (JSON)",
    "bonuses": "zset: bonus credit keys by ledger order",
    "bonuses:task:<tid>": "zset: a task's bonus credit keys",
    "bonuses:asg:<aid>": "zset: an assignment's bonus credit keys",
    "mturk-key:<akid>": "hash: an MTurk credential (secret sealed, status)",
    "hit-types": "hash: HIT type id -> HIT type (JSON)",
    "hit-type-fps": "hash: fingerprint -> HIT type id (identical parameters, one type)",
    "hit-type-projects": "hash: [HIT type id, origin] (JSON) -> project id",
    "hits": "zset: the client's HITs (task ids) by creation order",
    "project-hit-types": "hash: project id -> the HIT type whose HITs it holds",
    "qual-types": "hash: qualification type id -> the type (JSON)",
    "qual-type-names": "hash: qualification type name -> its id (one name, one type)",
    "qscores:<type>": "hash: worker pseudonym -> their score on the type (JSON)",
    "hitseq": "counter behind that order",
    "hit-tokens": "hash: UniqueRequestToken -> the HIT it created (JSON)",
}


def part(partition_id: str) -> str:
    """The prefix of a partition's keys, hash tag included: ``cf:{prj_x}:``."""
    return f"{PREFIX}:{{{partition_id}}}:"


def message_partition(message_id: str) -> str | None:
    """The partition a message id names (``msg_….prj_x``); None for an imported id."""
    _, dot, partition = message_id.rpartition(".")
    return partition if dot and partition else None


# --- keyring, delivery log and live feed (issues 3 and 4) ------------------------------------
__all__ += ["API_KEY", "EVENTS_CHANNEL", "RATE"]

API_KEY = f"{PREFIX}:api-key:"  # + API key hash -> "<client id> <key id>"; live while the
# client's record of that key is not revoked (the record decides, the lookup only points)
RATE = "rate:"  # + throttle key: a partition of its own, cf:{rate:<key>}:count (one slot each)
EVENTS_CHANNEL = f"{PREFIX}:events"  # pub/sub: a client (the payload) has new events
# Their partition keys are in CLIENT_KEYS and OUTBOX_KEYS.
CLIENT_KEYS |= {
    "apikeys": "hash: key id -> the API key (JSON, with its hash)",
    "inflight:<endpoint>": "zset: message id -> lease end (the endpoint's leases everywhere)",
    "feed": "stream: the client's events from all its partitions (the live feed's cursors)",
    "fed": "hash: partition -> the last of its event stream ids copied into the feed",
}


# --- conversations: disputes, threads and messages, notices (conversations/redis.py) ----------
__all__ += [
    "CONVERSATION_SEQ",
    "DISPUTES_DUE",
    "NOTICE",
    "NOTICES",
    "NOTICE_OPTOUTS",
    "REJECTIONS",
    "THREAD_HOMES",
    "WORKER_THREADS",
]

CONVERSATION_SEQ = f"{PREFIX}:seq:conversations"  # counter: the order of the global lists below
DISPUTES_DUE = f"{PREFIX}:disputes:due"  # sorted set: "<client id> <dispute id>" by due_at (open)
THREAD_HOMES = f"{PREFIX}:thread-homes"  # hash: thread id -> client id
WORKER_THREADS = f"{PREFIX}:threads:"  # + worker id -> sorted set: "<client> <thread>" by latest
NOTICE = f"{PREFIX}:notice:"  # + notice key -> the notice (JSON); SET NX: told once
NOTICES = f"{PREFIX}:notices:"  # + worker id -> sorted set: notice keys by order
REJECTIONS = f"{PREFIX}:rejections:"  # + worker id -> sorted set: "<client> <assignment>"
NOTICE_OPTOUTS = f"{PREFIX}:notice-optouts:"  # + worker id -> JSON list of notice kinds
CLIENT_KEYS |= {
    "dispute:<id>": "string (JSON): a dispute",
    "dispute-of:<aid>": "string: the dispute of an assignment (one at most)",
    "disputes": "zset: the client's disputes by order",
    "disputes:<status>": "zset: its disputes in that status (open, overturned, upheld)",
    "thread:<id>": "string (JSON): a thread between the client and one worker",
    "threads": "zset: the client's threads by order",
    "thread-messages:<id>": "zset: a thread's message ids by order",
    "tmsg:<id>": "string (JSON): a message in a thread",
    "tmsgs": "zset: the messages of all the client's threads by order",
    "tmsgs:<author>": "zset: those a client or a worker wrote",
    "contacts": "hash: pseudonym -> worker id (the workers the client wrote to)",
    "mutes": "set: the workers who muted the client",
    "conversation-seq": "counter behind those orders",
}

# --- client users and their invitations (the console) -----------------------------------------
__all__ += ["CLIENT_USER", "CLIENT_USER_BY_EMAIL", "INVITATION"]

CLIENT_USER = f"{PREFIX}:client-user:"  # + user id -> the client user (JSON)
CLIENT_USER_BY_EMAIL = f"{PREFIX}:client-user-email:"  # + email -> user id
INVITATION = f"{PREFIX}:invitation:"  # + token hash -> the invitation (JSON)
CLIENT_KEYS |= {"users": "zset: the client's users (ids) by creation time"}

__all__ += ["FILE_UPLOAD", "PREVIEW_TASK"]

# the console's drafts (catalog/redis.py DraftsPart), each dropped by Redis when it expires
FILE_UPLOAD = f"{PREFIX}:file-upload:"  # + upload id -> the upload (JSON)
PREVIEW_TASK = f"{PREFIX}:preview-task:"  # + task id -> the previewed row as a task (JSON)

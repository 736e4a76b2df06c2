"""Where everything lives in Redis: the whole key layout, in one place.

Keys come in two kinds (docs/deployment.md draws the layout):

- **partition keys** ``cf:{<id>}:<suffix>``: everything of one project (``{prj_…}``: its tasks,
  assignments, events and outbox) or of one client (``{cli_…}``: its record, project list,
  endpoints, idempotency keys, and the outbox of events that belong to no project). The braces
  are a Redis Cluster hash tag: a partition lives in one slot, so one Lua script can change it
  atomically wherever the cluster puts it.
- **global keys** ``cf:<name>…``: lookups by a unique value (API key hash, email, an id whose
  partition is not in the id) and the indexes every process scans (projects, due partitions).
  Each is its own slot; no script touches them, callers write them around the scripts in an
  order that leaves nothing dangling (see ``docs/deployment.md``, "cross-slot operations").
"""

from __future__ import annotations

__all__ = [
    "ASSIGNMENT_INDEX",
    "DUE_DEADLINES",
    "DUE_OUTBOX",
    "ENDPOINT_INDEX",
    "MESSAGE_INDEX",
    "OUTBOX_CHANNEL",
    "PARTITIONS",
    "PREFIX",
    "PROJECTS",
    "PROJECT_SEQ",
    "TASK_INDEX",
    "WORKER",
    "WORKER_BY_EMAIL",
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
PROJECTS = f"{PREFIX}:projects"  # sorted set: every project by creation order
PROJECT_SEQ = f"{PREFIX}:seq:projects"  # counter behind that order
PARTITIONS = f"{PREFIX}:partitions"  # set: every partition id (for the index repair)
DUE_OUTBOX = f"{PREFIX}:due:outbox"  # sorted set: partition -> earliest due message (a hint)
DUE_DEADLINES = f"{PREFIX}:due:deadlines"  # sorted set: project -> earliest deadline (a hint)
OUTBOX_CHANNEL = f"{PREFIX}:outbox"  # pub/sub: a partition has new messages


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
# Partition keys of these parts (suffixes of part(id)):
# - a client's: "apikeys" (hash: key id -> JSON with the key hash), "inflight:<endpoint>"
#   (zset: message id -> lease end, the endpoint's leases from every partition), "feed"
#   (stream: the client's events from all its partitions, the live feed's cursor), "fed"
#   (hash: partition -> the last of its event stream ids copied into the feed);
# - every partition's, per outbox message: "msgseq" (counter: creation order),
#   "due:<endpoint>" (zset: pending messages by due time), "tq:<endpoint>|<task>" (zset: a
#   task's pending messages by seq), "emsgs:<endpoint>" and "emsgs:<endpoint>:<status>"
#   (zset, lex: sort key + message id; the delivery log, newest last).

"""``crowdframe disputes``: the operator's list of disputes nobody answered in time, each
reported once as a ``dispute.overdue`` event and listed until answered."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crowdframe_gateway.conversations.disputes import dispute_data
from crowdframe_gateway.conversations.store import DisputeAnswer
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import SqliteStore
from scale_out import opened
from store_world import dispute_of, make_client, recorded_events, rejected

BIN = Path(sys.executable).parent
DAY = 86_400.0


def disputes_command(store: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "crowdframe", "disputes", "--store", f"sqlite:///{store}", *options],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


async def test_the_operator_lists_overdue_disputes_until_their_clients_answer(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crowdframe.db"
    async with opened(SqliteStore(str(path))) as store:
        client = await make_client(store)
        assignment = await rejected(store, client)
        late = dispute_of(assignment, at=now() - 15 * DAY)
        await store.open_dispute(late, dispute_data(late))
        await store.open_dispute(dispute_of(await rejected(store, client, "w2")), {})

    first = disputes_command(path, "--json")
    [line] = first.stdout.splitlines()
    shown = json.loads(line)
    assert (shown["dispute_id"], shown["client_id"]) == (late.id, client.id)
    again = disputes_command(path)
    assert late.id in again.stdout and assignment.id in again.stdout
    async with opened(SqliteStore(str(path))) as store:
        events = await recorded_events(store, client, "dispute.overdue")
        assert [e["dispute_id"] for e in events] == [late.id], "reported once"
        await store.answer_dispute(client.id, late.id, DisputeAnswer("upheld", "no", now()))
    assert disputes_command(path).stdout.strip() == "no dispute is overdue"

"""The ids the mturk protocol shows: shaped as botocore's model says, and read back."""

from __future__ import annotations

import re

import botocore.session

from crowdframe_gateway.core.records import new_id
from crowdframe_gateway.identity import worker_pseudonym
from crowdframe_gateway.mturk.ids import (
    assignment_credential,
    assignment_from_credential,
    hit_id,
    pseudonym_of,
    task_id_of,
    worker_id,
)

MODEL = botocore.session.get_session().get_service_model("mturk")
ENTITY = re.compile(MODEL.shape_for("EntityId").metadata["pattern"])
CUSTOMER = re.compile(MODEL.shape_for("CustomerId").metadata["pattern"])
KEY = "k" * 40


def test_each_id_is_shaped_like_mturks_and_names_the_same_record() -> None:
    for _ in range(200):
        task, assignment = new_id("tsk"), new_id("asg")
        pseudonym = worker_pseudonym("pk", new_id("wrk"))
        shown = hit_id(task), assignment_credential(KEY, assignment), worker_id(pseudonym)
        assert all(len(s) <= 64 for s in shown)
        assert ENTITY.match(shown[0]) and ENTITY.match(shown[1]) and CUSTOMER.match(shown[2])
        assert task_id_of(shown[0]) == task and task_id_of(task) == task
        assert assignment_from_credential(KEY, shown[1]) == assignment
        assert pseudonym_of(shown[2]) == pseudonym and pseudonym_of(pseudonym) == pseudonym


def test_an_assignment_id_is_a_credential_only_the_gateway_mints() -> None:
    assignment = new_id("asg")
    credential = assignment_credential(KEY, assignment)
    assert assignment_from_credential("another key" * 4, credential) is None
    last = credential[-1]
    assert assignment_from_credential(KEY, credential[:-1] + ("B" if last != "B" else "C")) is None
    assert assignment_from_credential(KEY, credential[:-26]) is None
    assert assignment_from_credential(KEY, "NOTANID") is None
    assert task_id_of("NOT A HIT") == "NOT A HIT"  # a lookup then finds nothing

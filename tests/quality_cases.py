"""The cases of the quality rules, one table per rule: test_quality_rules.py holds the pure
functions of quality/rules.py to them, and the store suite holds both stores to the same ones
(the Redis scripts state three of those rules once more, inside their atomic steps)."""

from __future__ import annotations

from dataclasses import dataclass

from crowdframe_gateway.core.records import AssessmentAttempt
from crowdframe_gateway.quality.rules import AttemptState

SIZE = 3  # questions in an attempt
NEEDED = 2  # right answers that pass one
COOL = 60.0  # seconds after a failed attempt before the next
PASS, FAIL = (True, True, False), (True, False, False)


@dataclass(frozen=True, slots=True)
class AttemptCase:
    """A worker's history at an assessment of ``questions`` gold questions: ``attempts`` in
    order (each its answers, the last perhaps unfinished), attempt ``i`` sat ``i * COOL``
    seconds after the first; then perhaps the qualification ``revoked``; the worker comes back
    ``later`` seconds after the last attempt and finds it in state ``expected``."""

    name: str
    questions: int
    attempts: tuple[tuple[bool, ...], ...]
    later: float
    expected: AttemptState
    revoked: bool = False

    @property
    def seen(self) -> int:
        return sum(len(answers) for answers in self.attempts)

    def latest(self, start: float) -> AssessmentAttempt | None:
        """The last attempt as a store keeps it, the first one sat at ``start``."""
        if not self.attempts:
            return None
        answers, number = self.attempts[-1], len(self.attempts)
        at = start + (number - 1) * COOL
        done = len(answers) == SIZE
        return AssessmentAttempt(
            "prj_test", "w1", "p-w1", number, SIZE, at, len(answers), sum(answers),
            finished_at=at if done else None, passed=sum(answers) >= NEEDED if done else None,
        )  # fmt: skip

    def held(self) -> bool:
        latest = self.latest(0.0)
        return latest is not None and bool(latest.passed) and not self.revoked

    def when(self, start: float) -> float:
        """When the worker comes back."""
        return start + max(0, len(self.attempts) - 1) * COOL + self.later


ATTEMPT_CASES = [
    AttemptCase("a newcomer starts", 6, (), 0, "start"),
    AttemptCase("exactly a test's worth of questions is enough", 3, (), 0, "start"),
    AttemptCase("too few questions: no attempt", 2, (), 0, "exhausted"),
    AttemptCase("an unfinished attempt goes on", 6, ((True,),), 0, "open"),
    AttemptCase("an unfinished attempt goes on with few questions left", 3, ((True,),), 0, "open"),
    AttemptCase("a failed attempt cools down", 6, (FAIL,), COOL - 1, "cooling"),
    AttemptCase("the cool-down ends exactly after retry_after", 6, (FAIL,), COOL, "start"),
    AttemptCase("cooling comes before running out", 4, (FAIL,), 1, "cooling"),
    AttemptCase("after the cool-down, too few new questions", 4, (FAIL,), COOL, "exhausted"),
    AttemptCase("a second failure cools down again", 9, (FAIL, FAIL), COOL - 1, "cooling"),
    AttemptCase("a pass qualifies", 6, (PASS,), 0, "qualified"),
    AttemptCase("a pass qualifies for good", 3, (PASS,), 10 * COOL, "qualified"),
    AttemptCase("a revoked qualification may be sat again at once", 6, (PASS,), 0, "start", True),
    AttemptCase("a revoked one needs new questions", 3, (PASS,), 0, "exhausted", True),
]


@dataclass(frozen=True, slots=True)
class OutcomeCase:
    """An attempt of ``SIZE`` questions given ``answers`` (right or not), ``needed`` right to
    pass: ``expected`` None while it is not over, else whether it passed."""

    name: str
    answers: tuple[bool, ...]
    needed: int
    expected: bool | None


OUTCOME_CASES = [
    OutcomeCase("one answer in: not over", (True,), NEEDED, None),
    OutcomeCase("enough right but questions left: not over", (True, True), NEEDED, None),
    OutcomeCase("the last answer ends it: passed", PASS, NEEDED, True),
    OutcomeCase("the last answer ends it: failed", FAIL, NEEDED, False),
    OutcomeCase("every answer right is needed and given", (True,) * 3, 3, True),
    OutcomeCase("one short of every answer", PASS, 3, False),
    OutcomeCase("nothing right needed: any attempt passes", (False,) * 3, 0, True),
]


@dataclass(frozen=True, slots=True)
class ApprovalCase:
    """A submission at ``START`` to a project with ``delay`` seconds of auto-approve delay,
    looked at ``waited`` seconds later: ``expected`` whether the gateway approves it."""

    name: str
    delay: int
    waited: float
    expected: bool


START = 1_700_000_000.123456  # a submission time with a fraction, as real ones have

APPROVAL_CASES = [
    ApprovalCase("before the delay", 60, 59, False),
    ApprovalCase("just before the delay", 60, 59.999, False),
    ApprovalCase("exactly at the delay", 60, 60, True),
    ApprovalCase("after the delay", 60, 61, True),
    ApprovalCase("no delay: at once", 0, 0, True),
    ApprovalCase("a long delay holds", 3600, 100, False),
]

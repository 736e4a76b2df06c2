"""The hand validation the API's models replaced (``core/validation.py``'s ``Fields`` before
pydantic), kept as the baseline of bench/models.py: the same checks of a task batch and of a
server-side submit, as the services made them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crowdframe_gateway.core.errors import InvalidInput

__all__ = ["hand_batch", "hand_submit"]

_MISSING = object()


class Fields:
    """Typed access to a JSON object's members; ``prefix`` makes field names like ``tasks[3].``."""

    def __init__(self, body: Mapping[str, Any], prefix: str = "") -> None:
        self.body = body
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        known = set(allowed)
        for key in self.body:
            if key not in known:
                raise InvalidInput(f"unknown field {key!r}", field=self.name(key))

    def _get(self, key: str, default: Any) -> Any:
        value = self.body.get(key, default)
        if value is _MISSING:
            raise InvalidInput(f"{self.name(key)} is required", field=self.name(key))
        return value

    def text(
        self, key: str, default: Any = _MISSING, *, min_len: int = 0, max_len: int = 10_000
    ) -> Any:
        value = self._get(key, default)
        if value is None and default is None:
            return None
        if not isinstance(value, str):
            raise InvalidInput(f"{self.name(key)} must be a string", field=self.name(key))
        value = value.strip()
        if not min_len <= len(value) <= max_len:
            raise InvalidInput(
                f"{self.name(key)} must be {min_len} to {max_len} characters", field=self.name(key)
            )
        return value

    def obj(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if not isinstance(value, dict):
            raise InvalidInput(f"{self.name(key)} must be a JSON object", field=self.name(key))
        return value


def hand_batch(body: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``POST /projects/{id}/tasks`` as ``projects.add_tasks`` read it."""
    Fields(body).reject_unknown(("tasks",))
    raw = body.get("tasks")
    if not isinstance(raw, list) or not 1 <= len(raw) <= 1000:
        raise InvalidInput("tasks must be a list of 1 to 1000 tasks", field="tasks")
    read = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidInput("each task must be an object", field=f"tasks[{index}]")
        tf = Fields(item, prefix=f"tasks[{index}].")
        tf.reject_unknown(("external_id", "input", "gold"))
        external_id = tf.text("external_id", min_len=1, max_len=200)
        gold = tf.obj("gold") if item.get("gold") is not None else None
        read.append((external_id, tf.obj("input", {}), gold))
    return read


def hand_submit(body: dict[str, Any]) -> tuple[str, Any]:
    """``POST /assignments/{id}/submit`` as ``actions.submit_for_client`` read it."""
    f = Fields(body)
    f.reject_unknown(("token", "result"))
    return f.text("token", min_len=1, max_len=4000), f.obj("result")

"""The Redis key layout in docs/deployment.md names every key of keys.py."""

from __future__ import annotations

import re
from pathlib import Path

from crowdframe_gateway.store.redis import keys

DOCS = Path(__file__).parents[2] / "docs" / "deployment.md"


def test_every_partition_key_is_in_the_documented_layout() -> None:
    text = DOCS.read_text()
    layout = text[text.index("## Key layout") : text.index("### Cross-slot operations")]
    suffixes = {**keys.PROJECT_KEYS, **keys.CLIENT_KEYS, **keys.OUTBOX_KEYS, **keys.WORKER_KEYS}
    missing = [
        suffix for suffix in suffixes if re.sub(r"<[^>]*>", "<", suffix).split("<")[0] not in layout
    ]
    assert missing == [], f"not in the key layout of docs/deployment.md: {missing}"

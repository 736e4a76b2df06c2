"""axe-core in the page: the accessibility problems a page has, as axe-core judges them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """The page's serious and critical violations (WCAG 2.x A and AA rules): each rule's id,
    its impact and the elements it found, for an assertion's message."""
    # evaluated through the browser's own protocol: the page's Content-Security-Policy, which
    # allows no inline script, does not apply to it
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            });
            return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => ({id: v.id, impact: v.impact,
                            nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }"""
    )
    return found

"""English text the pages show, marked for the translations (``web/i18n.py`` translates it
where it is shown; ``make translations`` collects every marked text into the catalogs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["N_", "Text"]


def N_(message: str) -> str:
    """``message`` as it is: marked, so a page can show it in the visitor's language."""
    return message


@dataclass(frozen=True, slots=True)
class Text:
    """An English text with ``%(name)s`` places, and their values: a page shows the text
    translated, then puts the values in."""

    template: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % self.params if self.params else self.template

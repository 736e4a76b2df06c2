"""MTurk's XML: the ExternalQuestion a HIT carries, the QuestionFormAnswers an answer becomes.

Requesters' XML is parsed with the standard library after refusing any DOCTYPE: an
ExternalQuestion never needs one, and without it there are no entities to expand (no "billion
laughs") and nothing external to fetch.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["ExternalQuestion", "QuestionError", "parse_question", "question_form_answers"]

MAX_QUESTION_CHARS = 131_072  # MTurk's own limit on Question
_ANSWERS_NS = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
    "QuestionFormAnswers.xsd"
)
_NOT_HOSTED = ("HTMLQuestion", "QuestionForm")
# XML 1.0 has no way to write most control characters, not even as &#N;.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class QuestionError(ValueError):
    """The Question parameter is not an ExternalQuestion Crowdframe can show."""


@dataclass(frozen=True, slots=True)
class ExternalQuestion:
    url: str
    frame_height: int  # pixels; 0: fill the window


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_question(text: str) -> ExternalQuestion:
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"Question must be at most {MAX_QUESTION_CHARS} characters")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise QuestionError("Question must not contain a DOCTYPE or entity declarations")
    try:
        root = ET.fromstring(text.strip())  # noqa: S314 (see the module docstring)
    except ET.ParseError as exc:
        raise QuestionError(f"Question is not well-formed XML: {exc}") from None
    kind = _local(root.tag)
    if kind in _NOT_HOSTED:
        raise QuestionError(
            f"{kind} is not supported: Crowdframe does not host task pages. Serve the page from"
            " your own https server and send an ExternalQuestion with its ExternalURL"
        )
    if kind != "ExternalQuestion":
        raise QuestionError(f"Question must be an ExternalQuestion, not {kind}")
    fields = {_local(child.tag): (child.text or "").strip() for child in root}
    url = fields.get("ExternalURL", "")
    if not url:
        raise QuestionError("ExternalQuestion needs an ExternalURL")
    height_text = fields.get("FrameHeight", "0")
    if not height_text.isdigit() or int(height_text) > 10_000:
        raise QuestionError("FrameHeight must be a number of pixels from 0 (fill) to 10000")
    return ExternalQuestion(url=url, frame_height=int(height_text))


def _answer_text(value: Any) -> str:
    # MTurk joined the values of a repeated field (a group of checkboxes) with "|".
    text = "|".join(map(str, value)) if isinstance(value, list) else str(value)
    return _UNWRITABLE.sub("\ufffd", text)


def question_form_answers(result: dict[str, Any]) -> str:
    """An answer as MTurk's ``Answer``: one FreeText per form field, ASCII with char refs."""
    answers = "".join(
        f"<Answer><QuestionIdentifier>{escape(_answer_text(name))}</QuestionIdentifier>"
        f"<FreeText>{escape(_answer_text(value))}</FreeText></Answer>"
        for name, value in result.items()
    )
    document = (
        '<?xml version="1.0" encoding="ASCII"?>'
        f'<QuestionFormAnswers xmlns="{_ANSWERS_NS}">{answers}</QuestionFormAnswers>'
    )
    return document.encode("ascii", "xmlcharrefreplace").decode("ascii")

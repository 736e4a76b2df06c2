"""MTurk's XML: the ExternalQuestion or HTMLQuestion a HIT carries, the QuestionFormAnswers an
answer becomes.

Requesters' XML is parsed with the standard library after refusing any DOCTYPE of its own (as
expat meets it, so a page's doctype inside an HTMLContent's CDATA is text): a Question never
needs one, and without it there are no entities to expand (no "billion laughs") and nothing
external to fetch.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape

__all__ = [
    "ExternalQuestion",
    "HtmlQuestion",
    "Question",
    "QuestionError",
    "parse_question",
    "question_form_answers",
]

MAX_QUESTION_CHARS = 131_072  # MTurk's own limit on Question
_ANSWERS_NS = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
    "QuestionFormAnswers.xsd"
)
# MTurk's own form elements, served from MTurk's site: nothing here can stand in for them
_CROWD_ELEMENTS = re.compile(r"crowd-html-elements|<crowd-[a-z-]+", re.IGNORECASE)
# XML 1.0 has no way to write most control characters, not even as &#N;.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class QuestionError(ValueError):
    """The Question parameter is not an ExternalQuestion Crowdframe can show."""


@dataclass(frozen=True, slots=True)
class ExternalQuestion:
    url: str
    frame_height: int  # pixels; 0: fill the window


@dataclass(frozen=True, slots=True)
class HtmlQuestion:
    """A page the requester sends inline, served from the content origin (content.py)."""

    html: str
    frame_height: int


Question = ExternalQuestion | HtmlQuestion


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _frame_height(fields: dict[str, str]) -> int:
    height_text = fields.get("FrameHeight", "0")
    if not height_text.isdigit() or int(height_text) > 10_000:
        raise QuestionError("FrameHeight must be a number of pixels from 0 (fill) to 10000")
    return int(height_text)


def _html_question(fields: dict[str, str]) -> HtmlQuestion:
    html = fields.get("HTMLContent", "")
    if not html:
        raise QuestionError("HTMLQuestion needs an HTMLContent")
    if _CROWD_ELEMENTS.search(html):
        raise QuestionError(
            "HTMLQuestion with MTurk's crowd-html-elements (crowd-form, ...) is not supported:"
            " those elements come from MTurk's own site. Use a plain <form> posting to"
            " externalSubmit, as MTurk's classic HTMLQuestion templates do"
        )
    return HtmlQuestion(html=html, frame_height=_frame_height(fields))


def _refuse_doctype(text: str) -> None:
    """The XML's own DOCTYPE refused as expat meets it, before any entity is declared (an
    HTMLContent's page may have a doctype of its own: inside CDATA it is text)."""
    parser = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise QuestionError("Question must not contain a DOCTYPE or entity declarations")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise QuestionError(f"Question is not well-formed XML: {exc}") from None


def parse_question(text: str) -> Question:
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"Question must be at most {MAX_QUESTION_CHARS} characters")
    _refuse_doctype(text.strip())
    try:
        root = ET.fromstring(text.strip())  # noqa: S314 (see the module docstring)
    except ET.ParseError as exc:
        raise QuestionError(f"Question is not well-formed XML: {exc}") from None
    kind = _local(root.tag)
    if kind == "QuestionForm":
        raise QuestionError(
            "QuestionForm is not supported: Crowdframe does not render MTurk's question forms."
            " Send an HTMLQuestion, or an ExternalQuestion with your page's ExternalURL"
        )
    if kind not in ("ExternalQuestion", "HTMLQuestion"):
        raise QuestionError(f"Question must be an ExternalQuestion or HTMLQuestion, not {kind}")
    fields = {_local(child.tag): (child.text or "").strip() for child in root}
    if kind == "HTMLQuestion":
        return _html_question(fields)
    url = fields.get("ExternalURL", "")
    if not url:
        raise QuestionError("ExternalQuestion needs an ExternalURL")
    return ExternalQuestion(url=url, frame_height=_frame_height(fields))


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

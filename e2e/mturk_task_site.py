"""A requester's task pages, written the way MTurk requesters wrote them: an ExternalQuestion
page served from its own origin (http://localhost:PORT, another site than the gateway on
127.0.0.1), an HTMLQuestion's inline page; and a worker doing them in Chromium."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page

from receiver import QuietHandler, on_a_free_port, serving

# The classic template: gup() reads the parameters from location, the form posts to
# turkSubmitTo + "/mturk/externalSubmit", and a preview disables the submit button.
PAGE = b"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Rate a sentence</title></head>
<body>
<h1>How natural is this sentence?</h1>
<p id="sentence">The cat sat on the mat.</p>
<form id="mturk_form" method="POST">
  <input type="hidden" id="assignmentId" name="assignmentId" value="">
  <input type="hidden" id="hitId" name="hitId" value="">
  <label><input type="radio" name="rating" value="natural"> Natural</label>
  <label><input type="radio" name="rating" value="odd"> Odd</label>
  <label>Comments <input type="text" name="comments"></label>
  <input type="submit" id="submitButton" value="Submit">
</form>
<script>
function gup(name) {
  var regexS = "[\\\\?&]" + name + "=([^&#]*)";
  var regex = new RegExp(regexS);
  var results = regex.exec(window.location.href);
  return results == null ? "" : results[1];
}
document.getElementById("assignmentId").value = gup("assignmentId");
document.getElementById("hitId").value = gup("hitId");
if (gup("assignmentId") == "ASSIGNMENT_ID_NOT_AVAILABLE") {
  document.getElementById("submitButton").disabled = true;
  document.getElementById("submitButton").value =
    "You must ACCEPT the HIT before you can submit the results.";
} else {
  document.getElementById("mturk_form").action =
    decodeURIComponent(gup("turkSubmitTo")) + "/mturk/externalSubmit";
}
</script>
</body>
</html>
"""


# An experiment library's own MTurk submit: a form built on the fly whose action carries the
# assignmentId in the query, with only the answers as fields.
QUERY_PAGE = b"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Reaction task</title></head>
<body>
<h1>Press the button when you are ready</h1>
<button type="button" id="finish">Finish the experiment</button>
<script>
var params = new URLSearchParams(window.location.search);
document.getElementById("finish").addEventListener("click", function () {
  var form = document.createElement("form");
  form.method = "POST";
  form.action = params.get("turkSubmitTo") + "/mturk/externalSubmit?assignmentId="
    + encodeURIComponent(params.get("assignmentId"));
  var data = document.createElement("input");
  data.type = "hidden";
  data.name = "data";
  data.value = JSON.stringify([{"rt": 412, "response": "space"}]);
  form.appendChild(data);
  document.body.appendChild(form);
  form.submit();
});
</script>
</body>
</html>
"""


@contextmanager
def running_task_site() -> Iterator[str]:
    """The page at ``http://localhost:PORT/hit`` (and the query-posting one at ``/query``);
    yields the first URL."""

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            page = QUERY_PAGE if self.path.startswith("/query") else PAGE
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    with serving(on_a_free_port(Handler)) as origin:
        yield origin.replace("127.0.0.1", "localhost") + "/hit"


# MTurk's own HTMLQuestion template (its documentation's example): MTurk's externalHIT_v1.js,
# which may no longer load, sets the assignmentId; the form keeps MTurk's own action (the gateway
# points it at its externalSubmit).
HTML_PAGE = """<!DOCTYPE html>
<html>
 <head>
  <meta http-equiv='Content-Type' content='text/html; charset=UTF-8'/>
  <script type='text/javascript'
          src='https://s3.amazonaws.com/mturk-public/externalHIT_v1.js'></script>
 </head>
 <body>
  <form name='mturk_form' method='post' id='mturk_form'
        action='https://www.mturk.com/mturk/externalSubmit'>
  <input type='hidden' value='' name='assignmentId' id='assignmentId'/>
  <h1>The dog barked at the moon.</h1>
  <label><input type='radio' name='rating' value='natural'> Natural</label>
  <label><input type='radio' name='rating' value='odd'> Odd</label>
  <p><input type='submit' id='submitButton' value='Submit' /></p></form>
  <script language='Javascript'>turkSetAssignmentID();</script>
 </body>
</html>"""


def html_question(page: str = HTML_PAGE, height: int = 400) -> str:
    return (
        '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
        f'2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[{page}]]></HTMLContent>'
        f"<FrameHeight>{height}</FrameHeight></HTMLQuestion>"
    )


def frame_params(page: Page) -> dict[str, str]:
    """The query parameters the frame page gives the task page's iframe."""
    src = page.locator("#cf-task-frame").get_attribute("src") or ""
    return {k: v[0] for k, v in parse_qs(urlsplit(src).query).items()}


def do_the_hit(page: Page, rating: str, title: str | None = None) -> dict[str, str]:
    """Accept the offer ``title`` from the task list (else go on with the task the worker was
    moved on to), answer on the classic page (external or inline), submit; the frame's
    parameters, its ``src`` too."""
    if title is not None:
        page.goto(page.url.split("/work")[0] + "/work")
        offer = page.get_by_role("listitem").filter(has_text=title)
        offer.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(r"/work/assignments/"))
    params = frame_params(page)
    params["src"] = page.locator("#cf-task-frame").get_attribute("src") or ""
    task = page.frame_locator("#cf-task-frame")
    task.get_by_label(rating.capitalize()).check()
    before = page.url
    task.locator("#submitButton").click()
    page.wait_for_url(lambda url: url != before)  # on, as after any submit
    return params


def free_text(answer_xml: str) -> dict[str, Any]:
    """The fields of the QuestionFormAnswers a listed assignment carries."""
    ns = "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd}"
    root = ET.fromstring(answer_xml)  # noqa: S314 (the gateway's own answer)
    return {
        a.findtext(f"{ns}QuestionIdentifier"): a.findtext(f"{ns}FreeText")
        for a in root.iter(f"{ns}Answer")
    }

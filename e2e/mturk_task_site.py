"""A requester's ExternalQuestion page, written the way MTurk requesters wrote them, served from
its own origin (http://localhost:PORT, another site than the gateway on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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

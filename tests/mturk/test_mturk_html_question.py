"""HTMLQuestion: a requester's inline page, served from the content origin (another site than
the gateway, the same process), sandboxed as a task page from elsewhere. Real boto3 against a
real gateway process, on both stores."""

from __future__ import annotations

from typing import Any

import httpx

from mturk_world import MTurkWorld, answers, post_hit

# MTurk's classic HTMLQuestion template: the form posts to MTurk's own externalSubmit
TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sentiment</title></head><body>
<form name="mturk_form" method="post" id="mturk_form"
      action="https://www.mturk.com/mturk/externalSubmit">
  <input type="hidden" value="" name="assignmentId" id="assignmentId">
  <p>Is this review positive?</p>
  <label><input type="radio" name="sentiment" value="positive"> Positive</label>
  <label><input type="radio" name="sentiment" value="negative"> Negative</label>
  <input type="submit" id="submitButton" value="Submit">
</form>
<script>
  document.getElementById("assignmentId").value =
    new URLSearchParams(location.search).get("assignmentId");
</script>
</body></html>"""


def html_question(html: str = TEMPLATE, height: int = 450) -> str:
    return (
        '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
        f'2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[{html}]]></HTMLContent>'
        f"<FrameHeight>{height}</FrameHeight></HTMLQuestion>"
    )


def test_an_html_question_is_served_from_the_content_origin_sandboxed(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, Title="Inline sentiment", Question=html_question())
    assert hit["Question"] == html_question()
    worker = world.worker("hana@html.example")
    params = worker.frame_params(worker.accept(hit["HITGroupId"]).headers["location"])
    frame = worker.get(worker.accept(hit["HITGroupId"]).headers["location"])
    src_origin = world.content_origin
    assert f'src="{src_origin}/mturk/content/' in frame.text
    csp = frame.headers["content-security-policy"]
    assert f"frame-src {src_origin} {world.origin}/mturk/externalSubmit" in csp

    # the page, from the content origin: the requester's HTML, sandboxed, framed only by us
    served = httpx.get(f"{src_origin}/mturk/content/{_task_of(world, hit)}")
    assert served.status_code == 200 and "Is this review positive?" in served.text
    policy = served.headers["content-security-policy"]
    assert "sandbox allow-scripts allow-forms" in policy and "allow-same-origin" not in policy
    assert f"frame-ancestors {world.origin};" in policy
    assert f"form-action {world.origin}/mturk/externalSubmit" in policy
    assert "set-cookie" not in served.headers and "x-frame-options" not in served.headers
    assert served.text.lower().startswith("<!doctype html><script>")

    # the content origin serves that and nothing else; the gateway never serves it
    for path in ("/work", "/signin", "/api/v1/projects", "/openapi.json", "/static/app.css"):
        assert httpx.get(src_origin + path).status_code == 404, path
    assert httpx.post(f"{src_origin}/mturk/externalSubmit", data={}).status_code == 404
    assert httpx.get(f"{world.origin}/mturk/content/{_task_of(world, hit)}").status_code == 404

    # the form, pointed at the gateway by the page's script, posts as any task page
    done = world.external_submit({"assignmentId": params["assignmentId"], "sentiment": "negative"})
    assert done.status_code == 200
    (stored,) = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert answers(stored["Answer"]) == {"sentiment": "negative"}


def test_only_html_questions_are_served(world: MTurkWorld, mturk: Any) -> None:
    external = post_hit(mturk, Title="Elsewhere")
    assert (
        httpx.get(f"{world.content_origin}/mturk/content/{_task_of(world, external)}").status_code
        == 404
    )
    assert httpx.get(f"{world.content_origin}/mturk/content/tsk_nothing").status_code == 404


def _task_of(world: MTurkWorld, hit: dict[str, Any]) -> str:
    from crowdframe_gateway.mturk.ids import task_id_of

    return task_id_of(hit["HITId"])

"""Who sees a project: its country and language rules, and fair pay where the worker lives."""

from __future__ import annotations

from harness import ON_BOTH_STORES, ApiClient, Gateway

pytestmark = ON_BOTH_STORES

# 18 USD an hour (see harness.ApiClient.project); 8 USD an hour is below Germany's minimum
# (13.90 EUR) but above the US federal one (7.25 USD).
EIGHT_DOLLARS_AN_HOUR = {"reward_cents": 8, "estimated_seconds": 36}


async def offered(gateway: Gateway, browser: object, project_id: str) -> bool:
    page = await browser.get("/work")  # type: ignore[attr-defined]
    return f"/work/projects/{project_id}/preview" in page.text


async def test_a_project_that_underpays_a_targeted_country_is_refused(api: ApiClient) -> None:
    answer = await api.post_project(title="Cheap", countries=["US", "DE"], **EIGHT_DOLLARS_AN_HOUR)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == ("below_minimum_wage", "reward_cents")
    assert "DE" in error["message"] and "13.9 EUR" in error["message"]
    fair = await api.project(countries=["US"], **EIGHT_DOLLARS_AN_HOUR)
    assert fair["countries"] == ["US"]


async def test_an_unsupported_currency_is_refused(api: ApiClient) -> None:
    answer = await api.post_project(reward_cents=9, currency="XXX")
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "currency"


async def test_an_untargeted_project_is_shown_only_where_it_pays_the_minimum(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(**EIGHT_DOLLARS_AN_HOUR, tasks=2)
    american = await gateway.worker("us@example.org", country="US", languages=("en",))
    german = await gateway.worker("de@example.org", country="DE", languages=("de",))
    assert await offered(gateway, american, project["id"])
    assert not await offered(gateway, german, project["id"])
    refused = await german.post_form(f"/work/projects/{project['id']}/accept", {})
    assert refused.status_code == 403 and "minimum wage" in refused.text
    assert (await api.call("GET", "/assignments")).json()["data"] == []


async def test_country_and_language_rules_decide_who_sees_a_project(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(countries=["DE", "AT", "CH"], languages=["de:native"], tasks=3)
    native = await gateway.worker("native@example.org", country="AT", languages=(), native="de")
    fluent = await gateway.worker("fluent@example.org", country="DE", languages=("de",))
    abroad = await gateway.worker("abroad@example.org", country="FR", languages=(), native="de")
    assert await offered(gateway, native, project["id"])
    assert not await offered(gateway, fluent, project["id"])
    assert not await offered(gateway, abroad, project["id"])
    preview = await fluent.get(f"/work/projects/{project['id']}/preview")
    assert preview.status_code == 403 and "language" in preview.text
    assert await native.accept(project["id"])


async def test_rules_are_checked_when_a_client_changes_them(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=3)
    worker = await gateway.worker("w@example.org", country="DE", languages=("de",))
    first = await worker.accept(project["id"])
    changed = await api.call("PATCH", f"/projects/{project['id']}", json={"countries": ["US"]})
    assert changed.status_code == 200 and changed.json()["countries"] == ["US"]
    # the worker may finish the task they hold, but gets no further one
    done = await worker.submit(first, {"ok": True})
    assert done == {"status": "submitted", "next_url": "/work?notice=finished"}
    bad = await api.call("PATCH", f"/projects/{project['id']}", json={"languages": ["german"]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "languages"

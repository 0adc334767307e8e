"""The answer base in the caller's language (issue 16), in headless Chromium against the sandbox: an English
caller (key 9) about accounts rings an agent whose screen pop lists the English answer first, although the
Vietnamese ones are used far more; they follow, each tagged with its language; her search during the call
ranks the same way. The public page puts the answers of its own language first. Screenshots
test-artifacts/answers-language-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from models import AnswerEntry, db

from .test_browser import LiveServer, browser, shot  # noqa: F401 - browser is a fixture
from .test_browser_softphone import desk, log_in_agent, make_agent, new_page  # noqa: F401 - desk is a fixture

pytestmark = pytest.mark.browser
ANSWERS = [  # title, language, uses: the Vietnamese ones would come first without the caller's language
    ("Quên mật khẩu VNACCS", "vi", 40),
    ("Mật khẩu VNACCS hết hạn", "vi", 20),
    ("Forgotten VNACCS password", "en", 1),
]


def publish_answers(desk: LiveServer) -> None:  # noqa: F811
    from callcenter.answers.service import AnswerService

    with desk.app.app_context():
        db.session.query(AnswerEntry).update({AnswerEntry.status: "retired"})
        service = AnswerService(db.session, desk.app.extensions["clock"])
        for title, language, uses in ANSWERS:
            entry = service.create(
                by="supervisor", status="published", title=title, question=title + "?", answer="VNACCS: " + title,
                business_codes=["IDA"], problem_group="accounts", language=language,
            )  # fmt: skip
            entry.uses = uses
        db.session.commit()


def test_an_english_callers_agent_sees_the_english_answer_first(browser: Any, desk: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    errors: list[str] = []
    publish_answers(desk)
    agent, caller = new_page(browser, desk, errors), new_page(browser, desk, errors)
    log_in_agent(agent, make_agent(desk.app))
    caller.goto("/sandbox/")
    caller.get_by_role("button", name="Call", exact=True).click()
    expect(caller.locator("#heard")).to_contain_text("Cục Hải quan xin chào")
    pad = caller.locator("#pad")
    pad.get_by_role("button", name="9", exact=True).click()  # English
    expect(caller.locator("#heard")).to_contain_text("To report smuggling")
    pad.get_by_role("button", name="2", exact=True).click()
    expect(caller.locator("#heard")).to_contain_text("For account registration")
    pad.get_by_role("button", name="1", exact=True).click()

    expect(agent.locator("#state-label")).to_have_text("Ringing", timeout=30_000)
    expect(agent.locator("#pop-language")).to_have_text("English")
    items = agent.locator("#answer-list li")
    expect(items).to_have_count(3)
    expect(items.locator("summary")).to_contain_text(
        ["Forgotten VNACCS password", "Quên mật khẩu VNACCS", "Mật khẩu VNACCS hết hạn"]
    )
    expect(items.nth(0).locator(".lang-tag")).to_have_count(0)  # the caller's language: no tag
    expect(items.nth(1).locator(".lang-tag")).to_have_text("Vietnamese")
    expect(items.nth(2).locator(".lang-tag")).to_have_text("Vietnamese")
    shot(agent, "answers-language-screen-pop")

    agent.locator("#answer").click()
    expect(agent.locator("#state-label")).to_have_text("On a call")
    for words, titles in (
        ("quen mat", ["Quên mật khẩu VNACCS"]),
        ("vnaccs", [ANSWERS[2][0], ANSWERS[0][0], ANSWERS[1][0]]),
    ):
        agent.locator("#answer-search input").fill(words)
        agent.locator("#answer-search button").click()
        expect(items).to_have_count(len(titles))
        expect(items.locator("summary")).to_contain_text(titles)
    agent.get_by_role("button", name="Hang up").click()
    expect(agent.locator("#state-label")).to_have_text("Wrap-up")

    public = new_page(browser, desk, errors)
    for lang, first in (("en", "Forgotten VNACCS password"), ("vi", "Quên mật khẩu VNACCS")):
        public.goto(f"/answers?lang={lang}")
        public.locator('#public-search input[name="q"]').fill("vnaccs")
        public.locator('#public-search button[type="submit"]').click()
        expect(public.locator("#results h3")).to_have_count(3)
        expect(public.locator("#results h3").first).to_have_text(first)
    shot(public, "answers-language-public-vi")
    assert errors == []

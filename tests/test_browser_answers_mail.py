"""The answer base on the e-mail desk, in headless Chromium on the demo's data in Vietnamese: an agent is offered
a demo e-mail (branch 2); the panel lists the answers for its business code and group; she types a greeting,
inserts an answer at the cursor's end ("Chèn vào thư trả lời"), the autosave keeps it, it is the answer used;
she sends and proposes the e-mail as an answer: the entry's uses go up by one, the proposal waits for review.
Screenshot test-artifacts/answers-mail-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import Agent, AnswerEntry, AnswerUse, MailWork, db

from .test_browser import LiveServer, browser, shot  # noqa: F401 - browser is a fixture
from .test_browser_whole_day import PASSWORD, agent_on_overtime, day, log_in, tab  # noqa: F401 - day is a fixture

pytestmark = pytest.mark.browser
GREETING = "Kính gửi Quý công ty,"


def test_an_agent_inserts_an_answer_into_a_demo_email_and_its_use_is_counted(browser: Any, day: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    errors: list[str] = []
    name = agent_on_overtime(day)
    page = tab(browser, day, 1280, "vi", errors)
    log_in(page, name, PASSWORD, "/agent/")
    expect(page.locator("#state-label")).to_have_text("Ngoại tuyến")  # the script has read her state
    page.locator("#go-available").click()
    expect(page.locator("#state-label")).to_have_text("Sẵn sàng")
    expect(page.locator("#mail-panel")).to_be_visible(timeout=15_000)
    with day.app.app_context():
        agent_id = db.session.scalars(select(Agent.id).where(Agent.username == name)).one()
        ticket = db.session.scalars(select(MailWork.ticket_id).where(MailWork.agent_id == agent_id)).one()
        assert db.session.get(MailWork, ticket).branch == 2

    first = page.locator("#mail-answer-list li").first
    expect(first.locator(".insert-answer")).to_have_text("Chèn vào thư trả lời", timeout=15_000)
    entry_id = int(first.get_attribute("data-id"))
    with day.app.app_context():
        entry = db.session.get(AnswerEntry, entry_id)
        text, uses = entry.answer, entry.uses
    reply = page.locator("#mail-answer")
    reply.fill(GREETING)
    first.locator(".insert-answer").click()
    expect(reply).to_have_value(f"{GREETING}\n\n{text}")
    expect(page.locator("#mail-answer-used")).to_have_value(str(entry_id))
    expect(page.locator("#mail-saved")).to_contain_text("Đã lưu bản nháp lúc", timeout=10_000)
    with day.app.app_context():
        assert db.session.get(MailWork, ticket).draft == f"{GREETING}\n\n{text}", "the autosave keeps it"
    page.locator("#mail-propose").check()
    first.locator("details").click()  # the answer opened, as she reads it
    shot(page, "answers-mail-1-inserted-vi")

    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.locator("#message")).to_contain_text("Đã gửi trả lời.")
    expect(page.locator("#message")).to_contain_text("Đã đề xuất làm câu trả lời mẫu")
    with day.app.app_context():
        assert db.session.get(AnswerEntry, entry_id).uses == uses + 1
        used = db.session.scalars(select(AnswerUse).where(AnswerUse.ticket_id == ticket)).one()
        assert (used.entry_id, used.agent_id) == (entry_id, agent_id)
        proposal = db.session.scalars(select(AnswerEntry).where(AnswerEntry.source_ticket_id == ticket)).one()
        assert (proposal.status, proposal.author) == ("proposed", name)
    page.context.close()
    assert not errors, errors

"""Issue 16's "done when" as one chain in headless Chromium, on the demo's data in Vietnamese, every step through
the pages a person uses:

1. a business calls (sandbox, 0987 654 321) and an agent on a 390 px phone answers, wraps up with the business
   code TIA, a question that names the caller's number, and ticks "propose this as an answer";
2. the supervisor opens that proposal on /supervisor/answers: the caller's number is not in it; she gives it a
   short title and publishes it;
3. the next caller, another business whose earlier ticket had the same code (TIA) and who chooses a different
   problem group in the IVR, rings the agent: the screen pop shows the published proposal (found by the code
   alone), she uses it and wraps up;
4. a business finds it on the public /answers page by typing without diacritics, and says it helped.

Screenshots test-artifacts/chain-*.png.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models import AnswerEntry, Call, Ticket, db
from models.crypto import blind_index

from .test_browser import LiveServer, browser, shot  # noqa: F401 - browser is a fixture
from .test_browser_whole_day import (  # noqa: F401 - day is a fixture
    SIZES,
    agent_on_overtime,
    available_on_softphone,
    check_words,
    day,
    dial,
    log_in,
    tab,
)

pytestmark = pytest.mark.browser

FIRST, NEXT = "0987 654 321", "+84977111222"
QUESTION = "Doanh nghiệp gọi từ số 0987 654 321 hỏi: tờ khai tạm nhập TIA sắp hết hạn tạm nhập, gia hạn thế nào?"
ANSWER = "Khai sửa đổi tờ khai tạm nhập bằng nghiệp vụ TIA trước ngày hết hạn, kèm văn bản đề nghị gia hạn."
TITLE = "Gia hạn thời hạn tạm nhập trên tờ khai TIA"


def stored(entry_id: int) -> AnswerEntry:
    """The entry as the database holds it now (not as this session last loaded it)."""
    return db.session.get(AnswerEntry, entry_id, populate_existing=True)


def rings(phone: Any) -> None:
    """The softphone rings with the Answer button and the answers panel on the first screen."""
    from playwright.sync_api import expect

    expect(phone.locator("#state-label")).to_have_text("Đang đổ chuông", timeout=30_000)
    expect(phone.locator("#answer")).to_be_in_viewport()
    expect(phone.locator("#call-answers")).to_be_visible()


def test_a_wrapup_becomes_the_next_callers_answer_and_the_publics(browser: Any, day: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    errors: list[str] = []
    name = agent_on_overtime(day)
    phone = tab(browser, day, SIZES["phone"], "vi", errors)
    available_on_softphone(phone, name)

    # 1. A business calls about accounts; the agent answers, wraps up with TIA and proposes the answer.
    first = tab(browser, day, 1280, "vi", errors)
    dial(first, FIRST, "1")  # accounts
    rings(phone)
    phone.locator("#answer").click()
    expect(phone.locator("#state-label")).to_have_text("Đang trong cuộc gọi")
    phone.locator("#hangup").click()
    expect(phone.locator("#wrapup")).to_be_visible()
    phone.locator('#wrapup input[name="outcome"][value="resolved"]').check()
    phone.locator('#wrapup select[name="problem_group"]').select_option("single_window")
    phone.locator('#wrapup input[name="business_code"]').fill("tia")
    phone.locator('#wrapup textarea[name="question"]').fill(QUESTION)
    phone.locator('#wrapup textarea[name="answer"]').fill(ANSWER)
    phone.locator("#propose-answer").check()
    phone.locator("#save-final").click()
    expect(phone.locator("#message")).to_contain_text("Đã lưu phiếu")
    expect(phone.locator("#message")).to_contain_text("Đã đề xuất")
    shot(phone, "chain-1-agent-proposed-phone")
    with day.app.app_context():
        proposal = db.session.scalars(select(AnswerEntry).where(AnswerEntry.status == "proposed")).one()
        assert proposal.business_codes == ["TIA"] and proposal.problem_group == "single_window"
        assert proposal.author == name and proposal.source_ticket_id is not None

    # 2. The supervisor reviews it: no caller data; a short title; published.
    desk = tab(browser, day, SIZES["desk"], "vi", errors)
    log_in(desk, "supervisor", "demo-supervisor", "/supervisor/answers")
    desk.locator("#answers-page[data-loaded]").wait_for(state="attached")
    item = desk.locator("#proposals li", has_text="tờ khai tạm nhập TIA")
    expect(item).to_have_count(1)
    expect(item).not_to_contain_text("0987")
    item.get_by_role("button", name="Mở").click()
    editor = desk.locator("#editor")
    question = editor.locator('[name="question"]')
    expect(question).to_have_value(QUESTION.replace(FIRST, "[người gọi]"))  # the caller's own number
    expect(editor.locator('[name="business_codes"]')).to_have_value("TIA")
    editor.locator('[name="title"]').fill(TITLE)
    check_words(desk, "vi", "answers, a proposal open")
    shot(desk, "chain-2-supervisor-reviews-desk")
    desk.locator("#publish").click()
    expect(desk.locator("#note")).to_contain_text("Đã công bố")
    expect(desk.locator("#published")).to_contain_text(TITLE)  # the newest first
    expect(desk.locator("#published > li:not(.more)")).to_have_count(10)  # the demo's 29 + 1: ten, then more
    desk.locator("#more-published").click()
    expect(desk.locator("#published > li")).to_have_count(30)
    expect(desk.locator("#proposals")).not_to_contain_text("tờ khai tạm nhập TIA")
    with day.app.app_context():
        entry = stored(proposal.id)
        assert (entry.status, entry.title, entry.reviewer) == ("published", TITLE, "supervisor")

    # 3. The next business with the same code calls about something else (an incident): the screen pop has it.
    with day.app.app_context():
        earlier = day.app.extensions["clock"].now() - timedelta(days=5)
        call = Call(
            call_sid="CA" + uuid.uuid4().hex,
            caller_hash=blind_index(NEXT),
            branch=2,
            problem_group="single_window",
            started_at=earlier,
        )
        db.session.add(Ticket(call=call, business_code="TIA", outcome="resolved", created_at=earlier))
        db.session.commit()
    expect(phone.locator("#state-label")).to_have_text("Sẵn sàng")
    second = tab(browser, day, 1280, "vi", errors)
    dial(second, "0977 111 222", "2")  # system incidents
    rings(phone)
    expect(phone.locator("#history")).to_contain_text("TIA")
    expect(phone.locator("#answer-list li").first).to_contain_text(TITLE)  # the code's answers come first
    shot(phone, "chain-3-next-caller-screen-pop-phone")
    phone.locator("#answer").click()
    expect(phone.locator("#state-label")).to_have_text("Đang trong cuộc gọi")
    phone.locator("#answer-list li", has_text=TITLE).locator(".use-answer").click()
    phone.locator("#hangup").click()
    expect(phone.locator("#wrapup")).to_be_visible()  # filled once shown: what is typed before would be reset
    expect(phone.locator("#answer-used option:checked")).to_have_text(TITLE)
    phone.locator('#wrapup input[name="outcome"][value="resolved"]').check()
    phone.locator('#wrapup select[name="problem_group"]').select_option("single_window")
    phone.locator('#wrapup input[name="business_code"]').fill("TIA")
    saved_before = phone.locator("#message").inner_text()  # the first call's "Đã lưu phiếu #…"
    phone.locator("#save-final").click()
    expect(phone.locator("#message")).not_to_have_text(saved_before)
    expect(phone.locator("#message")).to_contain_text("Đã lưu phiếu")
    with day.app.app_context():
        assert stored(proposal.id).uses == 1

    # 4. A business finds it on the public page without diacritics, and it helped.
    public = tab(browser, day, SIZES["phone"], "vi", errors)
    public.goto("/answers")
    public.locator('#public-search input[name="q"]').fill("gia han tam nhap")
    public.locator('#public-search button[type="submit"]').click()
    found = public.locator("#results li", has_text=TITLE)
    expect(found).to_have_count(1)
    expect(found).to_contain_text("nghiệp vụ TIA")
    expect(public.locator("#results")).not_to_contain_text("0987")
    shot(public, "chain-4-public-found-phone")
    found.locator('button[data-helped="yes"]').click()
    expect(public.locator("#results")).to_contain_text("Cảm ơn Quý vị")
    with day.app.app_context():
        assert stored(proposal.id).helped == 1
    assert errors == []

"""The answer base's pages (issue 16) speak Vietnamese by default and English on request: the supervisors'
page (proposals, published answers, editor with dates typed dd/mm/yyyy, gaps), the businesses' public page (no
login, an English link, the hotline and the e-mail address, nothing internal), and the softphone's answer panel
and wrap-up fields. The JSON API they read is tested with the answer base itself (tests/test_answer_*.py)."""

from __future__ import annotations

import re

from flask import Flask

from .test_i18n import _i18n_block, _log_in, vi_app  # noqa: F401 - vi_app is a fixture


def test_the_supervisors_answer_page_speaks_vietnamese(vi_app: Flask) -> None:  # noqa: F811
    client, _ = _log_in(vi_app, "supervisor")
    html = client.get("/supervisor/answers").get_data(as_text=True)
    assert '<html lang="vi">' in html
    for words in (
        "Cơ sở câu trả lời",
        "Đề xuất chờ duyệt",
        "Câu trả lời đã công bố",
        "Công bố",
        "Ngừng sử dụng",
        "Hiệu lực từ",
        "Chỗ trống: các lượt tìm kiếm không có kết quả",
        "Tài khoản, mật khẩu",
    ):
        assert words in html, words
    assert 'placeholder="nn/tt/nnnn"' in html and 'type="date"' not in html
    for english in ("Proposals to review", "Publish<", "Valid from", "searches that found nothing", ">accounts<"):
        assert english not in html, english
    words = _i18n_block(html)
    assert words["Published: the desk and the public page find it now."].startswith("Đã công bố")
    assert words["Write the date as dd/mm/yyyy, e.g. 03/12/2026."] != "Write the date as dd/mm/yyyy, e.g. 03/12/2026."
    assert 'href="/supervisor/answers"' in html  # the header's link
    english = client.get("/supervisor/answers?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Proposals to review" in english and "Retire" in english


def test_only_supervisors_and_admins_open_the_review_page(vi_app: Flask) -> None:  # noqa: F811
    for role, allowed in (("agent", False), ("investigator", False), ("admin", True)):
        client, _ = _log_in(vi_app, role)
        response = client.get("/supervisor/answers")
        assert (response.status_code == 200) is allowed, role
        if role == "investigator":
            assert 'href="/supervisor/answers"' not in client.get("/supervisor/rota").get_data(as_text=True)


def test_the_public_page_needs_no_login_is_vietnamese_first_and_shows_nothing_internal(vi_app: Flask) -> None:  # noqa: F811
    client = vi_app.test_client()
    response = client.get("/answers")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="vi">' in html
    for words in (
        "Tra cứu câu trả lời của tổng đài 1900 9299",
        "Mã nghiệp vụ",
        "1900 9299",
        "bophanhotro@customs.gov.vn",
        'href="?lang=en"',
    ):
        assert words in html, words
    for internal in ("author", "reviewer", "Proposals", "Đề xuất", "/supervisor/answers", "Đăng xuất"):
        assert internal not in html, internal
    assert "<script>" not in html and "onclick" not in html  # the app's CSP: no inline script
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    words = _i18n_block(html)
    assert words["Did this help?"].startswith("Câu trả lời này") and words["Yes"] == "Có"
    english = client.get("/answers?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Search the answers of the 1900 9299 hotline" in english
    script = client.get(re.search(r'src="(/answers/static/answers_public\.js)"', html).group(1))
    assert script.status_code == 200 and b"/public/api/answers" in script.data


def test_the_softphone_has_the_answer_panel_and_the_wrap_up_fields(vi_app: Flask) -> None:  # noqa: F811
    client, _ = _log_in(vi_app, "agent")
    html = client.get("/agent/").get_data(as_text=True)
    for words in (
        "Câu trả lời có thể hữu ích",
        "Tìm trong cơ sở câu trả lời",
        "Câu trả lời đã dùng",
        "Đề xuất làm câu trả lời mẫu",
    ):
        assert words in html, words
    assert 'name="answer_id"' in html and "answers_call.js" in html
    # Answer comes before the answers on the page (it stays on the first screen of a phone).
    assert html.index('id="answer"') < html.index('id="call-answers"')

"""The rota page speaks the supervisor's language (issue 14): at ?lang=vi its words, the scripts' words, the
labels of shift kinds and leave, the typed-date placeholder and the API's refusals are Vietnamese, and its
dates are written dd/MM/yyyy (the page's calendar patterns, which window.fmt uses); at ?lang=en, English."""

from __future__ import annotations

import json
import re

from flask import Flask

from .test_i18n import _i18n_block, _log_in, vi_app  # noqa: F401 - vi_app is a fixture


def _calendar(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="i18n-calendar">(.*?)</script>', html, re.S)
    assert found, "no calendar block"
    return json.loads(found.group(1))


def test_the_rota_page_speaks_vietnamese_with_dd_mm_yyyy_dates(vi_app: Flask) -> None:  # noqa: F811
    client, _ = _log_in(vi_app, "supervisor")
    html = client.get("/supervisor/rota?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in html
    for words in ("Lịch trực", "Thêm ca trực", "Bốn tuần", "Hoàn tác", "Xóa ca trực này?", "nghỉ ốm", "làm thêm giờ"):
        assert words in html, words
    assert 'placeholder="nn/tt/nnnn gg:pp"' in html and 'type="datetime-local"' not in html
    for english in ("Add a shift", "Four weeks", "Delete this shift?", ">sick<", ">overtime<"):
        assert english not in html, english
    words = _i18n_block(html)
    assert words["Shift deleted: {name} {from}–{to}."] == "Đã xóa ca trực: {name} {from}–{to}."
    assert words["{from}–{to} nobody"].startswith("{from}–{to} không")
    patterns = _calendar(html)["patterns"]
    assert (patterns["datetime"], patterns["date"]) == ("dd/MM/yyyy HH:mm", "dd/MM/yyyy")

    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    refused = client.post("/api/rota/shifts/999999/restore", headers={"X-CSRF-Token": token})
    assert refused.status_code == 409 and refused.get_json()["message"] == "Không có ca trực 999999."


def test_the_rota_page_in_english(vi_app: Flask) -> None:  # noqa: F811
    client, _ = _log_in(vi_app, "supervisor")
    html = client.get("/supervisor/rota?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Add a shift" in html and 'placeholder="dd/mm/yyyy hh:mm"' in html
    assert _i18n_block(html)["Shift restored."] == "Shift restored."

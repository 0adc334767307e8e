"""The pages' languages (issue 14): every string of the code, the translated templates and the pages'
scripts has a Vietnamese translation in the compiled catalog; the translated templates hold no text
outside gettext; the language is chosen by ?lang=, the user's choice, the browser (before login) and
DEFAULT_UI_LANGUAGE; the header's switch saves it on the user; the scripts' words come from the catalog;
`/` is a landing page (JSON for a client that asks for it)."""

from __future__ import annotations

import json
import re
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import Flask

from app import create_app
from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from callcenter.web.i18n import js_message_ids
from config import TestConfig
from models import User, db

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "translations"
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
# Every staff page's template (a new template is checked the moment it exists).
TRANSLATED_TEMPLATES = sorted((ROOT / "callcenter").glob("*/templates/*.html"))
assert len(TRANSLATED_TEMPLATES) >= 14
PASSWORD = "correct-horse-battery"


def _sources() -> list[tuple[str, Path]]:
    """What babel.cfg tells `pybabel extract` to read."""
    python = [ROOT / "app.py", *sorted((ROOT / "callcenter").rglob("*.py"))]
    templates = sorted((ROOT / "callcenter").glob("*/templates/*.html"))
    scripts = sorted((ROOT / "callcenter").glob("*/static/*.js"))
    return [("python", p) for p in python] + [("jinja2", p) for p in templates] + [("javascript", p) for p in scripts]


def _extracted() -> dict[str, str]:
    """Every message id in the code, templates and scripts → where it was found."""
    found: dict[str, str] = {}
    for method, path in _sources():
        for line, message, _comments, _context in extract_from_file(method, str(path), keywords=KEYWORDS):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{path.relative_to(ROOT)}:{line}")
    return found


def _compiled(language: str) -> dict[str, str]:
    with open(CATALOGS / language / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        return {m.id: m.string for m in read_mo(handle) if m.id}


def test_every_string_has_a_vietnamese_translation_in_the_compiled_catalog() -> None:
    vi = _compiled("vi")
    missing = [f"{where}: {msgid!r}" for msgid, where in _extracted().items() if not vi.get(msgid, "").strip()]
    assert missing == [], "run make i18n, translate translations/vi/LC_MESSAGES/messages.po, make i18n-compile"


def test_every_script_label_is_in_the_catalogs() -> None:
    ids = js_message_ids()
    assert {
        "Available",
        "On a call",
        "Unmute",
        "time left {time}",
        "Telephony degraded since {since}: Twilio is not answering requests.",
        "Whisper",  # the wallboard's monitor buttons and texts
        "Monitoring {name}: {mode}.",
        "Playing until {time}: “{text}”",
        "Occupancy %",  # the reports' table headers and chart texts
        "Abandonment by weekday and hour (number = offered)",
        "{total} ticket(s)",  # the ticket pages' messages, facts and actions
        "hidden (confidential: investigators only)",
        "Ticket {id} — {outcome} ({status})",
        "Ticket escalated.",
        "Nobody has viewed a confidential caller yet.",
    } <= set(ids)
    vi = _compiled("vi")
    assert [msgid for msgid in ids if not vi.get(msgid, "").strip()] == []


def test_the_compiled_catalogs_are_those_of_the_po_files() -> None:
    for language in ("vi", "en"):
        with open(CATALOGS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
            po = read_po(handle, locale=language)
        buffer = BytesIO()
        write_mo(buffer, po)
        buffer.seek(0)
        fresh = {m.id: m.string for m in read_mo(buffer) if m.id}
        assert fresh == _compiled(language), f"make i18n-compile ({language})"


def _untranslated_text(template: str) -> list[str]:
    """Words a page shows that do not go through gettext: text between tags and the visible attributes,
    once Jinja's expressions, statements and comments are taken out."""
    bare = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", template, flags=re.S)
    bare = re.sub(r"<script\b[^>]*>.*?</script>", "", bare, flags=re.S)
    texts = re.findall(r">([^<]+)<", bare)
    texts += re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', bare)
    codes = re.compile(r"[A-Z0-9]+")  # a VNACCS business code as the example of a field
    return [t.strip() for t in texts if re.search(r"[A-Za-zÀ-ỹ]{2,}", t) and not codes.fullmatch(t.strip())]


@pytest.mark.parametrize("template", TRANSLATED_TEMPLATES, ids=lambda p: p.name)
def test_the_translated_templates_hold_no_text_outside_gettext(template: Path) -> None:
    assert _untranslated_text(template.read_text(encoding="utf-8")) == []


# -- choosing the language ----------------------------------------------------------------------------
@pytest.fixture
def vi_app(database_url: str, clock: Any) -> Any:
    """The app as deployed: Vietnamese unless a user or the browser asks for English."""
    application = create_app(
        TestConfig, clock=clock, overrides={"DATABASE_URL": database_url, "DEFAULT_UI_LANGUAGE": "vi"}
    )
    yield application
    application.extensions["db"].engine.dispose()


def _log_in(app: Flask, role: str) -> Any:
    username = f"{role}-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        UserService(db.session, app.extensions["clock"]).create(username, PASSWORD, role)
        if role == "agent":
            AgentService(db.session, app.extensions["clock"]).create(username, "Nguyễn Thị Lan", ["branch_2", "vi"])
        db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert done.status_code in (302, 303)
    return client, username


def _json_block(html: str, block: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', html, re.S)
    assert found, f"no {block} data block"
    return json.loads(found.group(1))


def _i18n_block(html: str) -> dict[str, str]:
    return _json_block(html, "i18n")


def test_the_login_page_is_vietnamese_by_default_and_follows_the_browser(vi_app: Flask) -> None:
    client = vi_app.test_client()
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in html and "Đăng nhập" in html and "Tên đăng nhập" in html
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Username" in english
    asked = client.get("/login?lang=en", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="en">' in asked and 'name="lang" value="en"' in asked  # the form carries the choice on
    wrong = client.post("/login", data={"lang": "en", "username": "x", "password": "y"})
    assert "The form expired" in wrong.get_data(as_text=True)
    assert "Biểu mẫu đã hết hạn" in client.post("/login", data={"username": "x"}).get_data(as_text=True)


def test_a_user_switches_language_and_it_is_saved(vi_app: Flask) -> None:
    app = vi_app
    client, username = _log_in(app, "agent")
    html = client.get("/agent/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="vi">' in html and "Sẵn sàng nhận cuộc gọi" in html  # logged in: the default, not the browser
    assert _i18n_block(html)["On a call"] == "Đang trong cuộc gọi"
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/language", data={"language": "en"}).status_code == 400  # no CSRF token
    assert client.post("/language", data={"language": "fr", "csrf_token": token}).status_code == 400
    switched = client.post("/language", data={"language": "en", "csrf_token": token, "next": "/agent/"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/agent/")
    html = client.get("/agent/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Go available" in html and "Sẵn sàng" not in html
    assert _i18n_block(html)["On a call"] == "On a call"
    with app.app_context():
        assert db.session.query(User.language).filter_by(username=username).scalar() == "en"
    assert app.test_client().post("/language", data={"language": "en"}).status_code == 401  # nobody logged in


def test_the_landing_page_links_the_desks_and_answers_json_when_asked(vi_app: Flask) -> None:
    client = vi_app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in html and "Bàn trực điện thoại viên" in html
    for link in ('href="/agent/"', 'href="/supervisor/"', 'href="/supervisor/reports"', 'href="/sandbox/"'):
        assert link in html
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Agent desk" in english and "Sandbox phone" in english
    answer = client.get("/", headers={"Accept": "application/json"})
    assert answer.is_json and answer.get_json()["links"]["sandbox_phone"] == "/sandbox/"


def test_the_landing_page_has_no_sandbox_without_it(database_url: str, clock: Any) -> None:
    app = create_app(TestConfig, clock=clock, overrides={"DATABASE_URL": database_url, "SANDBOX_ENABLED": False})
    try:
        html = app.test_client().get("/").get_data(as_text=True)
        assert 'href="/agent/"' in html and "/sandbox/" not in html
    finally:
        app.extensions["db"].engine.dispose()


def test_the_wallboard_and_reports_speak_vietnamese(vi_app: Flask) -> None:
    client, _ = _log_in(vi_app, "supervisor")
    board = client.get("/supervisor/").get_data(as_text=True)
    assert '<html lang="vi">' in board and "Bảng theo dõi trực tiếp" in board and "Thông báo sự cố" in board
    assert "mức độ phục vụ" in board and "bỏ máy trong hàng chờ" in board
    words = _i18n_block(board)
    assert words["Whisper"] == "Nhắc riêng" and words["Break"] == "Tạm nghỉ"
    reports = client.get("/supervisor/reports").get_data(as_text=True)
    assert "Cuộc gọi bỏ máy" in reports and "Công thức" in reports and "Tải CSV" in reports
    english = client.get("/supervisor/reports?lang=en").get_data(as_text=True)
    assert "Download CSV" in english and "Công thức" not in english


def test_the_ticket_pages_speak_vietnamese(vi_app: Flask) -> None:
    client, _ = _log_in(vi_app, "investigator")
    tickets = client.get("/supervisor/tickets").get_data(as_text=True)
    assert '<html lang="vi">' in tickets and "Tìm kiếm" in tickets and "Mã số thuế" in tickets
    assert '<option value="escalated">đã chuyển lên</option>' in tickets  # the filter sends the code
    words = _i18n_block(tickets)
    assert words["{total} ticket(s)"] == "{total} phiếu hỗ trợ"
    labels = _json_block(tickets, "i18n-labels")
    assert labels["ticket_status"]["closed"] == "đã đóng" and labels["event"]["CALLBACK_REQUESTED"] == "Yêu cầu gọi lại"
    assert _json_block(tickets, "i18n-calendar")["patterns"]["datetime"] == "dd/MM/yyyy HH:mm"
    audit = client.get("/supervisor/audit").get_data(as_text=True)
    assert "Nhật ký truy cập" in audit and "Vai trò" in audit
    english = client.get("/supervisor/audit?lang=en").get_data(as_text=True)
    assert "Who looked at confidential callers" in english and "Vai trò" not in english


def test_a_forbidden_page_speaks_the_users_language(vi_app: Flask) -> None:
    client, _ = _log_in(vi_app, "agent")
    html = client.get("/supervisor/").get_data(as_text=True)
    assert "Không dành cho vai trò của bạn" in html and "Vai trò của bạn (điện thoại viên)" in html


def test_the_forecast_and_people_pages_speak_vietnamese(vi_app: Flask) -> None:
    client, _ = _log_in(vi_app, "admin")
    forecast = client.get("/supervisor/forecast").get_data(as_text=True)
    assert '<html lang="vi">' in forecast and "Dự báo nhân lực" in forecast and "Thêm ca trực" in forecast
    assert 'placeholder="nn/tt/nnnn"' in forecast and 'type="date"' not in forecast and 'type="time"' not in forecast
    words = _i18n_block(forecast)
    assert words["Half hours with a gap"] == "Số nửa giờ thiếu người"
    assert words["Write the day as dd/mm/yyyy, e.g. {example}."].startswith("Nhập ngày")
    people = client.get("/supervisor/people").get_data(as_text=True)
    assert "Người dùng và vai trò" in people and "Hồ sơ điện thoại viên" in people
    assert '<option value="supervisor">giám sát viên</option>' in people  # the form sends the code
    assert "Nhánh 2: hỗ trợ hải quan điện tử" in people and "branch_2<" not in people
    assert _i18n_block(people)["{name} is logged off."] == "Đã đăng xuất {name}."
    english = client.get("/supervisor/people?lang=en").get_data(as_text=True)
    assert "Users and roles" in english and "Người dùng và vai trò" not in english

"""Everything the caller hears, in Vietnamese and English.

Each prompt can be overridden per language in the `prompt_overrides` table (`flask prompts set`):
new text, and/or a recorded audio URL played instead of text-to-speech. Prompts with {placeholders}
are spoken by TTS so the numbers stay right; an audio override is not offered for them.
"""

from __future__ import annotations

import re
import string
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import PromptOverride

LANGUAGES = ("vi", "en")

DEFAULT_PROMPTS: dict[str, dict[str, str]] = {
    "greeting": {
        "vi": "Cục Hải quan xin chào quý khách. Quý khách đang gọi tới đường dây nóng một chín không không, "
        "chín hai chín chín.",
        "en": "Welcome to the Vietnam Customs hotline, one nine zero zero, nine two nine nine.",
    },
    "language_offer": {
        "vi": "Nhấn phím 9 để nghe tiếng Anh.",
        "en": "For English, press 9.",
    },
    "announcement_intro": {
        "vi": "Thông báo quan trọng.",
        "en": "An important announcement.",
    },
    "announcement_skip": {
        "vi": "Nhấn phím bất kỳ để bỏ qua thông báo.",
        "en": "Press any key to skip this announcement.",
    },
    "main_menu": {
        "vi": "Để phản ánh, tố giác hành vi buôn lậu, gian lận thương mại, tham nhũng, tiêu cực, hoặc khiếu nại "
        "về thủ tục hải quan, xin nhấn phím 1. Để được hỗ trợ thủ tục hải quan điện tử, hệ thống VNACCS/VCIS, "
        "Cơ chế một cửa quốc gia và Cơ chế một cửa ASEAN, xin nhấn phím 2.",
        "en": "To report smuggling, trade fraud, corruption or misconduct, or to complain about a customs "
        "procedure, press 1. For support with electronic customs, VNACCS/VCIS, the National Single Window "
        "or the ASEAN Single Window, press 2.",
    },
    "group_menu": {
        "vi": "Về đăng ký tài khoản, mật khẩu và chữ ký số, xin nhấn phím 1. Về sự cố hệ thống công nghệ thông tin "
        "hải quan, xin nhấn phím 2. Về Cơ chế một cửa quốc gia và Cơ chế một cửa ASEAN, xin nhấn phím 3. "
        "Các vấn đề khác, xin nhấn phím 4.",
        "en": "For account registration, passwords and digital signatures, press 1. For customs IT system "
        "incidents, press 2. For the National or ASEAN Single Window, press 3. For anything else, press 4.",
    },
    "invalid_choice": {
        "vi": "Xin lỗi, lựa chọn không hợp lệ.",
        "en": "Sorry, that is not a valid choice.",
    },
    "no_input": {
        "vi": "Xin lỗi, chúng tôi chưa nhận được lựa chọn của quý khách.",
        "en": "Sorry, we did not receive your choice.",
    },
    "default_route": {
        "vi": "Chúng tôi sẽ chuyển quý khách tới bộ phận hỗ trợ.",
        "en": "We will put you through to our support desk.",
    },
    "queue_intro_1": {
        "vi": "Quý khách đang được kết nối tới bộ phận tiếp nhận phản ánh, tố giác. Thông tin của người phản ánh, "
        "tố giác được giữ bí mật theo quy định của pháp luật.",
        "en": "You are being connected to the reports and denunciations desk. The identity of anyone who "
        "reports is kept confidential as the law requires.",
    },
    "queue_intro_2": {
        "vi": "Quý khách đang được kết nối tới bộ phận hỗ trợ thủ tục hải quan điện tử.",
        "en": "You are being connected to the electronic customs support desk.",
    },
    "queue_position": {
        "vi": "Quý khách đang ở vị trí số {position} trong hàng chờ.",
        "en": "You are number {position} in the queue.",
    },
    "queue_eta": {
        "vi": "Thời gian chờ dự kiến khoảng {minutes} phút.",
        "en": "The expected wait is about {minutes} minutes.",
    },
    "queue_eta_soon": {
        "vi": "Tổng đài viên sẽ trả lời quý khách trong khoảng một phút nữa.",
        "en": "An agent should answer in about a minute.",
    },
    "queue_eta_long": {
        "vi": "Thời gian chờ dự kiến trên {minutes} phút.",
        "en": "The expected wait is more than {minutes} minutes.",
    },
    "queue_eta_unknown": {
        "vi": "Hiện chưa thể ước tính thời gian chờ.",
        "en": "We cannot estimate the waiting time right now.",
    },
    "queue_thanks": {
        "vi": "Xin cảm ơn quý khách đã kiên nhẫn chờ máy.",
        "en": "Thank you for holding.",
    },
    # Branch 2, said once (the first announcement): the public answer page (issue 16), its address in words.
    "queue_answers": {
        "vi": "Quý khách cũng có thể tra cứu câu trả lời tại trang {site}.",
        "en": "You can also look up answers at {site}.",
    },
    "connecting": {
        "vi": "Xin cảm ơn quý khách đã chờ. Cuộc gọi đang được chuyển tới tổng đài viên.",
        "en": "Thank you for waiting. You are now being connected to an agent.",
    },
    "transferred_to_queue": {
        "vi": "Quý khách được chuyển lại hàng chờ và vẫn giữ nguyên vị trí. Tổng đài viên tiếp theo sẽ tiếp nhận.",
        "en": "You are transferred back to the queue and keep your place. The next agent will take your call.",
    },
    "still_waiting": {
        "vi": "Tổng đài viên chưa thể nhận cuộc gọi. Quý khách vẫn giữ nguyên vị trí trong hàng chờ.",
        "en": "The agent could not take the call. You keep your place in the queue.",
    },
    "agent_whisper": {
        "vi": "Cuộc gọi nhánh {branch}{group}, đã chờ {minutes} phút.",
        "en": "Branch {branch} call{group}, waited {minutes} minutes.",
    },
    "queue_full": {
        "vi": "Xin lỗi, hiện tất cả tổng đài viên đều bận và hàng chờ đã đầy. Xin quý khách vui lòng gọi lại sau, "
        "hoặc gửi thư điện tử tới bophanhotro@customs.gov.vn. Xin cảm ơn.",
        "en": "Sorry, all our agents are busy and the queue is full. Please call again later, or write to "
        "bophanhotro@customs.gov.vn. Thank you.",
    },
    "technical_error": {
        "vi": "Xin lỗi, hệ thống đang gặp sự cố. Chúng tôi sẽ chuyển quý khách tới tổng đài viên.",
        "en": "Sorry, we have a technical problem. We are putting you through to an agent.",
    },
    "goodbye": {
        "vi": "Xin cảm ơn quý khách. Xin chào.",
        "en": "Thank you for calling. Goodbye.",
    },
    "queue_options": {
        "vi": "Để được gọi lại miễn phí mà vẫn giữ nguyên vị trí trong hàng chờ, xin nhấn phím 1. "
        "Để để lại lời nhắn, xin nhấn phím 2.",
        "en": "To be called back free of charge and keep your place in the queue, press 1. "
        "To leave a message, press 2.",
    },
    "queue_nobody_on_duty": {
        "vi": "Hiện chưa có tổng đài viên trực.",
        "en": "No agent is on duty right now.",
    },
    "queue_long_wait": {
        "vi": "Xin lỗi vì quý khách đã phải chờ lâu.",
        "en": "We are sorry for the long wait.",
    },
    "callback_confirm": {
        "vi": "Chúng tôi sẽ gọi lại cho quý khách theo số {digits}. Nhấn phím 1 để xác nhận, "
        "hoặc nhấn phím 2 để nhập số khác.",
        "en": "We will call you back on {digits}. Press 1 to confirm, or press 2 to enter another number.",
    },
    "callback_enter_number": {
        "vi": "Xin nhập số điện thoại để chúng tôi gọi lại, kết thúc bằng phím thăng.",
        "en": "Please enter the phone number to call you back on, then press the hash key.",
    },
    "callback_bad_number": {
        "vi": "Xin lỗi, đó không phải là một số điện thoại Việt Nam hợp lệ.",
        "en": "Sorry, that is not a valid Vietnamese phone number.",
    },
    "callback_booked": {
        "vi": "Cảm ơn quý khách. Vị trí của quý khách trong hàng chờ được giữ nguyên. Tổng đài viên sẽ gọi lại "
        "theo số {digits}. Quý khách có thể gác máy.",
        "en": "Thank you. Your place in the queue is kept. An agent will call you back on {digits}. "
        "You can hang up now.",
    },
    "callback_booked_later": {
        "vi": "Cảm ơn quý khách. Vị trí của quý khách trong hàng chờ được giữ nguyên. Tổng đài viên sẽ gọi lại "
        "theo số {digits} từ {hour} giờ sáng. Quý khách có thể gác máy.",
        "en": "Thank you. Your place in the queue is kept. An agent will call you back on {digits} from "
        "{hour} a.m. You can hang up now.",
    },
    "callback_already": {
        "vi": "Số điện thoại này đã có yêu cầu gọi lại. Tổng đài viên sẽ gọi lại cho quý khách.",
        "en": "This number already has a callback request. An agent will call you back.",
    },
    "callback_hello": {
        "vi": "Đường dây nóng một chín không không, chín hai chín chín của Hải quan gọi lại theo yêu cầu "
        "của quý khách. Xin giữ máy để nói chuyện với tổng đài viên.",
        "en": "This is the Vietnam Customs hotline calling you back, as you asked. Please hold for an agent.",
    },
    "callback_agent_whisper": {
        "vi": "Gọi lại cho người gọi nhánh {branch}{group}, lần thử {attempt}. Đang quay số.",
        "en": "Callback, branch {branch}{group}, attempt {attempt}. Dialling now.",
    },
    "callback_not_answered": {
        "vi": "Người gọi không nghe máy. Hệ thống sẽ tự động thử lại sau.",
        "en": "The caller did not answer. The system will try again later.",
    },
    "callback_gone": {
        "vi": "Cuộc gọi lại này đã được xử lý.",
        "en": "This callback has already been handled.",
    },
    "voicemail_intro": {
        "vi": "Sau tiếng bíp, xin để lại lời nhắn: họ tên, doanh nghiệp, mã số thuế và nội dung cần hỗ trợ. "
        "Nhấn phím thăng khi xong.",
        "en": "After the tone, please leave your name, company, tax code and your question. "
        "Press the hash key when you are done.",
    },
    "voicemail_saved": {
        "vi": "Lời nhắn của quý khách đã được ghi lại. Chúng tôi sẽ liên hệ lại. Xin cảm ơn.",
        "en": "Your message has been recorded. We will get back to you. Thank you.",
    },
}

# The problem groups as the whisper says them to the agent (issue 14: words, never the code "accounts").
SPOKEN_GROUPS: dict[str, dict[str, str]] = {
    "vi": {
        "accounts": "tài khoản, mật khẩu, chữ ký số",
        "incidents": "sự cố hệ thống",
        "single_window": "cơ chế một cửa quốc gia và ASEAN",
        "other": "vấn đề khác",
    },
    "en": {
        "accounts": "accounts, passwords, digital signatures",
        "incidents": "system incidents",
        "single_window": "National and ASEAN Single Window",
        "other": "other questions",
    },
}


def spoken_group(group: str | None, language: str = "vi") -> str:
    """ ", <the group in words>" for a whisper, or "" when the caller chose none."""
    if not group:
        return ""
    words = SPOKEN_GROUPS.get(language, SPOKEN_GROUPS["vi"]).get(group)
    return f", {words}" if words else ""


SPOKEN_SYMBOLS: dict[str, dict[str, str]] = {
    "vi": {".": "chấm", "/": "gạch chéo", "-": "gạch ngang"},
    "en": {".": "dot", "/": "slash", "-": "dash"},
}


def spoken_address(url: str, language: str = "vi") -> str:
    """A web address as TTS can say it: "https://hotline.customs.gov.vn/answers" → "hotline chấm customs
    chấm gov chấm vn gạch chéo answers" (no scheme, the symbols in words)."""
    words = SPOKEN_SYMBOLS.get(language, SPOKEN_SYMBOLS["vi"])
    address = re.sub(r"^[a-z]+://", "", url.strip(), flags=re.IGNORECASE).rstrip("/")
    parts = re.split(r"([./-])", address)
    return " ".join(words.get(part, part) for part in parts if part)


def placeholders(text: str) -> set[str]:
    """Names of the {placeholders} in a prompt text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Speech:
    """One thing the caller hears: recorded audio when `audio_url` is set, else TTS of `text`."""

    text: str
    language: str
    audio_url: str | None = None


class PromptCatalog:
    """Resolves a prompt key and language to a Speech, applying database overrides (cached briefly)."""

    def __init__(self, cache_seconds: float = 10.0) -> None:
        self._cache_seconds = cache_seconds
        self._overrides: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def speech(self, session: Session | None, key: str, language: str, **params: object) -> Speech:
        """The Speech for `key` in `language`, formatted with `params`."""
        lang = language if language in LANGUAGES else LANGUAGES[0]
        text = DEFAULT_PROMPTS[key][lang]
        audio_url = None
        if session is not None:
            override_text, override_audio = self._load(session).get((key, lang), (None, None))
            text = override_text or text
            audio_url = override_audio if not params else None
        return Speech(text=text.format(**params) if params else text, language=lang, audio_url=audio_url)

    def default(self, key: str, language: str, **params: object) -> Speech:
        """The built-in prompt, without touching the database (for error paths)."""
        return self.speech(None, key, language, **params)

    def invalidate(self) -> None:
        """Forget cached overrides (after an edit)."""
        with self._lock:
            self._loaded_at = float("-inf")

    def _load(self, session: Session) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        now = time.monotonic()
        if now - self._loaded_at < self._cache_seconds:
            return self._overrides
        rows = session.scalars(select(PromptOverride)).all()
        overrides = {(row.key, row.language): (row.text, row.audio_url) for row in rows}
        with self._lock:
            self._overrides, self._loaded_at = overrides, now
        return overrides

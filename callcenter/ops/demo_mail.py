"""Demo e-mails (issue 15): a dozen businesses' mails of the last three days, taken in through the real
intake (threading, acknowledgements, group rules, tax and business codes), some answered by the agent on
duty through the real desk, the rest in the backlog, so `make demo` shows e-mail on the desk, the wallboard
and the reports. Never in production (prepare_demo refuses)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.agents.service import AgentService
from callcenter.common.clock import Clock, FakeClock
from callcenter.mail.desk import MailDesk
from callcenter.mail.intake import MailIntake
from callcenter.mail.outbox import Outbox
from callcenter.mail.settings import MailSettings
from models import MailState, MailWork

# (hours ago, sender, subject, text, hours until answered or None: still in the backlog)
DEMO_MAILS: tuple[tuple[float, str, str, str, float | None], ...] = (
    (
        70,
        "ketoan@thanhdatxnk.vn",
        "Không đăng nhập được VNACCS",
        "Kính gửi Bộ phận hỗ trợ, từ sáng nay chúng tôi không đăng nhập được hệ thống VNACCS, báo lỗi mật khẩu "
        "hết hạn. Mã số thuế 0101234567. Xin hướng dẫn cách cấp lại mật khẩu.",
        2.5,
    ),
    (
        66,
        "xnk@minhphat.com.vn",
        "Chữ ký số mới chưa đăng ký được",
        "Công ty vừa gia hạn chữ ký số nhưng khi khai tờ khai IDA hệ thống báo chứng thư chưa đăng ký. "
        "Mong được hỗ trợ sớm.",
        5.0,
    ),
    (
        52,
        "logistics@saigonport-demo.vn",
        "Lỗi gửi bản khai điện tử qua Cơ chế một cửa quốc gia",
        "Chúng tôi gửi bản khai hàng hóa qua Cổng thông tin một cửa quốc gia nhưng không nhận được phản hồi "
        "từ hệ thống trong 3 giờ.",
        9.0,
    ),
    (
        47,
        "hoadon@phuongnam-demo.vn",
        "C/O mẫu D trên ASEAN Single Window",
        "Xin hỏi vì sao C/O mẫu D điện tử nhận qua ASW không tự động đối chiếu với tờ khai của chúng tôi?",
        20.0,
    ),
    (
        30,
        "it@dongadet-demo.vn",
        "Hệ thống báo lỗi E1002 khi truyền tờ khai",
        "Khi truyền tờ khai EDA hệ thống trả về lỗi E1002 liên tục từ 14 giờ. Xin kiểm tra sự cố.",
        1.5,
    ),
    (
        26,
        "ketoan@thanhdatxnk.vn",
        "Hỏi về đồng bộ mã số thuế sau sáp nhập tỉnh",
        "Sau khi địa giới hành chính thay đổi năm 2025, địa chỉ trên mã số thuế 0101234567 đã cập nhật nhưng "
        "VNACCS vẫn hiển thị địa chỉ cũ. Chúng tôi cần làm gì?",
        6.0,
    ),
    (
        20,
        "support@vietlogis-demo.com",
        "Request for VNACCS user account",
        "Dear hotline, we are a new logistics company and would like to know how to register a VNACCS user "
        "account for our declarants. Thank you.",
        4.0,
    ),
    (
        9,
        "phongxnk@hanoitextile-demo.vn",
        "Không in được tờ khai đã thông quan",
        "Tờ khai IDA số 106123456780 đã thông quan nhưng chức năng in báo lỗi. Xin hỗ trợ.",
        None,
    ),
    (
        6,
        "admin@bacninhtech-demo.vn",
        "Quên mật khẩu tài khoản khai báo",
        "Nhân viên khai báo của chúng tôi đã nghỉ việc, công ty cần cấp lại mật khẩu cho tài khoản. MST 2300123456.",
        None,
    ),
    (
        3,
        "xnk@minhphat.com.vn",
        "Hỏi thủ tục đăng ký chữ ký số cho chi nhánh",
        "Chi nhánh mới của công ty (MST 0101234567-001) cần đăng ký chữ ký số để khai hải quan. Xin hướng dẫn.",
        None,
    ),
    (
        1.5,
        "ops@danangfresh-demo.vn",
        "Hệ thống một cửa quốc gia chậm",
        "Từ 8 giờ sáng hồ sơ trên Cổng một cửa quốc gia xử lý rất chậm. Xin cho biết có sự cố không?",
        None,
    ),
    (
        0.4,
        "info@mekongagri-demo.vn",
        "Câu hỏi khác về biểu thuế",
        "Xin hỏi mã HS cho sản phẩm gạo hữu cơ đóng gói 5kg.",
        None,
    ),
)
ANSWER = (
    "Kính gửi Quý công ty,\n\nBộ phận hỗ trợ đã kiểm tra và hướng dẫn như sau: vui lòng làm theo các bước "
    "trong hướng dẫn sử dụng hệ thống và phản hồi nếu vẫn gặp lỗi.\n\nTrân trọng,\nTổng đài 1900 9299"
)


def demo_mail(sender: str, to: str, subject: str, text: str, at: datetime, n: int) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<demo-{n}@{sender.partition('@')[2]}>"
    message["Date"] = format_datetime(at)
    message.set_content(text)
    return message.as_bytes()


def seed_mail(session: Session, clock: Clock, settings: MailSettings, agent_username: str) -> Iterator[str]:
    """The demo's e-mails, when there are none yet."""
    if session.scalar(select(func.count()).select_from(MailWork)):
        return
    now = clock.now()
    outbox = Outbox(session, settings)
    old = settings.addresses[-1] if settings.addresses else settings.from_address
    agents = AgentService(session, clock)
    agent = agents.by_username(agent_username)
    answered = 0
    for n, (hours, sender, subject, text, answer_after) in enumerate(DEMO_MAILS):
        at = now - timedelta(hours=hours)
        to = old if n % 3 == 0 else settings.from_address  # some still write to the old address
        result = MailIntake(session, FakeClock(at), settings, outbox).ingest(
            demo_mail(sender, to, subject, text, at, n)
        )
        if answer_after is None or agent is None or result.ticket_id is None:
            continue
        work = session.get(MailWork, result.ticket_id)
        if work is None:
            continue
        # The agent on duty then took it from the backlog and answered it (the desk's own reply).
        work.state, work.agent_id, work.assigned_at = MailState.ASSIGNED.value, agent.id, at
        session.flush()
        MailDesk(session, FakeClock(at + timedelta(hours=answer_after)), settings).reply(
            agent, result.ticket_id, ANSWER
        )
        session.commit()
        answered += 1
    yield f"seeded {len(DEMO_MAILS)} e-mails ({answered} answered, the rest in the backlog): /sandbox/mail"

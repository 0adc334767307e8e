"""Demo answer base (issue 16): nearly thirty published answers written for this project, for the four
problem groups (accounts and digital signatures, system incidents, National/ASEAN Single Window, the 2025
boundary change and tax-code sync), Vietnamese with some English versions, entered through the real
`AnswerService` (checked, folded for search, published), each with a few uses on the demo's branch-2
calls of its group and "did this help?" answers, so `make demo` shows the answer base on the desk, the
public page and the reports. Never in production (prepare_demo refuses). The texts are demo content,
not the department's official guidance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.answers.service import AnswerService
from callcenter.common.clock import Clock
from models import AnswerEntry, Ticket

PORTAL = "https://www.customs.gov.vn"
MERGED = date(2025, 7, 1)  # the provinces' merger took effect: answers about it are valid from then

# (group, codes, language, title, question, answer, uses on demo calls, helped, not helped, valid from)
Entry = tuple[str, tuple[str, ...], str, str, str, str, int, int, int, date | None]

ACCOUNTS: tuple[Entry, ...] = (
    (
        "accounts",
        ("IDA", "EDA"),
        "vi",
        "Quên mật khẩu tài khoản người sử dụng VNACCS",
        "Doanh nghiệp quên mật khẩu tài khoản người sử dụng VNACCS thì làm thế nào để được cấp lại?",
        "Mật khẩu do doanh nghiệp tự quản lý, cán bộ hỗ trợ không xem được mật khẩu. Quý doanh nghiệp đăng "
        "nhập Cổng thông tin điện tử Hải quan bằng chữ ký số đã đăng ký, vào mục đăng ký người sử dụng VNACCS, "
        "chọn cấp lại mật khẩu cho đúng người sử dụng. Mật khẩu mới được gửi tới địa chỉ thư điện tử đã đăng ký; "
        "nếu địa chỉ đó không còn dùng, cần cập nhật thông tin người sử dụng trước.",
        6,
        14,
        2,
        None,
    ),
    (
        "accounts",
        ("IDA", "EDA"),
        "en",
        "Forgotten VNACCS user password",
        "Our declarant forgot the password of her VNACCS user account. How do we get a new one?",
        "The company manages its own passwords; the support desk cannot see them. Sign in to the Customs "
        "portal with the registered digital signature, open the VNACCS user registration and request a new "
        "password for that user. It is sent to the registered e-mail address; if that address is no longer "
        "used, update the user's details first.",
        2,
        4,
        0,
        None,
    ),
    (
        "accounts",
        ("IDA", "EDA", "IDC", "EDC"),
        "vi",
        "Tài khoản VNACCS bị khóa do nhập sai mật khẩu nhiều lần",
        "Hệ thống báo tài khoản bị khóa sau khi nhập sai mật khẩu nhiều lần. Bao lâu thì được mở lại?",
        "Tài khoản bị khóa tạm thời để bảo vệ doanh nghiệp. Quý doanh nghiệp có thể chờ hết thời gian khóa rồi "
        "đăng nhập lại, hoặc yêu cầu cấp lại mật khẩu trên Cổng thông tin điện tử Hải quan. Nếu tài khoản vẫn "
        "bị khóa, xin gọi tổng đài và cho biết mã số thuế, tên người sử dụng (không đọc mật khẩu).",
        5,
        9,
        1,
        None,
    ),
    (
        "accounts",
        ("IDA", "EDA"),
        "vi",
        "Đăng ký tài khoản người sử dụng VNACCS cho doanh nghiệp mới",
        "Doanh nghiệp mới thành lập cần làm gì để có tài khoản khai hải quan trên VNACCS?",
        "Doanh nghiệp đăng ký chữ ký số với cơ quan hải quan, sau đó đăng ký người sử dụng và thiết bị đầu cuối "
        "trên Cổng thông tin điện tử Hải quan. Mỗi người khai có một tài khoản riêng. Khi được chấp thuận, "
        "tên người sử dụng và mật khẩu được gửi về thư điện tử đã đăng ký; đăng nhập lần đầu phải đổi mật khẩu.",
        4,
        11,
        1,
        None,
    ),
    (
        "accounts",
        ("IDA", "EDA", "IDC", "EDC"),
        "vi",
        "Gia hạn chữ ký số: đăng ký chứng thư số mới với hải quan",
        "Công ty vừa gia hạn chữ ký số. Có phải đăng ký lại với cơ quan hải quan không?",
        "Có. Chứng thư số sau khi gia hạn hoặc cấp mới có số hiệu mới nên phải đăng ký lại trên Cổng thông tin "
        "điện tử Hải quan (mục đăng ký chữ ký số) trước khi dùng để khai báo. Nên đăng ký trước ngày chứng "
        "thư cũ hết hạn để không gián đoạn việc khai tờ khai.",
        7,
        16,
        1,
        None,
    ),
    (
        "accounts",
        ("IDA", "EDA"),
        "vi",
        "Lỗi \u201cchứng thư số chưa đăng ký\u201d khi khai tờ khai",
        "Khi ký và gửi tờ khai, phần mềm báo chứng thư số chưa được đăng ký với hải quan.",
        "Chứng thư số đang cắm vào máy chưa được đăng ký, hoặc là chứng thư cũ đã hết hạn. Kiểm tra số hiệu "
        "chứng thư trong phần mềm khai báo, đăng ký chứng thư đó trên Cổng thông tin điện tử Hải quan rồi ký "
        "gửi lại. Nếu đã đăng ký mà vẫn lỗi, chụp màn hình thông báo lỗi và gửi cho bộ phận hỗ trợ.",
        6,
        10,
        3,
        None,
    ),
    (
        "accounts",
        ("IDA", "EDA", "IDC", "EDC"),
        "en",
        "Registering a renewed digital signature certificate with Customs",
        "We renewed our digital signature certificate. Must we register it with Customs again?",
        "Yes. A renewed or new certificate has a new serial number and must be registered on the Customs "
        "portal before it can sign declarations. Register it before the old certificate expires so that "
        "declaring is not interrupted.",
        1,
        3,
        0,
        None,
    ),
    (
        "accounts",
        (),
        "vi",
        "Thêm, bớt người khai hải quan của doanh nghiệp",
        "Nhân viên khai hải quan nghỉ việc, công ty muốn khóa tài khoản của người đó và thêm người mới.",
        "Quý doanh nghiệp đăng nhập Cổng thông tin điện tử Hải quan bằng chữ ký số của doanh nghiệp, vào mục "
        "quản lý người sử dụng VNACCS để chấm dứt hiệu lực tài khoản của người đã nghỉ và đăng ký người sử "
        "dụng mới. Nên làm ngay khi nhân viên nghỉ việc để bảo đảm an toàn dữ liệu.",
        2,
        5,
        0,
        None,
    ),
    (
        "accounts",
        ("IDC", "EDC"),
        "vi",
        "Chữ ký số hết hạn khi đang sửa tờ khai",
        "Tờ khai đã đăng ký, giờ cần khai sửa đổi nhưng chữ ký số vừa hết hạn.",
        "Tờ khai đã đăng ký vẫn giữ nguyên hiệu lực. Quý doanh nghiệp đăng ký chứng thư số mới với hải quan "
        "rồi dùng chứng thư đó để khai sửa đổi (IDC/EDC) như bình thường.",
        2,
        4,
        1,
        None,
    ),
)

INCIDENTS: tuple[Entry, ...] = (
    (
        "incidents",
        ("IDA", "EDA"),
        "vi",
        "Hệ thống trả về mã lỗi khi truyền tờ khai",
        "Truyền tờ khai thì nhận được thông báo lỗi có mã bắt đầu bằng chữ E. Xử lý thế nào?",
        "Mã lỗi cho biết chỉ tiêu nào chưa đúng; nội dung thông báo đi kèm ghi rõ tên chỉ tiêu. Đối chiếu bảng "
        "mã lỗi trong tài liệu hướng dẫn của phần mềm khai báo, sửa chỉ tiêu đó rồi truyền lại. Nếu thông báo "
        "nói lỗi hệ thống hoặc lặp lại với dữ liệu đúng, xin báo tổng đài kèm số tờ khai tạm và ảnh chụp lỗi.",
        8,
        12,
        4,
        None,
    ),
    (
        "incidents",
        ("IDA", "EDA"),
        "vi",
        "Truyền tờ khai chậm, chưa nhận được phản hồi",
        "Đã truyền tờ khai hơn 30 phút nhưng chưa nhận được phản hồi từ hệ thống hải quan.",
        "Không truyền lại nhiều lần vì có thể tạo tờ khai trùng. Kiểm tra kết nối mạng và hộp thư phản hồi "
        "của phần mềm khai báo; xem Cổng thông tin điện tử Hải quan có thông báo sự cố hay không. Nếu sau một "
        "giờ vẫn chưa có phản hồi, gọi tổng đài và cung cấp thời điểm truyền, số tờ khai tạm (nếu có).",
        5,
        8,
        2,
        None,
    ),
    (
        "incidents",
        (),
        "vi",
        "Doanh nghiệp cần làm gì khi hệ thống hải quan điện tử gặp sự cố",
        "Hệ thống VNACCS không truy cập được. Hàng cần thông quan gấp thì phải làm sao?",
        "Khi có sự cố diện rộng, cơ quan hải quan thông báo trên Cổng thông tin điện tử Hải quan và lời chào "
        "của tổng đài, kèm thời gian dự kiến khắc phục. Trong thời gian đó, xin làm theo hướng dẫn xử lý sự cố "
        "của cơ quan hải quan và liên hệ đơn vị hải quan nơi làm thủ tục đối với lô hàng cần thông quan gấp. "
        "Không cần gọi tổng đài để báo lại sự cố đã được thông báo.",
        6,
        15,
        2,
        None,
    ),
    (
        "incidents",
        (),
        "en",
        "What to do during a customs system outage",
        "VNACCS cannot be reached and our goods must clear today. What should we do?",
        "During a wide outage Customs announces it on the Customs portal and in the hotline's greeting, with "
        "the expected time of repair. Meanwhile follow Customs' instructions for outages and contact the "
        "customs office handling the shipment if it is urgent. There is no need to call to report an outage "
        "already announced.",
        1,
        2,
        0,
        None,
    ),
    (
        "incidents",
        ("IDA",),
        "vi",
        "Đã gửi tờ khai nhưng không nhận được số tờ khai",
        "Khai IDA xong và gửi đi nhưng không thấy hệ thống trả về số tờ khai.",
        "Khai báo thông tin nhập khẩu (IDA) xong hệ thống trả số tờ khai kèm thông tin đã khai để kiểm tra; nếu "
        "không nhận được, có thể phản hồi đang bị chậm. Chờ vài phút rồi lấy lại phản hồi trong phần mềm khai "
        "báo, không khai lại tờ khai mới. Nếu vẫn không có, gọi tổng đài và cho biết mã số thuế, thời điểm gửi.",
        3,
        6,
        1,
        None,
    ),
    (
        "incidents",
        (),
        "vi",
        "Phần mềm khai báo báo lỗi kết nối tới hệ thống hải quan",
        "Phần mềm khai hải quan báo không kết nối được máy chủ, các máy khác trong công ty vẫn vào mạng bình thường.",
        "Kiểm tra địa chỉ kết nối và cấu hình trong phần mềm khai báo theo hướng dẫn của nhà cung cấp phần mềm, "
        "tường lửa của công ty và ngày giờ của máy tính (sai ngày giờ làm chữ ký số không hợp lệ). Nếu nhiều "
        "doanh nghiệp cùng gặp, đó có thể là sự cố hệ thống: xem thông báo trên Cổng thông tin điện tử Hải quan.",
        3,
        5,
        2,
        None,
    ),
    (
        "incidents",
        ("IDC", "EDC"),
        "vi",
        "Khai sửa đổi tờ khai bị báo lỗi trạng thái",
        "Khai sửa đổi IDC thì hệ thống báo tờ khai không ở trạng thái được sửa.",
        "Chỉ sửa được tờ khai ở trạng thái cho phép khai sửa đổi. Kiểm tra trạng thái tờ khai trên phần mềm "
        "hoặc Cổng thông tin điện tử Hải quan; nếu tờ khai đã thông quan, việc sửa đổi sau thông quan làm theo "
        "hướng dẫn của đơn vị hải quan nơi đăng ký tờ khai.",
        2,
        3,
        1,
        None,
    ),
)

SINGLE_WINDOW: tuple[Entry, ...] = (
    (
        "single_window",
        ("IDA", "HYS"),
        "vi",
        "C/O mẫu D điện tử qua Cơ chế một cửa ASEAN",
        "Hàng nhập từ nước ASEAN có C/O mẫu D điện tử. Doanh nghiệp có phải nộp bản giấy không?",
        "C/O mẫu D điện tử được nước xuất khẩu gửi qua Cơ chế một cửa ASEAN (ASW) và hệ thống hải quan tự tiếp "
        "nhận. Khi khai tờ khai nhập khẩu, ghi đúng số tham chiếu C/O để hệ thống đối chiếu; không phải nộp bản "
        "giấy, trừ khi cơ quan hải quan yêu cầu kiểm tra.",
        6,
        13,
        2,
        None,
    ),
    (
        "single_window",
        ("IDA", "HYS"),
        "en",
        "Electronic C/O form D through the ASEAN Single Window",
        "Our goods come from an ASEAN country with an electronic C/O form D. Do we file a paper copy?",
        "An electronic C/O form D is sent by the exporting country through the ASEAN Single Window (ASW) and "
        "received by Customs automatically. Enter its reference number correctly in the import declaration so "
        "that it is matched; no paper copy is filed unless Customs asks to check it.",
        2,
        5,
        0,
        None,
    ),
    (
        "single_window",
        ("IDA",),
        "vi",
        "C/O mẫu D điện tử không tự liên kết với tờ khai",
        "Đã khai số C/O mẫu D nhưng hệ thống không tìm thấy C/O điện tử để đối chiếu.",
        "Kiểm tra số tham chiếu và ngày cấp C/O đã khai có khớp với thông tin nước xuất khẩu gửi không (khoảng "
        "trắng, ký tự thừa). C/O có thể chưa được nước xuất khẩu truyền sang: đề nghị người xuất khẩu kiểm tra "
        "với cơ quan cấp C/O. Nếu vẫn không liên kết được, liên hệ đơn vị hải quan nơi làm thủ tục.",
        5,
        7,
        3,
        None,
    ),
    (
        "single_window",
        (),
        "vi",
        "Đăng ký tài khoản trên Cổng thông tin một cửa quốc gia",
        "Doanh nghiệp muốn nộp hồ sơ thủ tục qua Cổng thông tin một cửa quốc gia thì đăng ký tài khoản ở đâu?",
        "Doanh nghiệp đăng ký tài khoản trực tuyến trên Cổng thông tin một cửa quốc gia và xác thực bằng chữ ký "
        "số. Tài khoản được kích hoạt qua thư điện tử đã đăng ký. Mỗi thủ tục của các bộ, ngành có hướng dẫn "
        "riêng trên Cổng.",
        3,
        8,
        1,
        None,
    ),
    (
        "single_window",
        (),
        "vi",
        "Thủ tục tàu biển xuất cảnh, nhập cảnh qua Cơ chế một cửa quốc gia",
        "Đại lý tàu biển khai thủ tục tàu nhập cảnh qua Cơ chế một cửa quốc gia cần lưu ý gì?",
        "Đại lý khai các bản khai điện tử của tàu trên Cổng thông tin một cửa quốc gia trước thời điểm tàu đến "
        "theo quy định; các cơ quan (hải quan, cảng vụ, biên phòng, kiểm dịch) cùng xử lý trên một hồ sơ. Nếu "
        "gửi bản khai mà không nhận được phản hồi, kiểm tra trạng thái hồ sơ trên Cổng trước khi gửi lại.",
        2,
        4,
        1,
        None,
    ),
    (
        "single_window",
        ("IDA", "HYS"),
        "vi",
        "Hồ sơ kiểm tra chuyên ngành trên Cổng một cửa bị trả lại",
        "Hồ sơ đăng ký kiểm tra chuyên ngành nộp qua Cổng thông tin một cửa quốc gia bị trả lại, không rõ lý do.",
        "Hồ sơ bị trả lại kèm ý kiến của cơ quan kiểm tra chuyên ngành; xem chi tiết trong trạng thái hồ sơ trên "
        "Cổng. Bổ sung, sửa theo ý kiến đó rồi gửi lại. Câu hỏi về nội dung kiểm tra xin liên hệ cơ quan kiểm "
        "tra chuyên ngành (bộ, ngành quản lý), tổng đài hải quan hỗ trợ phần kết nối với hải quan.",
        3,
        5,
        2,
        None,
    ),
    (
        "single_window",
        (),
        "vi",
        "Sửa, hủy hồ sơ đã nộp trên Cổng thông tin một cửa quốc gia",
        "Nộp nhầm hồ sơ trên Cổng thông tin một cửa quốc gia, có hủy được không?",
        "Hồ sơ chưa được cơ quan tiếp nhận xử lý có thể sửa hoặc yêu cầu hủy trên Cổng. Hồ sơ đã được tiếp nhận "
        "thì đề nghị hủy hoặc sửa theo hướng dẫn của cơ quan đang xử lý hồ sơ đó.",
        1,
        3,
        0,
        None,
    ),
)

BOUNDARY: tuple[Entry, ...] = (
    (
        "other",
        ("IDA", "EDA"),
        "vi",
        "Địa chỉ doanh nghiệp sau khi sắp xếp đơn vị hành chính năm 2025",
        "Sau khi sáp nhập tỉnh và bỏ cấp huyện năm 2025, khai địa chỉ doanh nghiệp trên tờ khai thế nào?",
        "Khai địa chỉ theo tên đơn vị hành chính mới (tỉnh, xã/phường) như đã cập nhật trong đăng ký thuế của "
        "doanh nghiệp. Thông tin người nhập khẩu, xuất khẩu được hệ thống lấy theo mã số thuế; nếu hệ thống vẫn "
        "hiển thị địa chỉ cũ, xem câu trả lời về dữ liệu mã số thuế chưa đồng bộ.",
        7,
        12,
        3,
        MERGED,
    ),
    (
        "other",
        ("IDA", "EDA"),
        "en",
        "The company's address after the 2025 province merger",
        "After the provinces merged in 2025, which address do we declare?",
        "Declare the address under the new administrative units (province, commune or ward) as updated in the "
        "company's tax registration. Importer and exporter details follow the tax code; if the system still "
        "shows the old address, see the answer on tax-code data not yet synchronised.",
        1,
        2,
        0,
        MERGED,
    ),
    (
        "other",
        ("IDA", "EDA"),
        "vi",
        "Dữ liệu mã số thuế chưa đồng bộ sang hệ thống hải quan",
        "Đã cập nhật địa chỉ mới với cơ quan thuế nhưng VNACCS vẫn hiển thị địa chỉ cũ theo mã số thuế.",
        "Thông tin đăng ký thuế được đồng bộ từ cơ quan thuế sang hệ thống hải quan định kỳ nên có thể chậm vài "
        "ngày. Quý doanh nghiệp kiểm tra thông tin trên trang tra cứu của cơ quan thuế; nếu đã đúng mà quá năm "
        "ngày làm việc hải quan vẫn chưa cập nhật, gửi thư cho bộ phận hỗ trợ kèm mã số thuế và ảnh chụp.",
        8,
        10,
        4,
        MERGED,
    ),
    (
        "other",
        ("IDA", "EDA", "IDC", "EDC"),
        "vi",
        "Tờ khai bị từ chối vì địa chỉ không khớp đăng ký thuế",
        "Tờ khai báo lỗi thông tin người khai không khớp với đăng ký thuế sau khi địa giới hành chính thay đổi.",
        "Khai địa chỉ đúng như trong đăng ký thuế hiện hành của doanh nghiệp. Nếu đăng ký thuế đã có địa chỉ mới "
        "nhưng dữ liệu hải quan chưa đồng bộ, gửi thư cho bộ phận hỗ trợ kèm mã số thuế để được kiểm tra; "
        "trong khi chờ, khai theo thông tin hệ thống đang hiển thị.",
        4,
        5,
        2,
        MERGED,
    ),
    (
        "other",
        (),
        "vi",
        "Đơn vị hải quan làm thủ tục sau khi tổ chức lại năm 2025",
        "Chi cục hải quan cũ nơi công ty làm thủ tục đã đổi tên. Khai mã cơ quan hải quan nào?",
        "Từ năm 2025 các đơn vị được tổ chức lại thành Chi cục Hải quan khu vực và các đội, hải quan cửa khẩu "
        "trực thuộc. Khai mã cơ quan hải quan và mã đội thủ tục theo danh mục mới công bố trên Cổng thông tin "
        "điện tử Hải quan; phần mềm khai báo cần cập nhật danh mục mới nhất.",
        5,
        9,
        1,
        MERGED,
    ),
    (
        "other",
        ("IDA", "EDA"),
        "vi",
        "Mã số thuế đơn vị phụ thuộc sau khi sáp nhập tỉnh",
        "Chi nhánh có mã số thuế 13 số, sau sáp nhập tỉnh chi nhánh được cấp mã mới thì khai hải quan thế nào?",
        "Khai theo mã số thuế đang hoạt động của chi nhánh trong đăng ký thuế. Nếu mã mới chưa có trên hệ "
        "thống hải quan, đó là dữ liệu chưa đồng bộ: gửi thư cho bộ phận hỗ trợ kèm cả mã cũ và mã mới.",
        2,
        3,
        1,
        MERGED,
    ),
)

DEMO_ANSWERS: tuple[Entry, ...] = ACCOUNTS + INCIDENTS + SINGLE_WINDOW + BOUNDARY


def seed_answers(session: Session, clock: Clock, by: str = "supervisor") -> Iterator[str]:
    """Publish the demo answers (when the base is empty) and record their uses on the demo's branch-2
    tickets of their group, and their "did this help?" answers."""
    if session.scalar(select(func.count()).select_from(AnswerEntry)):
        return
    service = AnswerService(session, clock)
    tickets = _tickets_by_group(session)
    taken: dict[str, int] = {}
    uses = 0
    for group, codes, language, title, question, answer, used, helped, not_helped, valid_from in DEMO_ANSWERS:
        fields: dict[str, Any] = {
            "title": title,
            "question": question,
            "answer": answer,
            "business_codes": list(codes),
            "problem_group": group,
            "language": language,
            "links": [PORTAL],
        }
        if valid_from is not None:
            fields["valid_from"] = valid_from
        entry = service.create(by=by, status="published", **fields)
        pool = tickets.get(group, [])
        for _ in range(used):
            if taken.get(group, 0) < len(pool):
                ticket_id, agent_id = pool[taken.get(group, 0)]
                taken[group] = taken.get(group, 0) + 1
                uses += service.record_use(entry.id, ticket_id, agent_id)
        for _ in range(helped):
            service.feedback(entry.id, True)
        for _ in range(not_helped):
            service.feedback(entry.id, False)
    session.commit()
    yield f"seeded {len(DEMO_ANSWERS)} published answers, used on {uses} demo calls"


def _tickets_by_group(session: Session) -> dict[str, list[tuple[int, int | None]]]:
    """The demo's wrapped-up branch-2 tickets per problem group (newest first): where answers were used."""
    rows = session.execute(
        select(Ticket.problem_group, Ticket.id, Ticket.agent_id)
        .where(Ticket.branch == 2, Ticket.wrapped_up_at.is_not(None), Ticket.problem_group.is_not(None))
        .order_by(Ticket.wrapped_up_at.desc())
    ).tuples()
    result: dict[str, list[tuple[int, int | None]]] = {}
    for group, ticket_id, agent_id in rows:
        result.setdefault(group, []).append((ticket_id, agent_id))
    return result

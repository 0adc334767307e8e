"""The demo answer base's texts (issue 16), written for this project: accounts and digital signatures,
and system incidents (National/ASEAN Single Window and the 2025 boundary change are in
demo_answers_procedures.py). Demo content, not the department's official guidance
(callcenter/ops/demo_answers.py enters them)."""

from __future__ import annotations

from datetime import date

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

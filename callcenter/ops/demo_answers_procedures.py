"""The demo answer base's texts (issue 16), written for this project: National/ASEAN Single Window, and
the 2025 boundary change and tax-code sync. Demo content, not the department's official guidance."""

from __future__ import annotations

from callcenter.ops.demo_answers_texts import MERGED, Entry

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

"""Answer search speed (issue 16): 100,000 generated Vietnamese answer entries, the search the desk and
the public page use (callcenter/answers/search.py: FTS5 on SQLite, the GIN tsvector index on PostgreSQL),
against a baseline in the same run: a plain ILIKE '%word%' scan of search_text (LIKE on SQLite), one
condition per word, with the same filters and the same order.

    .venv/bin/python bench/answer_search.py                                  # SQLite (bench/results/)
    .venv/bin/python bench/answer_search.py --create-database \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_answers

Every search ranks Vietnamese first (prefer_language="vi"), as the softphone and the public page ask.
Each query runs `--repeat` times after one warm-up; p50 and p99 of the wall time of one search (SQL,
rows and hits; no HTTP). Goal: p99 < 50 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, or_, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import RESULTS_DIR  # noqa: E402
from bench.database import bench_database, is_postgres  # noqa: E402
from callcenter.answers.fold import codes_text, fold  # noqa: E402
from callcenter.answers.search import AnswerSearch, clean_code  # noqa: E402
from models import AnswerEntry  # noqa: E402

DEFAULT_PATH = RESULTS_DIR / "answers_bench.db"
TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 3, tzinfo=UTC)
CODES = (
    "IDA IDB IDC IDD IDE IDA01 EDA EDB EDC EDD EDE EDA01 IAS IAE MSB MSC HYS OLA TEA TIA CEA CFS VAS SAA SEA".split()
)
GROUPS = ["accounts", "incidents", "single_window", "other"]
SUBJECTS = [
    "mật khẩu",
    "chữ ký số",
    "tài khoản VNACCS",
    "tờ khai nhập khẩu",
    "tờ khai xuất khẩu",
    "tờ khai sửa đổi",
    "Một cửa quốc gia",
    "Một cửa ASEAN",
    "giấy phép",
    "C/O mẫu D",
    "mã số thuế",
    "đơn vị hải quan",
    "phân luồng",
    "lệ phí",
    "thuế giá trị gia tăng",
    "hàng tạm nhập tái xuất",
    "kho ngoại quan",
    "hệ thống VCIS",
    "cổng thông tin",
    "chứng thư số",
    "token",
    "địa giới hành chính",
    "hóa đơn",
    "manifest",
    "vận đơn",
    "container",
    "kiểm tra chuyên ngành",
    "hồ sơ hải quan",
    "hoàn thuế",
    "ân hạn thuế",
]
PROBLEMS = [
    "không đăng nhập được",
    "bị khóa",
    "hết hạn",
    "không nhận",
    "báo lỗi",
    "không gửi được",
    "bị từ chối",
    "chậm phản hồi",
    "sai thông tin",
    "không đồng bộ",
    "không tìm thấy",
    "cần đăng ký",
    "cần sửa đổi",
    "cần hủy",
    "cần gia hạn",
    "trả về mã lỗi",
    "không hiển thị",
    "bị trùng",
]
FILLER = (
    "doanh nghiệp khai báo theo hướng dẫn của cục hải quan tỉnh thành phố chi cục kiểm tra sau thông quan "
    "người khai hải quan cần chuẩn bị hồ sơ đầy đủ gửi qua hệ thống điện tử trong giờ hành chính liên hệ "
    "bộ phận hỗ trợ kỹ thuật kiểm tra lại kết nối mạng phần mềm khai báo phiên bản mới nhất cập nhật danh mục "
    "theo thông tư quyết định công văn hiện hành thời hạn nộp thuế bảo lãnh ngân hàng thông quan hàng hóa"
).split()
ENGLISH = "password account declaration licence signature token portal error login expired customs tax".split()
PREFER = "vi"  # the softphone and the public page rank the caller's (the page's) language first
QUERIES = [  # (name, text, filters)
    ("words, no diacritics", "mat khau het han", {}),
    ("words, diacritics", "chữ ký số không nhận", {}),
    ("prefix (typing)", "to khai sua d", {}),
    ("words + code", "bi tu choi", {"business_code": "EDA"}),
    ("word + group", "token", {"group": "accounts"}),
    ("code only (screen pop)", "", {"business_code": "IDC", "group": "accounts"}),
    ("rare word", "ngoai quan tam nhap", {}),
    ("nothing found", "xyzzy", {}),
]


def entries(n: int, seed: int = 16) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        english = rnd.random() < 0.08
        subject, problem = rnd.choice(SUBJECTS), rnd.choice(PROBLEMS)
        if english:
            title = f"{rnd.choice(ENGLISH)} {rnd.choice(ENGLISH)} {i}"
            question = " ".join(rnd.choices(ENGLISH, k=20))
            answer = " ".join(rnd.choices(ENGLISH, k=30))
        else:
            title = f"{subject.capitalize()} {problem}"
            question = f"{subject} {problem} khi " + " ".join(rnd.choices(FILLER, k=rnd.randint(12, 30)))
            answer = f"Về {rnd.choice(SUBJECTS)}: " + " ".join(rnd.choices(FILLER, k=rnd.randint(25, 60)))
        codes = rnd.sample(CODES, rnd.choice((0, 1, 1, 2, 3)))
        start = TODAY - timedelta(days=rnd.randint(0, 900))
        rows.append(
            {
                "status": rnd.choices(("published", "proposed", "retired"), (90, 5, 5))[0],
                "title": title,
                "question": question,
                "answer": answer,
                "business_codes": codes,
                "codes_text": codes_text(codes),
                "problem_group": rnd.choice(GROUPS),
                "language": "en" if english else "vi",
                "links": [],
                "valid_from": start if rnd.random() < 0.3 else None,
                "valid_until": start + timedelta(days=365) if rnd.random() < 0.1 else None,
                "uses": rnd.randint(0, 200),
                "helped": rnd.randint(0, 40),
                "not_helped": rnd.randint(0, 10),
                "search_text": fold(f"{title} {question} {answer}"),
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    return rows


def load(url: str, n: int) -> float:
    engine = create_engine(url)
    started = time.perf_counter()
    rows = entries(n)
    with engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(AnswerEntry), rows[i : i + 5000])
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def baseline(session: Session, query: str, filters: dict[str, str]) -> list[int]:
    """The same search without the index: every word as ILIKE '%word%' over search_text."""
    words = fold(query).split()
    where = [
        AnswerEntry.status == "published",
        or_(AnswerEntry.valid_from.is_(None), AnswerEntry.valid_from <= TODAY),
        or_(AnswerEntry.valid_until.is_(None), AnswerEntry.valid_until >= TODAY),
        *[AnswerEntry.search_text.ilike(f"%{w}%") for w in words],
    ]
    if filters.get("business_code"):
        where.append(AnswerEntry.codes_text.like(f"% {clean_code(filters['business_code'])} %"))
    if filters.get("group"):
        where.append(AnswerEntry.problem_group == filters["group"])
    score = AnswerSearch.score(words, PREFER)
    return list(
        session.scalars(select(AnswerEntry.id).where(*where).order_by(score.desc(), AnswerEntry.id.desc()).limit(10))
    )


def timed(work: object, repeat: int) -> tuple[float, float, int]:
    work()  # type: ignore[operator]  # warm-up
    times = []
    found = 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(work())  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * len(times))) - 1)]
    return statistics.median(times), p99, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_PATH}")
    parser.add_argument("--create-database", action="store_true", help="create the PostgreSQL database, drop it after")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--baseline-repeat", type=int, default=30)
    args = parser.parse_args()
    if args.database_url == f"sqlite:///{DEFAULT_PATH}":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{DEFAULT_PATH}{suffix}").unlink(missing_ok=True)
    backend = "PostgreSQL" if is_postgres(args.database_url) else "SQLite"
    with bench_database(args.database_url, create=args.create_database) as url:
        seconds = load(url, args.entries)
        print(
            f"{backend}: {args.entries:,} entries loaded in {seconds:.1f} s;"
            f" repeat {args.repeat} (baseline {args.baseline_repeat})"
        )
        print(f"{'query':<26} {'hits':>4} {'p50 ms':>8} {'p99 ms':>8} | {'ILIKE p50':>9} {'ILIKE p99':>9}")
        engine = create_engine(url)
        with Session(engine) as session:
            search = AnswerSearch(session)
            for name, query, filters in QUERIES:
                p50, p99, found = timed(
                    lambda q=query, f=filters: search.search(q, today=TODAY, prefer_language=PREFER, **f), args.repeat
                )
                session.rollback()  # the misses counted by "nothing found" are not kept
                b50, b99, _n = timed(lambda q=query, f=filters: baseline(session, q, f), args.baseline_repeat)
                print(f"{name:<26} {found:>4} {p50:>8.2f} {p99:>8.2f} | {b50:>9.2f} {b99:>9.2f}")
        engine.dispose()


if __name__ == "__main__":
    main()

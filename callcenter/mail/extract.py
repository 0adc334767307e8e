"""What the desk can pick out of a mail's words: the business's tax code (mã số thuế, 10 digits or 10-3,
its check digit verified with python-stdnum's `stdnum.vn.mst`, the validator the wrap-up uses), the VNACCS
operation code (three capital letters the wrap-up knows), and words folded for matching (case and
Vietnamese diacritics ignored: "Thuế" = "thue")."""

from __future__ import annotations

import re
import unicodedata

from stdnum.exceptions import ValidationError
from stdnum.vn import mst

# VNACCS/VCIS operation codes an agent writes in the wrap-up's "Business code (VNACCS)" (circular
# 6853/TCHQ-VNACCS): declarations in (IDA…IEX) and out (EDA…EEX), amendments, low-value goods, attachments,
# temporary import/export, invoices, other declarations.
VNACCS_CODES = frozenset(
    {
        "IDA", "IDB", "IDC", "IDD", "IDE", "IEX", "IID",
        "EDA", "EDB", "EDC", "EDD", "EDE", "EEX",
        "AMA", "AMB", "AMC", "MIC", "MID", "MIE", "MEC", "MED", "MEE",
        "HYS", "MSB", "TIA", "TIB", "TEA", "TEB", "IVA", "OLA", "OLC", "CEA", "BIA", "BOA",
    }
)  # fmt: skip
CODE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{3})(?![A-Za-z0-9])")
TAX_RE = re.compile(r"(?<![\d\-])(\d{10})(?:\s?-\s?(\d{3})|(\d{3}))?(?![\d])")
TAX_WORDS = re.compile(r"(mst|ma so thue|tax code|tax id|ma so doanh nghiep|msdn|ma doanh nghiep)\W{0,6}$")
PHONE_PREFIXES = ("05", "07", "08", "09")  # mobile numbers are 10 digits too: without "MST" before, not a tax code


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), spaces collapsed: how rules and keywords compare words."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", bare.casefold()).strip()


def _valid(digits: str) -> bool:
    try:
        mst.validate(digits)
    except ValidationError:
        return False
    return True


def tax_code(text: str) -> str | None:
    """The first valid tax code ("0314409058" or "0314409058-002"); one after "MST"/"mã số thuế" first."""
    named: str | None = None
    plain: str | None = None
    for match in TAX_RE.finditer(text):
        branch = match.group(2) or match.group(3)
        digits = match.group(1) + (branch or "")
        if not _valid(digits):
            if branch and _valid(match.group(1)):
                digits, branch = match.group(1), None
            else:
                continue
        value = digits if not branch else f"{digits[:10]}-{digits[10:]}"
        before = fold(text[max(0, match.start() - 30) : match.start()])
        if TAX_WORDS.search(before):
            named = named or value
        elif not digits.startswith(PHONE_PREFIXES):
            plain = plain or value
        if named:
            break
    return named or plain


def business_code(text: str) -> str | None:
    """The first VNACCS operation code written in capitals as a word of its own (IDA, EDA, HYS…)."""
    for match in CODE_RE.finditer(text):
        if match.group(1) in VNACCS_CODES:
            return match.group(1)
    return None

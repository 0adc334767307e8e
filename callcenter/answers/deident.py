"""De-identifying a wrap-up's question and answer before they become a proposed answer entry.

What is replaced by a placeholder, in this order (the longest, most specific patterns first):
- the caller's own number(s) and name, wherever they appear (the call's number, the number the caller
  gave for a callback, an e-mail correspondent's address and display name), however the digits are spaced;
- e-mail addresses;
- declaration numbers: 12 digits;
- tax codes: 10 digits, or 10-3 for a branch unit (13 digits written together too);
- phone numbers: +84/84 or 0 followed by 8-10 digits, spaces, dots or dashes between them;
- any other run of 7 digits or more (an account, a case number …): kept out as well.
Only branch-2 tickets may be proposed (service.py checks it): nothing from branch 1 ever gets here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PLACEHOLDERS = {
    "vi": {
        "caller": "[người gọi]",
        "email": "[địa chỉ e-mail]",
        "declaration": "[số tờ khai]",
        "tax_code": "[mã số thuế]",
        "phone": "[số điện thoại]",
        "number": "[số]",
    },
    "en": {
        "caller": "[caller]",
        "email": "[e-mail address]",
        "declaration": "[declaration number]",
        "tax_code": "[tax code]",
        "phone": "[phone number]",
        "number": "[number]",
    },
}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
DECLARATION = re.compile(r"(?<!\d)\d{12}(?!\d)")
TAX_CODE = re.compile(r"(?<!\d)\d{10}(?:\s*-\s*\d{3}|\d{3})?(?!\d)")
PHONE = re.compile(r"(?<![\w+])(?:\+\s*84|84|0)(?:[\s.\-()]*\d){8,10}(?!\d)")
LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[\s.\-]?\d){6,}(?!\d)")


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _loose_digits(digits: str) -> re.Pattern[str]:
    """A number's digits, whatever spaces, dots, dashes or brackets sit between them."""
    return re.compile(r"(?<!\d)" + r"[\s.\-()]*".join(re.escape(d) for d in digits) + r"(?!\d)")


def _variants(number: str) -> set[str]:
    """A caller's number as it may be written: +84912345678 → 84912345678, 0912345678, 912345678."""
    digits = _digits(number)
    found = {digits} if len(digits) >= 6 else set()
    if digits.startswith("84") and len(digits) > 9:
        found |= {"0" + digits[2:], digits[2:]}
    elif digits.startswith("0") and len(digits) > 8:
        found |= {"84" + digits[1:], digits[1:]}
    return found


def deidentify(text: str, *, numbers: Iterable[str] = (), names: Iterable[str] = (), language: str = "vi") -> str:
    """`text` without the caller's numbers and names and without any phone number, e-mail address, tax
    code or declaration number (see the module's docstring)."""
    marks = PLACEHOLDERS.get(language, PLACEHOLDERS["vi"])
    result = text or ""
    for number in sorted({v for n in numbers if n for v in _variants(n)}, key=len, reverse=True):
        result = _loose_digits(number).sub(marks["caller"], result)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 3}, key=len, reverse=True):
        result = re.sub(re.escape(name), marks["caller"], result, flags=re.IGNORECASE)
    result = EMAIL.sub(marks["email"], result)
    result = DECLARATION.sub(marks["declaration"], result)
    result = TAX_CODE.sub(marks["tax_code"], result)
    result = PHONE.sub(marks["phone"], result)
    return LONG_NUMBER.sub(marks["number"], result)

"""Caller and dialled numbers, normalised to E.164 with `phonenumbers` (default region VN)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

from models import CallerKind

# What carriers and SIP trunks send for a withheld number.
WITHHELD_WORDS = {"", "anonymous", "restricted", "unknown", "private", "unavailable", "withheld", "266696687"}
_CLIENT_PREFIX = "client:"
_SIP_RE = re.compile(r"^sips?:([^@;]+)", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedNumber:
    """A number as we store it: E.164 when it could be parsed, and what kind of caller it is."""

    e164: str | None
    kind: CallerKind
    number_type: str | None = None


def parse_number(raw: str | None, region: str = "VN") -> ParsedNumber:
    """Normalise a From/To value: `+84 912…`, `84912…`, `0912…`, `sip:0912…@host`, `anonymous`."""
    value = (raw or "").strip()
    if value.lower().startswith(_CLIENT_PREFIX):
        return ParsedNumber(None, CallerKind.CLIENT)
    sip = _SIP_RE.match(value)
    if sip:
        value = sip.group(1)
    if value.lower().lstrip("+") in WITHHELD_WORDS:
        return ParsedNumber(None, CallerKind.WITHHELD)
    digits = re.sub(r"[\s().\-]", "", value)
    if not re.fullmatch(r"\+?\d{3,17}", digits):
        return ParsedNumber(None, CallerKind.UNPARSEABLE)
    candidates = [digits]
    if not digits.startswith("+") and digits.startswith("84") and len(digits) >= 10:
        candidates.insert(0, "+" + digits)  # "84912345678": country code without the plus
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            kind_name = _type_name(number)
            return ParsedNumber(e164, CallerKind.NUMBER, kind_name)
    return ParsedNumber(None, CallerKind.UNPARSEABLE)


def _type_name(number: phonenumbers.PhoneNumber) -> str:
    number_type = phonenumbers.number_type(number)
    for name in dir(phonenumbers.PhoneNumberType):
        if not name.startswith("_") and getattr(phonenumbers.PhoneNumberType, name) == number_type:
            return name.lower()
    return "unknown"


@functools.lru_cache(maxsize=8)
def hotline_e164s(hotline_numbers: tuple[str, ...], region: str = "VN") -> frozenset[str]:
    """The configured hotline numbers in E.164 (parsed once per process)."""
    return frozenset(e164 for e164 in (parse_number(n, region).e164 for n in hotline_numbers) if e164)


def is_hotline_number(dialled: str | None, hotline_numbers: list[str], region: str = "VN") -> bool:
    """True when `dialled` is one of the configured hotline numbers, whatever its format."""
    parsed = parse_number(dialled, region)
    return parsed.e164 is not None and parsed.e164 in hotline_e164s(tuple(hotline_numbers), region)


CALLBACK_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def callback_number(raw: str | None, region: str = "VN") -> str | None:
    """E.164 of a number we may call back: a valid Vietnamese mobile or landline, nothing else
    (no premium 1900 or free 1800 numbers, no foreign numbers: the hotline pays for the call)."""
    parsed = parse_number(raw, region)
    if parsed.e164 is None:
        return None
    number = phonenumbers.parse(parsed.e164)
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "VN":
        return None
    return parsed.e164 if phonenumbers.number_type(number) in CALLBACK_TYPES else None


def spoken_digits(e164: str) -> str:
    """A number as a caller knows it, digit by digit for text-to-speech: '0 9 1 2 3 4 5 6 7 8'."""
    national = phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
    return " ".join(ch for ch in national if ch.isdigit())


def support_numbers(entries: list[str], region: str = "VN") -> dict[str, str]:
    """Central support's numbers per field from config entries "group=number" (e.g.
    "accounts=024 3944 0001"), as E.164; ValueError names the entry that is not a phone number."""
    numbers: dict[str, str] = {}
    for entry in entries:
        group, sep, raw = entry.partition("=")
        parsed = parse_number(raw, region) if sep else ParsedNumber(None, CallerKind.UNPARSEABLE)
        if not group.strip() or parsed.e164 is None:
            raise ValueError(f"CENTRAL_SUPPORT_NUMBERS: {entry!r} is not group=phone-number")
        numbers[group.strip()] = parsed.e164
    return numbers

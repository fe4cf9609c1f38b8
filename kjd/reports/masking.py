"""Masked phone numbers and e-mail addresses for workbooks that travel.

A docket is forwarded between offices, so contacts are masked unless the
organising office requests them in full: 13800000001 → 138****0001,
zhang.san@example.com → z***@example.com.
"""

import re

# A phone number as people type it: digits with spaces, hyphens or a leading +.
_PHONE = re.compile(r"\+?\d[\d\- ]{5,}\d")
_EMAIL = re.compile(r"([^\s@;；,，、]+)@([^\s@;；,，、]+)")
_MOBILE = re.compile(r"1\d{10}")
_MIN_DIGITS = 7
_TAIL_DIGITS = 4


def mask_contacts(text: str | None) -> str | None:
    """Mask every phone number and e-mail address in `text`; keep the rest.

    Several numbers in one cell ("0431-85000000；13800000021") are each masked.
    """
    if not text:
        return text
    if _MOBILE.fullmatch(text):
        return mask_phone(text)
    if "@" in text:
        text = _EMAIL.sub(_mask_email_match, text)
    return _PHONE.sub(_mask_phone_match, text)


def mask_phone(phone: str) -> str:
    """Return a phone number with its middle digits as '*', separators kept.

    11-digit mobiles keep 3 + 4 digits (138****0001), numbers with an area code
    keep the area code and the last 4 digits (0431-****0000), a +86 prefix is
    kept as well. Fewer than 7 digits is not a phone number: returned unchanged.
    """
    if _MOBILE.fullmatch(phone):
        return f"{phone[:3]}****{phone[7:]}"
    digits = [ch for ch in phone if ch.isdigit()]
    if len(digits) < _MIN_DIGITS:
        return phone
    head = _head_digits(phone, digits)
    head = min(head, len(digits) - _TAIL_DIGITS - 3)
    hidden = range(max(head, 0), len(digits) - _TAIL_DIGITS)
    result = []
    position = 0
    for ch in phone:
        if ch.isdigit():
            result.append("*" if position in hidden else ch)
            position += 1
        else:
            result.append(ch)
    return "".join(result)


def mask_email(address: str) -> str:
    """Return an e-mail address with only the first character of the name kept."""
    name, _, domain = address.partition("@")
    if not domain:
        return address
    return f"{name[:1]}***@{domain}"


def _head_digits(phone: str, digits: list[str]) -> int:
    text = "".join(digits)
    if phone.lstrip().startswith("+86") or (text.startswith("86") and len(text) == 13):
        return 5
    first_group = re.match(r"\s*(\d+)", phone)
    if text.startswith("0") and first_group and len(first_group.group(1)) in (3, 4):
        return len(first_group.group(1))
    return 3


def _mask_phone_match(match: re.Match) -> str:
    return mask_phone(match.group(0))


def _mask_email_match(match: re.Match) -> str:
    return mask_email(match.group(0))

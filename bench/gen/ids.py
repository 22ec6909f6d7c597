"""Identifiers that look and check like the real ones.

* CNIPA application numbers since 2004: ``CN`` + 4-digit year + 1-digit type
  (1 invention, 2 utility model, 3 design) + 7-digit serial + ``.`` + check digit, where the
  check digit is the weighted sum (weights 2..9,2..5) of the 12 digits mod 11, ``X`` for 10.
* Unified social credit codes (GB 32100-2015): 18 characters whose last one is a mod-31
  check over the first 17; characters 9-17 are an organisation code (GB 11714) with its own
  mod-11 check.
"""

from __future__ import annotations

__all__ = ["cn_check_digit", "cn_application_number", "uscc", "USCC_CHARS"]

_CN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def cn_check_digit(digits12: str) -> str:
    """Check digit of a 12-digit CNIPA application number.

    >>> cn_check_digit("202110123456")
    '7'
    """
    if len(digits12) != 12 or not digits12.isdigit():
        raise ValueError(f"need 12 digits, got {digits12!r}")
    s = sum(int(d) * w for d, w in zip(digits12, _CN_WEIGHTS, strict=True)) % 11
    return "X" if s == 10 else str(s)


def cn_application_number(year: int, kind: int, serial: int) -> str:
    """``CN{year}{kind}{serial:07d}.{check}``; kind 1 invention, 2 utility, 3 design."""
    digits = f"{year:04d}{kind:d}{serial:07d}"
    return f"CN{digits}.{cn_check_digit(digits)}"


def _org_code(body8: str) -> str:
    s = sum(_ORG_CHARS.index(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    c = 11 - s % 11
    return body8 + ("X" if c == 10 else "0" if c == 11 else str(c))


def uscc(division_code: str, body8: str) -> str:
    """Unified social credit code of an enterprise (登记管理部门 9, 机构类别 1).

    Args:
        division_code: 6-digit administrative division code (e.g. ``230103``).
        body8: 8 characters from ``0-9`` and upper-case letters of ``USCC_CHARS``.
    """
    head = "91" + division_code + _org_code(body8)
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(head, _USCC_WEIGHTS, strict=True))
    return head + USCC_CHARS[(31 - s % 31) % 31]

"""CPT/HCPCS codes as the edit files carry them, and a compact integer form for fast pair keys.

A procedure code is five characters of 0-9 and A-Z (99214, 0001F, J1885). Read as a base-36 number
it fits in 26 bits, so an ordered pair of codes fits in one 64-bit integer: the PTP table is keyed
by that, which keeps 4.5 million rows small and a pair lookup one index probe.
"""

from __future__ import annotations

import re

PROCEDURE_CODE = re.compile(r"[0-9A-Z]{5}")
_BITS = 26  # 36**5 = 60,466,176 < 2**26
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(_DIGITS)}

# E/M services: office, hospital, consultation, emergency, critical care, nursing facility, home,
# prolonged, care management and preventive visits all sit in 99202-99499.
EM_FIRST, EM_LAST = "99202", "99499"


def is_procedure_code(text: str) -> bool:
    return PROCEDURE_CODE.fullmatch(text) is not None


def encode(code: str) -> int:
    """"99214" -> its base-36 value. Digits sort before letters, as in the files' own order."""
    value = 0
    for ch in code:
        value = value * 36 + _VALUE[ch]
    return value


def decode(value: int) -> str:
    chars = []
    for _ in range(5):
        value, digit = divmod(value, 36)
        chars.append(_DIGITS[digit])
    return "".join(reversed(chars))


def pair_key(column1: str, column2: str) -> int:
    return (encode(column1) << _BITS) | encode(column2)


def split_pair(key: int) -> tuple[str, str]:
    return decode(key >> _BITS), decode(key & ((1 << _BITS) - 1))


def is_evaluation_and_management(code: str) -> bool:
    return code.isdigit() and EM_FIRST <= code <= EM_LAST

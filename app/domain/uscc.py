"""统一社会信用代码 (Unified Social Credit Code) per GB 32100-2015."""
from app.domain import N_

# The 31 characters the standard allows (no I, O, Z, S, V), in value order.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


class USCCError(ValueError):
    """Why a code is invalid; `code` names the rule, the message is Chinese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 characters of a code."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=False))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return `code` if it is a valid USCC, else raise USCCError.

    Strict: exactly 18 half-width upper-case characters of the standard's
    alphabet with a correct check digit. Use `normalize_uscc` first to accept
    what people type (spaces, lower case, full-width characters).
    """
    if len(code) != LENGTH:
        raise USCCError("length", N_("统一社会信用代码应为18位，当前为%(n)d位") % {"n": len(code)})
    for c in code:
        if c not in ALPHABET:
            raise USCCError("charset", N_("统一社会信用代码含有不允许的字符“%(c)s”") % {"c": c})
    if check_digit(code[:17]) != code[17]:
        raise USCCError("check_digit", N_("统一社会信用代码校验位错误，请核对后重新输入"))
    return code


def normalize_uscc(raw: str) -> str:
    """Fold what people type into the canonical form: no spaces, half-width, upper case."""
    out = []
    for ch in raw.strip():
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:  # full-width ASCII block
            ch = chr(o - 0xFEE0)
        if ch.isspace() or ch == "\u3000":
            continue
        out.append(ch)
    return "".join(out).upper()


def is_valid_uscc(code: str) -> bool:
    """True when `code` passes `validate_uscc`."""
    try:
        validate_uscc(code)
    except USCCError:
        return False
    return True

"""Pure text helpers shared by import, entity resolution and matching.

No I/O and no logging here: each function takes a value and returns a value.
"""

import re
import unicodedata

_SPACE_OR_FORMAT = re.compile(
    r"[\s\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\u3000\u00a0]+"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_blank(value) -> bool:
    """Return True for None, NaN, and text that holds only spaces."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not remove_spaces(value)


def remove_spaces(text: str) -> str:
    """Remove every Unicode space and format character (Zs, Cf, U+3000, U+200B, BOM)."""
    text = _SPACE_OR_FORMAT.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Zs", "Cf"))


def match_key(text: str | None) -> str:
    """Return the comparison form of a name or code: NFKC, casefold, no spaces.

    This is the RapidFuzz `processor` role: 'ＡＢＳ防抱死' and 'abs防抱死' give the
    same key. Use it for comparison only, never for display.
    """
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return remove_spaces(folded)


def clean_line_breaks(text: str) -> str:
    """Turn `_x000D_`, CRLF and CR into '\\n' and drop other control characters."""
    text = text.replace("_x000D_\n", "\n").replace("_x000D_", "\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)

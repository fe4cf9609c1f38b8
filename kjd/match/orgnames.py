"""Organisation names in comparison form: keys and the parts of a name.

Keys are for comparison only, never for display. Three levels:

- `name_key`: NFKC, casefold, no spaces, simplified characters, one bracket form.
  It is the natural key of institute and enterprise records.
- `folded_key`: `name_key` without brackets, quotes and punctuation, with 中科院
  read as 中国科学院 and English qualifiers such as ", CAS" dropped.
  长春德茂（汽车）零部件有限公司 and 长春德茂汽车零部件有限公司 share it.
- `NameParts`: region, brand core, industry tail and legal form of a company, or
  parent, region, core and form of an institute, for fuzzy comparison.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

import opencc

from kjd.match.orgwords import (
    match_word_at,
    region_names,
    regions,
    strip_suffixes,
    word_ending,
    words,
)
from kjd.normalize import match_key

CAS = "中国科学院"
CAS_SHORT = "中科院"

_BRACKETS = str.maketrans("（【〔〖［｛[{）】〕〗］｝]}", "((((((((" + "))))))))")
_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")
_ENGLISH_CAS = re.compile(
    r"(^|[\s,;]+)(of\s+)?(the\s+)?(chinese\s+academy\s+of\s+sciences|cas)(?=$|[\s,;])",
    re.IGNORECASE,
)
_ASCII_LETTERS = re.compile(r"[A-Za-z]")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified ones (長春應化所 → 长春应化所)."""
    return _t2s().convert(text) if text else ""


@functools.lru_cache(maxsize=65536)
def name_key(name: str | None) -> str:
    """Return the natural key of an organisation name.

    NFKC, casefold, every Unicode space removed, traditional characters made
    simplified, every bracket written as ( or ) and quotes removed.
    """
    key = to_simplified(match_key(name)).translate(_BRACKETS)
    return _QUOTES.sub("", key)


@functools.lru_cache(maxsize=65536)
def folded_key(name: str | None) -> str:
    """Return `name_key` without punctuation, with 中科院 read as 中国科学院.

    English qualifiers naming the Chinese Academy of Sciences (", CAS") are
    dropped from names written in Latin letters.
    """
    text = str(name or "")
    if _ASCII_LETTERS.search(text):
        stripped = _ENGLISH_CAS.sub(" ", text).strip(" ,;")
        text = stripped or text
    key = name_key(text).replace(CAS_SHORT, CAS)
    return "".join(ch for ch in key if not _is_punctuation(ch))


def lookup_forms(name: str | None) -> list[str]:
    """Return the folded keys a name is looked up by: itself, and without 中国科学院.

    长春应用化学研究所 and 中国科学院长春应用化学研究所 then meet, and so do
    中科院长春光机所 and the alias 长春光机所.
    """
    key = folded_key(name)
    forms = [key] if key else []
    if key.startswith(CAS) and len(key) - len(CAS) >= 3:
        forms.append(key[len(CAS) :])
    return forms


def has_brackets(name: str | None) -> bool:
    """Return True when the name holds a bracket of any width."""
    return "(" in name_key(name)


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


@dataclass(frozen=True)
class NameParts:
    """The parts of an organisation name that comparison looks at.

    For 吉林省恒昌新能源科技有限公司: regions ('吉林省',), core '恒昌',
    tail '新能源' (generic words such as 科技 removed), legal_form '有限公司'.
    `bare` is the name without regions and legal form (恒昌新能源科技); it is
    what two names must share exactly when either core is empty, because
    a name made of stock words alone (吉林化纤) has no brand to compare.
    """

    folded: str
    regions: tuple[str, ...]
    parent: str
    core: str
    tail: str
    form: str
    bare: str


@functools.lru_cache(maxsize=65536)
def enterprise_parts(name: str) -> NameParts:
    """Split a company name into regions, brand core, industry tail, legal form."""
    key = name_key(name)
    key, inserted = _remove_bracketed_regions(key)
    folded = folded_key(key)
    rest, leading = _strip_leading_regions(folded)
    rest, legal = strip_suffixes(rest, words("legal_form"))
    rest, trailing = _strip_trailing_region(rest)
    core, tail = _split_core(rest)
    return NameParts(
        folded=folded,
        regions=tuple(inserted + leading + trailing),
        parent="",
        core=core,
        tail=_remove_words(tail, words("generic")),
        form="".join(reversed(legal)),
        bare=rest,
    )


@functools.lru_cache(maxsize=65536)
def institute_parts(name: str) -> NameParts:
    """Split an institute name into parent, regions, core and form.

    中国科学院长春应用化学研究所 → parent 中国科学院, regions ('长春',),
    core 应用化学, form 研究所. Region names are found anywhere in the name so
    that 中钢集团洛阳耐火材料研究院 and 中钢集团耐火材料研究院 share a core.
    """
    folded = folded_key(name)
    parent = match_word_at(folded, 0, words("parent"))
    rest = folded[len(parent) :]
    rest, found = _remove_regions_anywhere(rest)
    rest, forms = strip_suffixes(
        rest, words("institute_form") + words("legal_form"), keep_some=False
    )
    return NameParts(
        folded=folded,
        regions=tuple(found),
        parent=parent,
        core=rest,
        tail="",
        form="".join(reversed(forms)),
        bare=rest,
    )


def _remove_bracketed_regions(key: str) -> tuple[str, list[str]]:
    found: list[str] = []

    def replace(match: re.Match) -> str:
        inner = match.group(1)
        if inner in regions():
            found.append(inner)
            return ""
        return match.group(0)

    return re.sub(r"\(([^()]*)\)", replace, key), found


def _strip_leading_regions(text: str) -> tuple[str, list[str]]:
    found: list[str] = []
    while True:
        word = match_word_at(text, 0, region_names())
        if not word or len(word) >= len(text):
            return text, found
        found.append(word)
        text = text[len(word) :]


def _strip_trailing_region(text: str) -> tuple[str, list[str]]:
    for word in word_ending(text, region_names()):
        if len(text) > len(word) + 1:
            return text[: -len(word)], [word]
    return text, []


def _remove_regions_anywhere(text: str) -> tuple[str, list[str]]:
    found: list[str] = []
    kept: list[str] = []
    position = 0
    while position < len(text):
        word = match_word_at(text, position, region_names())
        if word:
            found.append(word)
            position += len(word)
        else:
            kept.append(text[position])
            position += 1
    return "".join(kept), found


@functools.cache
def _stock_words() -> tuple[str, ...]:
    return tuple(sorted(words("industry") + words("generic"), key=len, reverse=True))


def _split_core(text: str) -> tuple[str, str]:
    for position in range(len(text)):
        if match_word_at(text, position, _stock_words()):
            return text[:position], text[position:]
    return text, ""


def _remove_words(text: str, candidates: tuple[str, ...]) -> str:
    for word in candidates:
        text = text.replace(word, "")
    return text

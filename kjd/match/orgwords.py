"""Word lists for organisation names: legal forms, stock words, regions.

The lists live in data/org_words.csv (word, kind) and data/org_regions.csv
(name, level, province) so that staff can extend them without touching code.
"""

import csv
import functools
from dataclasses import dataclass

from kjd.paths import data_file

WORD_KINDS = (
    "legal_form",
    "generic",
    "industry",
    "institute_form",
    "parent",
    "department",
    "person",
    "vague",
)


@dataclass(frozen=True)
class Region:
    """A place name that may open or sit inside an organisation name."""

    name: str
    level: str
    province: str

    @property
    def stem(self) -> str:
        """The name without its 省/市/县/区 ending: 长春市 and 长春 compare equal."""
        if len(self.name) > 2 and self.name[-1] in "省市县区州":
            return self.name[:-1]
        return self.name


@functools.cache
def words(kind: str) -> tuple[str, ...]:
    """Return the words of one kind, longest first, in comparison form."""
    if kind not in WORD_KINDS:
        raise ValueError(f"unknown word kind: {kind}")
    with open(data_file("org_words.csv"), encoding="utf-8-sig", newline="") as f:
        found = {
            row["word"].strip().casefold()
            for row in csv.DictReader(f)
            if row["kind"].strip() == kind and row["word"].strip()
        }
    return tuple(sorted(found, key=lambda word: (-len(word), word)))


@functools.cache
def regions() -> dict[str, Region]:
    """Return every region name (full and short forms) mapped to its Region."""
    found: dict[str, Region] = {}
    with open(data_file("org_regions.csv"), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            name = row["name"].strip()
            if name and name not in found:
                found[name] = Region(
                    name, row["level"].strip(), row["province"].strip()
                )
    return found


@functools.cache
def region_names() -> tuple[str, ...]:
    """Return the region names, longest first, for greedy matching."""
    return tuple(sorted(regions(), key=lambda name: (-len(name), name)))


def match_word_at(text: str, start: int, candidates: tuple[str, ...]) -> str:
    """Return the longest word of `candidates` that starts at `start`, or ''.

    `candidates` must be sorted longest first, as `words` and `region_names`
    return them; the first word that matches is returned.
    """
    if start >= len(text):
        return ""
    for word in _by_first_character(candidates).get(text[start], ()):
        if text.startswith(word, start):
            return word
    return ""


def word_ending(text: str, candidates: tuple[str, ...]) -> list[str]:
    """Return the words of `candidates` that end `text`, in `candidates` order."""
    if not text:
        return []
    return [
        word
        for word in _by_last_character(candidates).get(text[-1], ())
        if text.endswith(word)
    ]


# Word lists indexed by their first or last character. The lists come from
# cached functions, so a list is recognised by its identity. The cache keeps a
# reference to each list, so no other list can take over its id.
_FIRST_CHARACTER: dict[int, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {}
_LAST_CHARACTER: dict[int, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {}


def _by_first_character(candidates: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return _indexed(_FIRST_CHARACTER, candidates, 0)


def _by_last_character(candidates: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return _indexed(_LAST_CHARACTER, candidates, -1)


def _indexed(cache: dict, candidates: tuple[str, ...], position: int) -> dict:
    entry = cache.get(id(candidates))
    if entry is not None and entry[0] is candidates:
        return entry[1]
    grouped: dict[str, list[str]] = {}
    for word in candidates:
        if word:
            grouped.setdefault(word[position], []).append(word)
    index = {character: tuple(group) for character, group in grouped.items()}
    if len(cache) > 64:
        cache.clear()
    cache[id(candidates)] = (candidates, index)
    return index


def strip_suffixes(
    text: str, candidates: tuple[str, ...], *, keep_some: bool = True
) -> tuple[str, list[str]]:
    """Remove words of `candidates` from the end of `text` while one matches.

    With `keep_some`, a word that is the whole remaining text stays.
    """
    removed: list[str] = []
    changed = True
    while changed and text:
        changed = False
        for word in candidates:
            if text.endswith(word) and (len(text) > len(word) or not keep_some):
                text = text[: -len(word)]
                removed.append(word)
                changed = True
                break
    return text, removed

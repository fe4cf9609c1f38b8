"""Text analysis for matching: folding, segmentation, stop words, synonyms, n-grams.

Every comparison runs on folded text: NFKC (full-width → half-width), casefold,
traditional → simplified characters, and no line breaks or spaces between Chinese
characters, so '压铸件\\n气孔' and '压铸件气孔' compare equal. Segmentation uses
rjieba (jieba's dictionary and algorithm, about 14 times faster) with the domain
dictionary of data/dict.txt added, in search mode so that a long dictionary term
also yields its parts (铝合金压铸 → 铝合金, 压铸).
"""

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import opencc
import rjieba

from kjd.errors import KjdError
from kjd.paths import data_file

logger = logging.getLogger(__name__)

DICT_FILE = "dict.txt"
STOPWORDS_FILE = "stopwords.txt"
SYNONYMS_FILE = "synonyms.csv"
BROADER_FILE = "broader.csv"

# Words whose term (or None for a stop word) is remembered: a province's rosters
# use a few hundred thousand distinct words, and each is looked up many times.
TERM_CACHE_SIZE = 1_000_000
_UNSEEN = object()

# Frequency given to a dictionary word whose line has none: high enough that
# jieba keeps the word whole instead of splitting it into common parts.
DEFAULT_WORD_FREQUENCY = 2000

_SPACES = re.compile(r"[\s\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_WORDLIKE = re.compile(rf"[{_CJK}a-z0-9]")
_NUMBER = re.compile(r"^[0-9.%\-+]+$")
_ASCII_WORD = re.compile(r"^[a-z0-9 ]+$")


class DictionaryUnreadable(KjdError):
    """A user dictionary file cannot be read or decoded."""

    code = "dictionary-unreadable"


@functools.lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def fold(text: str | None) -> str:
    """Return the comparison form of free text.

    NFKC and casefold (ＡＢＳ → abs), traditional → simplified (長春應化所 →
    长春应化所), every run of spaces and line breaks → one space, and no space
    next to a Chinese character. Use for comparison only, never for display.
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    folded = _t2s().convert(folded)
    folded = _SPACES.sub(" ", folded).strip()
    return _SPACE_NEXT_TO_CJK.sub("", folded)


def read_text_file(path: Path) -> str:
    """Read a text file saved as UTF-8 (with or without BOM) or GB18030/GBK.

    Notepad on Chinese Windows saves 'ANSI' as GBK, which GB18030 decodes.
    Line endings become '\\n'.

    Raises:
        DictionaryUnreadable: the file is missing or in neither encoding.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DictionaryUnreadable(
            f"无法读取词典文件 {path}：{exc}", path=str(path)
        ) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise DictionaryUnreadable(
        f"词典文件 {path} 既不是 UTF-8 也不是 GB18030/GBK 编码，请另存为 UTF-8。",
        path=str(path),
    )


@dataclass(frozen=True)
class DictionaryEntry:
    """One line of a jieba-style dictionary: word, optional frequency and tag."""

    word: str
    frequency: int | None = None
    tag: str | None = None


def parse_dictionary(text: str) -> list[DictionaryEntry]:
    """Parse jieba user-dictionary lines 'word [frequency] [tag]'.

    Blank lines and lines starting with '#' are skipped. The word is folded,
    so 'Ti-6Al-4V' and 'ＣＡＥ仿真' match folded text.
    """
    entries = []
    for line in text.split("\n"):
        parts = line.strip().split()
        if not parts or parts[0].startswith("#"):
            continue
        frequency = None
        tag = None
        rest = parts[1:]
        if rest and rest[0].isdigit():
            frequency = int(rest.pop(0))
        if rest:
            tag = rest[0]
        word = fold(parts[0])
        if word:
            entries.append(DictionaryEntry(word, frequency, tag))
    return entries


def load_dictionary(path: Path) -> list[DictionaryEntry]:
    """Read and parse a user dictionary file (UTF-8 with/without BOM, or GB18030)."""
    return parse_dictionary(read_text_file(path))


def load_word_list(path: Path) -> list[str]:
    """Read one folded word per line, skipping blanks and '#' comments."""
    words = []
    for line in read_text_file(path).split("\n"):
        word = fold(line.strip())
        if word and not word.startswith("#"):
            words.append(word)
    return words


def load_broader(path: Path) -> dict[str, tuple[str, ...]]:
    """Read broader.csv rows 'broader,narrower;narrower…' into narrower → classes."""
    mapping: dict[str, list[str]] = {}
    lines = read_text_file(path).split("\n")
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        broader, _, narrower = line.partition(",")
        broader = fold(broader)
        for term in narrower.split(";"):
            term = fold(term)
            if term and term != broader and broader not in mapping.get(term, []):
                mapping.setdefault(term, []).append(broader)
    return {term: tuple(classes) for term, classes in mapping.items()}


def load_synonyms(path: Path) -> dict[str, str]:
    """Read synonyms.csv rows 'canonical,variant;variant…' into variant → canonical."""
    mapping: dict[str, str] = {}
    lines = read_text_file(path).split("\n")
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        canonical, _, variants = line.partition(",")
        canonical = fold(canonical)
        for variant in variants.split(";"):
            variant = fold(variant)
            if variant and variant != canonical:
                mapping[variant] = canonical
    return mapping


@dataclass
class TextAnalyzer:
    """Turn folded text into matching terms and character n-grams.

    Terms are the segmenter's words in search mode, minus stop words, single
    characters and bare numbers, with each synonym replaced by its canonical
    word (减重 → 轻量化), plus the broader class of each term (聚丙烯 → 聚烯烃).
    The domain words of `dictionary` are added to the segmenter; `domain_hits`
    also finds them by substring where segmentation cuts across one.
    """

    dictionary: list[DictionaryEntry] = field(default_factory=list)
    stopwords: frozenset[str] = frozenset()
    synonyms: dict[str, str] = field(default_factory=dict)
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Pure ASCII words are not added: the segmenter keeps Latin words whole
        # anyway, and an added 'pe' would cut 'performance' into pe/rformance.
        self._segmenter = rjieba.Jieba()
        for entry in self.dictionary:
            if not _ASCII_WORD.match(entry.word):
                frequency = entry.frequency or DEFAULT_WORD_FREQUENCY
                self._segmenter.add_word(entry.word, frequency, entry.tag)
        classes = {c for names in self.broader.values() for c in names}
        for word in [*self.synonyms, *self.broader, *classes]:
            if not _ASCII_WORD.match(word):
                self._segmenter.add_word(word, DEFAULT_WORD_FREQUENCY, None)
        self.domain_words = frozenset(entry.word for entry in self.dictionary)
        self._phrases = _phrase_pattern(self.synonyms)
        self._term_of: dict[str, str | None] = {}

    def words(self, folded: str) -> list[str]:
        """Return the segmenter's search-mode words of folded text, unfiltered."""
        if self._phrases is not None:
            folded = self._phrases.sub(self._replace_phrase, folded)
        return self._segmenter.cut_for_search(folded)

    def _replace_phrase(self, found: re.Match) -> str:
        return f" {self.synonyms[found.group(0)]} "

    def terms(self, text: str | None, folded: bool = False) -> list[str]:
        """Return the matching terms of `text`, in order, repeats kept."""
        if not folded:
            text = fold(text)
        if not text:
            return []
        terms = []
        cache = self._term_of
        for word in self.words(text):
            term = cache.get(word, _UNSEEN)
            if term is _UNSEEN:
                term = self.canonical(word)
                term = term if self.is_term(term) else None
                if len(cache) < TERM_CACHE_SIZE:
                    cache[word] = term
            if term is not None:
                terms.append(term)
        if self.broader:
            terms.extend(self.broader_terms(terms))
        return terms

    def broader_terms(self, terms: Iterable[str]) -> list[str]:
        """Return the broader class of each distinct term, once each.

        Two texts about different members of one class (聚丙烯, 聚乙烯) then
        share the class term (聚烯烃), weighted by its idf like any other term.
        """
        classes: list[str] = []
        for term in dict.fromkeys(terms):
            for broader in self.broader.get(term, ()):
                if broader not in classes:
                    classes.append(broader)
        return classes

    def canonical(self, word: str) -> str:
        """Return the canonical form of a word (its synonym group head)."""
        return self.synonyms.get(word, word)

    def is_term(self, word: str) -> bool:
        """Return True when a word carries technical meaning."""
        if len(word) < 2 or word in self.stopwords:
            return False
        if _NUMBER.match(word):
            return False
        return _WORDLIKE.search(word) is not None

    def domain_hits(self, text: str | None) -> list[str]:
        """Return the domain dictionary words that occur in `text`, by substring."""
        folded = fold(text)
        return [word for word in self.domain_words if word in folded]


def _phrase_pattern(synonyms: dict[str, str]) -> re.Pattern | None:
    # Variants of several Latin words ('carbon fiber') never survive segmentation
    # as one word, so they are replaced by their canonical word beforehand.
    phrases = sorted((v for v in synonyms if " " in v), key=len, reverse=True)
    if not phrases:
        return None
    alternatives = "|".join(map(re.escape, phrases))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def char_ngrams(folded: str, sizes: Iterable[int] = (2, 3)) -> list[str]:
    """Return the character n-grams of each run of Chinese characters.

    The fallback for words the dictionary does not know: two texts that share a
    rare 3-character sequence share a term even when jieba cut them differently.
    """
    grams = []
    for run in _CJK_RUN.findall(folded):
        for size in sizes:
            grams.extend(run[i : i + size] for i in range(len(run) - size + 1))
    return grams


def default_analyzer(user_dictionary: Path | None = None) -> TextAnalyzer:
    """Build the analyzer from data/dict.txt, stopwords.txt, synonyms.csv.

    Args:
        user_dictionary: another dictionary file whose words are added to
            data/dict.txt (UTF-8 with or without BOM, or GB18030).
    """
    return _cached_analyzer(str(user_dictionary) if user_dictionary else "")


@functools.lru_cache(maxsize=4)
def _cached_analyzer(user_dictionary: str) -> TextAnalyzer:
    dictionary = load_dictionary(data_file(DICT_FILE))
    if user_dictionary:
        dictionary += load_dictionary(Path(user_dictionary))
    stopwords = frozenset(load_word_list(data_file(STOPWORDS_FILE)))
    synonyms = load_synonyms(data_file(SYNONYMS_FILE))
    broader = load_broader(data_file(BROADER_FILE))
    logger.debug(
        "analyzer: %d dictionary words, %d stop words, %d synonyms, %d broader",
        len(dictionary),
        len(stopwords),
        len(synonyms),
        len(broader),
    )
    return TextAnalyzer(
        dictionary=dictionary, stopwords=stopwords, synonyms=synonyms, broader=broader
    )

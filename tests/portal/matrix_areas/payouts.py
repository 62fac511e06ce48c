"""Authorization cases for the portal's payouts URLs (``piquetickets/portal/urls/payouts.py``).

See ``tests/portal/matrix.py`` for the callers, the world and the helpers imported here.
"""

from __future__ import annotations

from tests.portal.matrix import Case, expect  # noqa: F401

CASES: dict[str, list[Case]] = {}

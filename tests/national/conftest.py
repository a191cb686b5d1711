from __future__ import annotations

from tests.evaluations import conftest as evaluation_fixtures

world = evaluation_fixtures.world  # the 2030 test cycle, shared with tests/evaluations

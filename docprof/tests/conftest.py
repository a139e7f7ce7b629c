import pytest

from docprof.tests.world import build_world


@pytest.fixture
def world(db):
    """alice's objects of every type, bob, staff (see docprof/tests/world.py)."""
    return build_world()

import pytest

from .world import build


@pytest.fixture
def upm(db):
    return build()

import pytest

from ..venue_world import make_venue


@pytest.fixture
def venue(db):
    return make_venue()

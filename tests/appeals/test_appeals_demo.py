"""AP-3 in the demo: a commission of five approved before the remote stage, appeal.chair@ elected chair."""

import pytest

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.appeals.models import Commission
from profmaster.demo import data

pytestmark = pytest.mark.django_db


def test_ap3_demo_commission_of_five_with_its_elected_chair():
    championship = data.load_demo()
    data.load_demo()  # idempotent
    commission = Commission.objects.get(championship=championship)
    assert commission.state == "approved" and commission.members.count() == 5
    assert commission.chair.email == "appeal.chair@profmaster.local"
    assert commission.elections.get().ballots.count() == 3
    assert list(RoleAssignment.objects.filter(championship=championship, role=Role.APPEAL_CHAIR)
                .values_list("user__email", flat=True)) == ["appeal.chair@profmaster.local"]
    assert commission.approved_at.date().isoformat() == "2023-02-17"

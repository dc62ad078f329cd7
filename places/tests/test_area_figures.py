"""The area page's figures are the registry's: "in service" is who should report there (the
reconciliation's rule), the same on the page, its children's rows and the home; each card opens its list."""

from datetime import date

import pytest
from django.urls import reverse

from checkin.pairing_actions import create_unit_pairing
from checkin.reconciliation import Period, rates_by_area
from gongjian.testing import id_number
from orgs.actions import create_unit
from orgs.models import UnitKind
from people.actions import MemberData, save_member

pytestmark = pytest.mark.django_db


def test_a_member_with_no_home_counts_where_their_unit_is_paired(client, cast):
    p = cast.places
    unit = create_unit(acting_user=None, name="远方单位", kind=UnitKind.PRIVATE_FIRM, address_area=p.a2)
    create_unit_pairing(acting_user=cast.street, unit=unit, community=p.a1, started_on=date(2020, 1, 1))
    data = MemberData(
        name="孙无家", id_number=id_number(77), phone="", party_org=p.org_a1, unit=unit, in_service=True
    )
    save_member(acting_user=None, data=data)
    rate = rates_by_area([p.a1, p.street_a], Period.of("month"))
    cast.login(client, "street")
    page = client.get(reverse("places:area_detail", args=[p.street_a.public_id]))
    assert page.context["own"].in_service == rate[p.street_a.pk].members == 4  # 3 living there + 孙无家
    a1_row = next(row for row in page.context["rows"] if row["obj"] == p.a1)
    assert a1_row["counts"].in_service == rate[p.a1.pk].members == 3
    # members is who lives there (张三丰, 赵六 and the retired 钱七); 孙无家 has no home on record
    assert a1_row["counts"].members == 3
    home = client.get(reverse("portal:home"))
    (held,) = home.context["areas"]
    assert {f.key: f.value for f in held["figures"]}["in_service"] == 4


def test_every_card_on_the_area_page_opens_its_list(client, cast):
    cast.login(client, "street")
    page = client.get(reverse("places:area_detail", args=[cast.places.street_a.public_id]))
    cards = page.context["own_figures"]
    assert [f.key for f in cards] == ["members", "in_service", "residents", "units", "party_orgs"]
    for card in cards:
        assert card.url, card.key
        assert client.get(card.url).status_code == 200, card.key
    members = client.get(cards[0].url)
    assert members.context["table"].paginator.count == page.context["own"].members

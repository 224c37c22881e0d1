"""The data steps of the service desk's migrations, run on the demo year and on orders of the test's own:
every rating given so far recovered from the timelines and the audit log (a reopening used to erase the
order's rating), and each order's first reply from its steps."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from tests.servicedesk.conftest import act, drive, on, reach
from zoneops.accounts.models import User
from zoneops.servicedesk import selectors
from zoneops.servicedesk.models import OrderDayStat, OrderRating, ServiceOrder

pytestmark = pytest.mark.django_db

ratings_step = importlib.import_module("zoneops.servicedesk.migrations.0005_order_ratings")
replies_step = importlib.import_module(
    "zoneops.servicedesk.migrations.0007_acceptance_and_first_reply_reminders"
)


def recorded() -> list[tuple[int, int, str, dt.datetime, int | None]]:
    return list(
        OrderRating.objects.order_by("order_id", "rated_at", "pk").values_list(
            "order_id", "rating", "comment", "rated_at", "rated_by_id"
        )
    )


def test_every_rating_is_recovered_from_the_history() -> None:
    # One of the test's own: rated 2, the office calls back (reopening it), rated 4 after the new answer.
    order = reach("confirmed")
    with on(dt.date(2022, 5, 10)):
        act(order, "rate", rating=2, note="太慢")
    with on(dt.date(2022, 5, 11)):
        act(order, "reopen", "admin", note="回访后重新办理")
        drive(order, "answer", "confirm")
        act(order, "rate", rating=4, note="好了")
    given = recorded()
    admin = User.objects.get(username="admin")
    stats = selectors.statistics(
        user=admin, first=dt.date(2021, 5, 1), last=dt.date(2022, 5, 31), today=dt.date(2022, 5, 8)
    )
    # As before the migration: no rating rows, the cells without them.
    OrderRating.objects.all().delete()
    OrderDayStat.objects.all().delete()
    ratings_step._ratings_from_history(apps, None)
    assert recorded() == given
    assert len(given) == 139 + 2  # the demo year's and the test's
    mine = OrderRating.objects.filter(order=order).order_by("rated_at")
    # The bad rating the order was reopened after counts as followed up then, by whom reopened it.
    assert [(r.rating, r.followed_up_by == admin, r.followed_up_at is not None) for r in mine] == [
        (2, True, True),
        (4, False, False),
    ]
    rebuilt = selectors.statistics(
        user=admin, first=dt.date(2021, 5, 1), last=dt.date(2022, 5, 31), today=dt.date(2022, 5, 8)
    )
    assert rebuilt == stats


def test_the_first_replies_are_recovered_from_the_steps() -> None:
    waited = reach("in_progress")
    with on(dt.date(2022, 5, 10)):
        act(waited, "wait", note="请补充材料")
    with on(dt.date(2022, 5, 12)):
        act(waited, "resume")
        act(waited, "answer")
    silent = reach("in_progress")
    replied = dict(ServiceOrder.objects.filter(replied_on__isnull=False).values_list("pk", "replied_on"))
    assert replied[waited.pk] == dt.date(2022, 5, 10)
    assert silent.pk not in replied
    ServiceOrder.objects.update(replied_on=None)
    replies_step._first_replies(apps, None)
    assert (
        dict(ServiceOrder.objects.filter(replied_on__isnull=False).values_list("pk", "replied_on")) == replied
    )

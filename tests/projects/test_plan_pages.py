"""The pages that plan a key project: create and edit it, add and change its milestones. For every role:
the key project office and the zone administrator plan, other staff get 403, an enterprise contact 403 on
its own project and 404 on another's. Bad input is answered in the reader's language next to the field,
with nothing written."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import ROLES
from tests.projects.conftest import HpProject
from zoneops.accounts.models import Department, User, Zone
from zoneops.chains.models import ChainNode, Cluster
from zoneops.core.models import AuditEvent
from zoneops.enterprises.models import Enterprise
from zoneops.projects.models import KeyProject, Milestone

pytestmark = pytest.mark.django_db

PLANNERS = ("admin", "projects")


def _status(username: str, *, own: bool = True) -> int:
    if username in PLANNERS:
        return 200
    if username == "weigao" and own:
        return 404  # HP's project is not weigao's: it does not exist for its contact
    return 403


@pytest.mark.parametrize("username", ROLES)
def test_every_role_on_the_plan_pages_and_their_links(
    page_as: Any, hp_project: HpProject, username: str
) -> None:
    client = page_as(username)
    project = hp_project.project
    assert client.get("/projects/new/").status_code == _status(username, own=False)
    assert client.get(f"/projects/{project.pk}/edit/").status_code == _status(username)
    assert client.get(f"/projects/{project.pk}/milestones/").status_code == _status(username)
    board = client.get("/projects/").content.decode()
    assert ('href="/projects/new/"' in board) is (username in PLANNERS)
    page = client.get(f"/projects/{project.pk}/")
    if username == "weigao":
        assert page.status_code == 404
    else:
        text = page.content.decode()
        assert (f'href="/projects/{project.pk}/edit/"' in text) is (username in PLANNERS)
        assert (f'href="/projects/{project.pk}/milestones/"' in text) is (username in PLANNERS)


@pytest.mark.parametrize("username", [r for r in ROLES if r not in PLANNERS])
def test_no_other_role_writes_a_plan(page_as: Any, hp_project: HpProject, zone: Zone, username: str) -> None:
    client = page_as(username)
    project = hp_project.project
    counts = (KeyProject.objects.count(), Milestone.objects.count(), AuditEvent.objects.count())
    data = _create_data(zone)
    assert client.post("/projects/new/", data).status_code == 403
    assert client.post(f"/projects/{project.pk}/edit/", data).status_code == _status(username)
    milestone = hp_project.milestone
    changed = {"milestone": str(milestone.pk), **_milestone_data(f"m{milestone.pk}", name="改名")}
    assert client.post(f"/projects/{project.pk}/milestones/", changed).status_code == _status(username)
    assert (KeyProject.objects.count(), Milestone.objects.count(), AuditEvent.objects.count()) == counts
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert (project.name, milestone.name) == ("惠普品牌产业园打印机项目", "竣工")


def _create_data(zone: Zone, **extra: str) -> dict[str, str]:
    cluster = Cluster.objects.get(zone=zone, code="medical")
    node = ChainNode.objects.filter(chain__cluster=cluster).order_by("pk").first()
    assert node is not None
    return {
        "name": "医用导管扩产项目",
        "code": "WH-2022-201",
        "year": "2022",
        "level": "municipal",
        "project_type": "new_start",
        "status": "preparing",
        "cluster": str(cluster.pk),
        "chain_node": str(node.pk),
        "owner": str(Enterprise.objects.get(zone=zone, short_name="威高").pk),
        "total_investment": "35,000",
        "planned_investment": "12000.5",
        "construction_content": "新建导管生产线8条。",
        "capacity_target": "20000000",
        "capacity_unit": "支/年",
        "expected_output": "60000",
        "planned_start": "2022-06-01",
        "planned_completion": "2023-06-30",
        "leader": str(User.objects.get(username="leader").pk),
        "department": str(Department.objects.get(zone=zone, code="projects").pk),
        "officer": str(User.objects.get(username="projects").pk),
        **extra,
    }


@pytest.mark.parametrize("username", PLANNERS)
def test_a_planner_creates_a_project_with_every_field(page_as: Any, zone: Zone, username: str) -> None:
    data = _create_data(zone)
    response = page_as(username).post("/projects/new/", data)
    project = KeyProject.objects.get(zone=zone, year=2022, code="WH-2022-201")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    assert {
        "name": project.name,
        "level": project.level,
        "project_type": project.project_type,
        "status": project.status,
        "cluster": project.cluster_id,
        "chain_node": project.chain_node_id,
        "owner": project.owner_id,
        "total_investment": project.total_investment,
        "planned_investment": project.planned_investment,
        "construction_content": project.construction_content,
        "capacity_target": project.capacity_target,
        "capacity_unit": project.capacity_unit,
        "expected_output": project.expected_output,
        "planned_start": project.planned_start,
        "planned_completion": project.planned_completion,
        "leader": project.leader_id,
        "department": project.department_id,
        "officer": project.officer_id,
    } == {
        "name": "医用导管扩产项目",
        "level": "municipal",
        "project_type": "new_start",
        "status": "preparing",
        "cluster": int(data["cluster"]),
        "chain_node": int(data["chain_node"]),
        "owner": int(data["owner"]),
        # Entered in 10,000 yuan, kept in yuan.
        "total_investment": Decimal("350000000.00"),
        "planned_investment": Decimal("120005000.00"),
        "construction_content": "新建导管生产线8条。",
        "capacity_target": Decimal("20000000.00"),
        "capacity_unit": "支/年",
        "expected_output": Decimal("600000000.00"),
        "planned_start": dt.date(2022, 6, 1),
        "planned_completion": dt.date(2023, 6, 30),
        "leader": int(data["leader"]),
        "department": int(data["department"]),
        "officer": int(data["officer"]),
    }
    audited = AuditEvent.objects.get(action="project.create", object_id=str(project.pk))
    assert audited.actor_label == username
    # Evaluated with its plan: it starts in June, so nothing is due yet.
    assert (project.warning_level, project.warning_checked_on) == ("green", dt.date(2022, 5, 8))


def test_the_edit_form_shows_the_plan_and_saves_a_change(page_as: Any, hp_project: HpProject) -> None:
    project = hp_project.project
    client = page_as("projects")
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    assert (form.initial["total_investment"], form.initial["planned_investment"]) == ("500000", "180000")
    assert (form.initial["code"], form.initial["planned_completion"]) == ("SD-2022-001", dt.date(2022, 5, 31))
    data = {k: "" if v is None else str(v) for k, v in form.initial.items()}
    data.update(planned_completion="2022-08-31", status="under_construction")
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.planned_completion, project.total_investment) == (dt.date(2022, 8, 31), Decimal("5E+9"))
    audited = AuditEvent.objects.get(action="project.update", object_id=str(project.pk))
    assert (audited.before, audited.after) == (
        {"planned_completion": "2022-05-31"},
        {"planned_completion": "2022-08-31"},
    )
    # The later completion takes the lateness off the project's warnings at once.
    assert "completion_late" not in project.warning_rules


def test_a_deactivated_leader_stays_only_on_the_plan_that_names_them(
    page_as: Any, hp_project: HpProject, zone: Zone
) -> None:
    project = hp_project.project
    leader = User.objects.get(username="leader")
    assert project.leader_id == leader.pk
    hired = User.objects.create_user(username="leader-new", zone=zone, role="leader")
    User.objects.filter(pk=leader.pk).update(is_active=False)
    client = page_as("projects")
    offered = client.get("/projects/new/").context["form"].fields["leader"].choices
    assert [value for value, _label in offered] == ["", hired.pk]
    # The project it leads still shows it, so its plan saves unchanged.
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    assert [value for value, _label in form.fields["leader"].choices] == ["", hired.pk, leader.pk]
    data = {k: "" if v is None else str(v) for k, v in form.initial.items()}
    data.update(planned_completion="2022-08-31")
    assert client.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert (project.leader_id, project.planned_completion) == (leader.pk, dt.date(2022, 8, 31))


def test_a_deactivated_officer_stays_only_on_the_plan_that_names_them(
    page_as: Any, hp_project: HpProject
) -> None:
    # A project's officer who left the zone's staff.
    project = hp_project.project
    assert project.officer is not None
    officer = User.objects.create_user(
        username="officer-left", zone=project.zone, role="department_staff", department=project.department
    )
    KeyProject.objects.filter(pk=project.pk).update(officer=officer)
    User.objects.filter(pk=officer.pk).update(is_active=False)
    client = page_as("projects")
    offered = [
        value for value, _label in client.get("/projects/new/").context["form"].fields["officer"].choices
    ]
    assert officer.pk not in offered
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    assert [value for value, _label in form.fields["officer"].choices] == [*offered, officer.pk]
    data = {k: "" if v is None else str(v) for k, v in form.initial.items()}
    data.update(planned_completion="2022-08-31")
    assert client.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert (project.officer_id, project.planned_completion) == (officer.pk, dt.date(2022, 8, 31))


def _errors(response: Any) -> list[tuple[str, str]]:
    block = re.search(r'data-testid="form-errors"><ul>(.*?)</ul>', response.content.decode(), re.S)
    assert block is not None
    found = re.findall(r'<li><a href="#id_[\w-]+">([^<]+)</a>: ([^<]+)</li>', block.group(1))
    return [(html.unescape(label), html.unescape(message)) for label, message in found]


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        ({"total_investment": "abc"}, [("总投资（万元）", "请输入数字。")]),
        ({"planned_investment": "-1"}, [("年度计划（万元）", "请输入不小于 0 的数。")]),
        ({"planned_completion": "2022-01-01"}, [("计划竣工", "竣工日期不能早于开工日期。")]),
        ({"code": "SD-2022-001"}, [("代码", "本年度已有项目使用此编号。")]),
        ({"name": ""}, [("名称", "此项为必填项。")]),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    page_as: Any, zone: Zone, extra: dict[str, str], errors: list[tuple[str, str]]
) -> None:
    counts = (KeyProject.objects.count(), AuditEvent.objects.count())
    response = page_as("projects").post("/projects/new/", _create_data(zone, **extra))
    assert response.status_code == 422
    assert _errors(response) == errors
    assert (KeyProject.objects.count(), AuditEvent.objects.count()) == counts


def test_a_chain_node_of_another_cluster_is_refused(page_as: Any, hp_project: HpProject, zone: Zone) -> None:
    project = hp_project.project
    client = page_as("admin")
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {k: "" if v is None else str(v) for k, v in form.initial.items()}
    foreign = ChainNode.objects.exclude(chain__cluster=project.cluster).order_by("pk").first()
    assert foreign is not None
    before = (project.chain_node_id, AuditEvent.objects.count())
    response = client.post(f"/projects/{project.pk}/edit/", {**data, "chain_node": str(foreign.pk)})
    assert response.status_code == 422
    assert _errors(response) == [("链条环节", "该链条环节不属于项目所在的产业集群。")]
    project.refresh_from_db()
    assert (project.chain_node_id, AuditEvent.objects.count()) == before


def _milestone_data(prefix: str, **values: str) -> dict[str, str]:
    fields = {"kind": "other", "name": "首台下线", "planned_date": "2022-05-20", "actual_date": "", **values}
    return {f"{prefix}-{k}": v for k, v in fields.items()}


def test_milestones_are_added_and_their_dates_changed(page_as: Any, hp_project: HpProject) -> None:
    project = hp_project.project
    client = page_as("projects")
    url = f"/projects/{project.pk}/milestones/"
    page = client.get(url).content.decode()
    assert page.count('data-testid="milestone-row"') == 7 + 1
    added = client.post(url, {"milestone": "new", **_milestone_data("new")})
    assert added.status_code == 302
    assert added["Location"] == url
    new = Milestone.objects.get(project=project, name="首台下线")
    assert (new.kind, new.planned_date, new.actual_date, new.sort_order) == (
        "other",
        dt.date(2022, 5, 20),
        None,
        7,
    )
    # The completion milestone (planned 2022-05-31) is reached early: its actual date is recorded.
    done = hp_project.milestone
    changed = client.post(
        url,
        {
            "milestone": str(done.pk),
            **_milestone_data(f"m{done.pk}", kind="completion", name="竣工", planned_date="2022-05-31")
            | {f"m{done.pk}-actual_date": "2022-05-06"},
        },
    )
    assert changed.status_code == 302
    done.refresh_from_db()
    assert (done.planned_date, done.actual_date) == (dt.date(2022, 5, 31), dt.date(2022, 5, 6))
    assert list(
        AuditEvent.objects.filter(action="project.milestone_save", object_id__in=[str(new.pk), str(done.pk)])
        .order_by("pk")
        .values_list("object_id", "after")
    ) == [
        (
            str(new.pk),
            {
                "id": new.pk,
                "project_id": project.pk,
                "kind": "other",
                "name": "首台下线",
                "planned_date": "2022-05-20",
                "sort_order": 7,
            },
        ),
        (str(done.pk), {"actual_date": "2022-05-06"}),
    ]
    project.refresh_from_db()
    assert project.warning_checked_on == dt.date(2022, 5, 8)


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"actual_date": "2022-05-09"}, [("实际日期", "节点完成日期不能晚于今天。")]),
        ({"planned_date": "5月20日"}, [("计划日期", "输入一个有效的日期。")]),
        ({"name": " "}, [("名称", "此项为必填项。")]),
        ({"kind": "party"}, [("类型", "选择一个有效的选项。 party 不在可用的选项中。")]),
    ],
)
def test_a_bad_milestone_names_the_field_and_saves_nothing(
    page_as: Any, hp_project: HpProject, values: dict[str, str], errors: list[tuple[str, str]]
) -> None:
    milestone = hp_project.milestone
    before = (Milestone.objects.count(), AuditEvent.objects.count(), milestone.updated_at)
    response = page_as("admin").post(
        f"/projects/{hp_project.project.pk}/milestones/",
        {"milestone": str(milestone.pk), **_milestone_data(f"m{milestone.pk}", **values)},
    )
    assert response.status_code == 422
    assert _errors(response) == errors
    milestone.refresh_from_db()
    assert (Milestone.objects.count(), AuditEvent.objects.count(), milestone.updated_at) == before


def test_a_milestone_of_another_project_is_not_found(page_as: Any, hp_project: HpProject, zone: Zone) -> None:
    other = Milestone.objects.exclude(project=hp_project.project).order_by("pk").first()
    assert other is not None
    before = (other.name, AuditEvent.objects.count())
    response = page_as("projects").post(
        f"/projects/{hp_project.project.pk}/milestones/",
        {"milestone": str(other.pk), **_milestone_data(f"m{other.pk}", name="改名")},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert (other.name, AuditEvent.objects.count()) == before

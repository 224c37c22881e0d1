"""Pages of the service desk for every role: the queues, the filing form with its htmx partials, the
order page with its steps and files, the dispatcher's board, statistics with Excel, the rating link."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.conftest import ROLES, demo_user
from tests.servicedesk.conftest import (
    EXE,
    PDF,
    PNG,
    act,
    department,
    drive,
    file_order,
    lease,
    legal,
    on,
    reach,
    statistics_scenario,
    stored_files,
)
from zoneops.core.excel import XLSX
from zoneops.servicedesk import services
from zoneops.servicedesk.models import OrderAttachment, OrderRating, ServiceOrder, ServiceType

pytestmark = pytest.mark.django_db

SEES = ("hp", "admin", "leader", "supervisor", "invest")  # who sees hp's factory-lease order
FILES = ("hp", "admin", "invest")  # who may attach to it


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def text(response: Any) -> str:
    return str(response.content.decode())


def step_buttons(page: str) -> list[str]:
    return re.findall(r'data-testid="step-([a-z_]+)"', page)


def timeline_actions(page: str) -> list[str]:
    section = page.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li data-action="([a-z_0-9]+)"', section)


def flash(page: str) -> list[tuple[str, str]]:
    """The messages above the page's content: (level, text)."""
    shown = re.search(r'<ul class="messages">(.*?)</ul>', page, re.S)
    found = re.findall(r'<li class="(\w+)">(.*?)</li>', shown.group(1)) if shown else []
    return [(tag, htmllib.unescape(body)) for tag, body in found]


def field_errors(page: str) -> dict[str, str]:
    """The error shown under each field of a form, by the ``for`` of the field's label."""
    found: dict[str, str] = {}
    for chunk in page.split('<div class="field')[1:]:
        label = re.search(r'<label for="([^"]+)"', chunk)
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', chunk, re.S)
        if label and error:
            found[label.group(1)] = htmllib.unescape(error.group(1))
    return found


def order_rows(page: str) -> list[tuple[int, str]]:
    """(order id, deadline state) of each row of an order table."""
    return [
        (int(pk), state)
        for state, pk in re.findall(
            r'<tr data-testid="order-row" data-state="(\w+)">\s*<td><a href="/orders/(\d+)/">', page
        )
    ]


def counts() -> tuple[int, int]:
    return ServiceOrder.objects.count(), OrderAttachment.objects.count()


# --- every page for every role ----------------------------------------------------------------------


@pytest.mark.parametrize("username", ROLES)
def test_every_page_for_every_role(page_en: Any, username: str) -> None:
    order = reach("answered")
    attachment = services.attachment_add(actor=demo_user("hp"), order=order, name="合同.pdf", content=PDF)
    client = page_en(username)
    dispatcher = username == "admin"
    oversight = username in ("admin", "leader", "supervisor")
    files = username in ("admin", "hp", "weigao")
    expected = {
        "/orders/": 200,
        "/orders/?status=overdue&guarantee=land&department=1&search=x&page=2": 200,
        "/orders/new/": 200 if files else 403,
        f"/orders/new/fields/?service_type={lease().pk}": 200,
        "/orders/new/duplicates/?title=需要新增厂房": 200,
        "/orders/board/": 200 if dispatcher else 403,
        "/orders/statistics/": 200 if oversight else 403,
        "/orders/statistics/?from=2022-01-01&to=2022-05-08&format=xlsx": 200 if oversight else 403,
        f"/orders/{order.pk}/": 200 if username in SEES else 404,
        f"/orders/files/{attachment.pk}/": 200 if username in SEES else 404,
        f"/orders/{order.pk + 10_000_000}/": 404,
        services.rating_link(order): 200,
    }
    for url, status in expected.items():
        assert client.get(url).status_code == status, url
    assert client.get(f"/orders/{order.pk}/step/").status_code == 405
    # Writes last: a step of the general office, then a file.
    closed = client.post(f"/orders/{order.pk}/step/", {"action": "close"})
    assert closed.status_code == {"admin": 302}.get(username, 403 if username in SEES else 404)
    assert ServiceOrder.objects.get(pk=order.pk).status == ("closed" if dispatcher else "answered")
    if dispatcher:
        return
    attached = client.post(f"/orders/{order.pk}/files/", {"file": upload("b.pdf", PDF)})
    assert attached.status_code == (302 if username in FILES else 403 if username in SEES else 404)
    assert order.attachments.count() == (2 if username in FILES else 1)


def test_anonymous_is_sent_to_the_login_page_except_for_the_rating_link(page_en: Any) -> None:
    order = reach("answered")
    client = page_en(None)
    for url in (
        "/orders/",
        "/orders/new/",
        "/orders/new/fields/",
        "/orders/new/duplicates/",
        "/orders/board/",
        "/orders/statistics/",
        f"/orders/{order.pk}/",
        "/orders/files/1/",
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}"), url
    response = client.post(f"/orders/{order.pk}/step/", {"action": "close"})
    assert response.status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == "answered"
    assert client.get(services.rating_link(order)).status_code == 200


# --- the queues -------------------------------------------------------------------------------------


def test_each_role_lists_the_orders_of_its_scope(page_en: Any) -> None:
    mine = reach("dispatched", title="测试标记：惠普厂房")
    theirs = file_order(by="weigao", service_type=legal(), title="测试标记：威高法律")
    expected = {
        "admin": [theirs.pk, mine.pk],
        "leader": [theirs.pk, mine.pk],
        "supervisor": [theirs.pk, mine.pk],
        "invest": [mine.pk],
        "projects": [],
        "stats": [],
        "hp": [mine.pk],
        "weigao": [theirs.pk],
    }
    for username, ids in expected.items():
        page = text(page_en(username).get("/orders/", {"status": "all", "search": "测试标记"}))
        assert [pk for pk, _state in order_rows(page)] == ids, username
        heading = "My orders" if username in ("hp", "weigao") else "Service orders"
        assert f"<h1>{heading}</h1>" in page, username
        assert ('<th scope="col">Enterprise</th>' in page) == (username not in ("hp", "weigao")), username
        assert ('data-testid="file-order"' in page) == (username in ("admin", "hp", "weigao")), username
        assert ("No order matches." in page) == (not ids), username
    # Without a search an enterprise's list never names another enterprise's order.
    assert theirs.number not in text(page_en("hp").get("/orders/"))
    assert mine.number not in text(page_en("weigao").get("/orders/"))


def test_the_enterprise_list_shows_every_state_with_its_timer(page_en: Any) -> None:
    submitted = reach("submitted", title="测试计时：待受理")
    dispatched = reach("dispatched", title="测试计时：办理中")
    waiting = reach("waiting", title="测试计时：等待")
    answered = reach("answered", title="测试计时：已答复")
    page = text(page_en("hp").get("/orders/", {"search": "测试计时"}))
    # An enterprise sees all its orders, newest first.
    assert order_rows(page) == [
        (answered.pk, "done"),
        (waiting.pk, "paused"),
        (dispatched.pk, "ok"),
        (submitted.pk, "ok"),  # acceptance is due on the next working day
    ]
    assert "10 working days left" in page  # resolution due 20 May, 10 working days after Sunday 8 May
    assert "1 working day left" in page  # acceptance due Monday 9 May
    # The department's queue holds the open ones, the most urgent deadline first.
    queue = text(page_en("invest").get("/orders/", {"search": "测试计时"}))
    assert [pk for pk, _state in order_rows(queue)] == [submitted.pk, dispatched.pk, waiting.pk]
    with on(dt.date(2022, 5, 24)):
        late = text(page_en("invest").get("/orders/", {"search": "测试计时", "status": "overdue"}))
    # Past acceptance (due 9 May) and past resolution (due 20 May), the most urgent first.
    assert order_rows(late) == [(submitted.pk, "overdue"), (dispatched.pk, "overdue")]
    assert "2 working days late" in late


# --- the filing form --------------------------------------------------------------------------------


def test_the_filing_form_for_an_enterprise_and_for_the_office(page_en: Any) -> None:
    hp = text(page_en("hp").get("/orders/new/"))
    assert 'data-testid="order-form"' in hp
    assert 'name="enterprise"' not in hp
    assert f'<option value="{lease().pk}">厂房租赁</option>' in hp
    admin = text(page_en("admin").get(f"/orders/new/?service_type={lease().pk}"))
    assert '<select id="f-enterprise" name="enterprise" required>' in admin
    # A service chosen in the address shows its fields at once.
    assert 'name="extra_area_m2"' in admin


def test_filing_saves_the_order_and_its_files(page_en: Any, media: Path) -> None:
    before = counts()
    client = page_en("hp")
    response = client.post(
        "/orders/new/",
        {
            "service_type": lease().pk,
            "title": " 需要新增厂房1200平方米 ",
            "description": "扩产需要",
            "extra_area_m2": "1,200",
            "enterprise": demo_user("weigao").enterprise_id,  # ignored: an enterprise files for itself
            "files": [upload("C:\\fakepath\\营业执照.pdf", PDF), upload("厂区.png", PNG, "image/png")],
        },
    )
    order = ServiceOrder.objects.latest("pk")
    assert (response.status_code, response["Location"]) == (302, f"/orders/{order.pk}/")
    assert counts() == (before[0] + 1, before[1] + 2)
    assert (order.enterprise_id, order.filed_by, order.title, order.extra, order.department) == (
        demo_user("hp").enterprise_id,
        demo_user("hp"),
        "需要新增厂房1200平方米",
        {"area_m2": 1200.0},
        department("investment"),
    )
    assert [(a.name, a.content_type) for a in order.attachments.all()] == [
        ("营业执照.pdf", "application/pdf"),
        ("厂区.png", "image/png"),
    ]
    assert len(stored_files(media)) == 2
    page = text(client.get(response["Location"]))
    assert flash(page) == [("success", f"Order {order.number} filed.")]
    assert timeline_actions(page) == ["submit", "attach", "attach"]
    assert "营业执照.pdf" in page


def test_the_office_files_for_an_enterprise_it_names(page_en: Any) -> None:
    client = page_en("admin")
    before = counts()
    nameless = client.post(
        "/orders/new/", {"service_type": legal().pk, "title": "法律咨询", "description": "合同审查"}
    )
    assert nameless.status_code == 422
    assert field_errors(text(nameless)) == {"f-enterprise": "Choose the enterprise."}
    assert counts() == before
    weigao = demo_user("weigao").enterprise_id
    filed = client.post(
        "/orders/new/",
        {"service_type": legal().pk, "title": "法律咨询", "description": "合同审查", "enterprise": weigao},
    )
    assert filed.status_code == 302
    order = ServiceOrder.objects.latest("pk")
    assert (order.enterprise_id, order.filed_by, order.service_type) == (weigao, demo_user("admin"), legal())


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"title": "", "description": " ", "extra_area_m2": "many"},
            {
                "f-title": "This field is required.",
                "f-description": "This field is required.",
                "x-area_m2": "Enter a number.",
            },
        ),
        ({"title": "厂房", "description": "扩产"}, {"x-area_m2": "This field is required."}),
        (
            {"title": "厂" * 201, "description": "扩产", "extra_area_m2": "1"},
            {"f-title": "Enter at most 200 characters."},
        ),
        (
            {"service_type": "", "title": "厂房", "description": "扩产"},
            {"f-service": "Choose the service."},
        ),
        (
            {"service_type": "999999", "title": "厂房", "description": "扩产"},
            {"f-service": "Choose the service."},
        ),
    ],
    ids=["empty", "missing-extra", "long-title", "no-service", "unknown-service"],
)
def test_bad_input_is_refused_with_each_field_named(
    page_en: Any, media: Path, data: dict[str, str], errors: dict[str, str]
) -> None:
    before = counts()
    response = page_en("hp").post("/orders/new/", {"service_type": lease().pk, **data})
    assert response.status_code == 422
    page = text(response)
    assert field_errors(page) == errors
    assert 'data-testid="form-errors"' in page
    assert "Please correct the fields marked below." in page
    assert counts() == before
    assert stored_files(media) == []


def test_the_form_keeps_what_was_typed(page_en: Any) -> None:
    response = page_en("hp").post(
        "/orders/new/",
        {"service_type": lease().pk, "title": "需要厂房", "description": "", "extra_area_m2": "1,500"},
    )
    page = text(response)
    assert response.status_code == 422
    assert 'value="需要厂房"' in page
    assert 'name="extra_area_m2" inputmode="decimal" value="1,500"' in page
    assert f'<option value="{lease().pk}" selected>厂房租赁</option>' in page


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ([("setup.exe", EXE)], "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document."),
        (
            [("说明.txt", "纯文本".encode())],
            "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document.",
        ),
        (
            [("合同.pdf", PDF), ("setup.pdf", EXE)],
            "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document.",
        ),
        ([(f"{n}.pdf", PDF) for n in range(11)], "An order holds at most 10 files."),
    ],
    ids=["exe", "text", "good-then-bad", "eleven"],
)
def test_a_valid_order_with_a_bad_file_saves_nothing(
    page_en: Any, media: Path, files: list[tuple[str, bytes]], error: str
) -> None:
    before = counts()
    response = page_en("hp").post(
        "/orders/new/",
        {
            "service_type": lease().pk,
            "title": "需要新增厂房",
            "description": "扩产需要",
            "extra_area_m2": "800",
            "files": [upload(name, content) for name, content in files],
        },
    )
    assert response.status_code == 422
    assert field_errors(text(response)) == {"f-files": error}
    assert counts() == before
    # The order and every file go together or not at all: not even the bytes of a good file stay.
    assert stored_files(media) == []


def test_an_invalid_order_asks_for_the_files_again(page_en: Any, media: Path) -> None:
    before = counts()
    response = page_en("hp").post(
        "/orders/new/",
        {"service_type": lease().pk, "title": "", "description": "扩产", "files": [upload("a.pdf", PDF)]},
    )
    assert response.status_code == 422
    assert field_errors(text(response)) == {
        "f-title": "This field is required.",
        "x-area_m2": "This field is required.",
        "f-files": "Choose the files again: nothing was saved.",
    }
    assert counts() == before
    assert stored_files(media) == []


@pytest.mark.parametrize("username", ["leader", "supervisor", "invest", "projects", "stats"])
def test_staff_without_the_dispatch_right_cannot_file(page_en: Any, username: str) -> None:
    before = counts()
    response = page_en(username).post(
        "/orders/new/",
        {
            "service_type": legal().pk,
            "title": "法律咨询",
            "description": "合同审查",
            "enterprise": demo_user("hp").enterprise_id,
        },
    )
    assert response.status_code == 403
    assert counts() == before


# --- htmx partials ----------------------------------------------------------------------------------


def test_the_fields_partial_shows_the_fields_of_the_service(page_en: Any) -> None:
    client = page_en("hp")
    page = text(client.get("/orders/new/fields/", {"service_type": lease().pk}))
    assert 'data-testid="service-fields"' in page
    assert "<legend>厂房租赁 · land</legend>" in page
    assert (
        "Handled by 投资促进局: accepted within 1, first reply within 2, resolved within 10 working days."
        in page
    )
    assert re.findall(r'name="(extra_\w+)"', page) == ["extra_area_m2"]
    assert '<label for="x-area_m2">面积（平方米） <span class="required">*</span></label>' in page
    listing = text(
        client.get("/orders/new/fields/", {"service_type": ServiceType.objects.get(code="listing").pk})
    )
    assert re.findall(r"<option>(.*?)</option>", listing) == ["主板", "科创板", "创业板", "北交所"]
    assert 'name="extra_board"' in listing
    assert " required" not in listing
    plain = text(client.get("/orders/new/fields/", {"service_type": legal().pk}))
    assert re.findall(r'name="(extra_\w+)"', plain) == []
    assert "resolved within 5 working days" in plain
    for missing in ("", "abc", "999999"):
        assert 'data-testid="service-fields"' not in text(
            client.get("/orders/new/fields/", {"service_type": missing})
        )


def test_the_duplicates_partial_shows_similar_open_orders_of_the_same_enterprise(page_en: Any) -> None:
    title = "测试：扩建恒温洁净车间二期工程"
    similar = reach("dispatched", title=title)
    reach("refused", title=title)  # not open: never suggested
    file_order(by="weigao", service_type=legal(), title=title)  # another enterprise's
    query = {"title": "测试：扩建恒温洁净车间二期"}

    def suggested(username: str, **extra: Any) -> list[str]:
        page = text(page_en(username).get("/orders/new/duplicates/", {**query, **extra}))
        return re.findall(r'<a href="/orders/(\d+)/">', page)

    hp = text(page_en("hp").get("/orders/new/duplicates/", query))
    assert 'data-testid="duplicates"' in hp
    assert f"{similar.number} {title}" in hp
    assert suggested("hp") == [str(similar.pk)]
    weigao = ServiceOrder.objects.get(enterprise__users__username="weigao", title=title)
    assert suggested("weigao") == [str(weigao.pk)]
    assert suggested("admin", enterprise=demo_user("hp").enterprise_id) == [str(similar.pk)]
    assert suggested("admin") == []  # no enterprise named
    assert suggested("hp", title="测试") == []  # too short to compare
    assert text(page_en("hp").get("/orders/new/duplicates/", {"title": "银行贷款利率咨询"})).strip() == ""


# --- the order page ---------------------------------------------------------------------------------

# The step buttons each role sees on hp's factory-lease order in each state (weigao, projects and stats
# do not see the order at all).
BUTTONS: dict[str, dict[str, list[str]]] = {
    "submitted": {"admin": ["accept", "refuse", "merge"]},
    "dispatched": {
        "admin": ["start", "return", "wait", "request_extension", "answer"],
        "invest": ["start", "return", "wait", "request_extension", "answer"],
    },
    "extension": {
        "admin": ["start", "return", "wait", "decide_extension", "answer"],
        "invest": ["start", "return", "wait", "answer"],
    },
    "waiting": {"admin": ["resume"], "invest": ["resume"], "hp": ["resume"]},
    "answered": {"admin": ["close", "reopen"], "hp": ["confirm", "reopen"]},
    "confirmed": {"admin": ["close", "reopen"], "hp": ["rate", "reopen"]},
    "rated": {"admin": ["reopen"], "hp": ["reopen"]},
    "badly_rated": {"admin": ["reopen", "follow_up"], "hp": ["reopen"]},
}


def _order_in(state: str) -> ServiceOrder:
    if state == "extension":
        return drive(reach("dispatched"), "request_extension")
    if state == "rated":
        return drive(reach("confirmed"), "rate")
    if state == "badly_rated":
        return act(reach("confirmed"), "rate", rating=2)
    return reach(state)


@pytest.mark.parametrize("state", list(BUTTONS))
def test_the_order_page_offers_exactly_the_steps_of_the_role(page_en: Any, state: str) -> None:
    order = _order_in(state)
    events = [e.action for e in order.events.order_by("at", "pk")]
    for username in ROLES:
        response = page_en(username).get(f"/orders/{order.pk}/")
        if username not in SEES:
            assert response.status_code == 404, username
            continue
        page = text(response)
        assert step_buttons(page) == BUTTONS[state].get(username, []), username
        assert ('data-testid="actions"' in page) == bool(BUTTONS[state].get(username)), username
        assert timeline_actions(page) == events, username
        attachable = order.status in services.ATTACHABLE_STATES and username in FILES
        assert (f'action="/orders/{order.pk}/files/"' in page) == attachable, username


def test_the_order_page_shows_deadlines_extension_and_handler(page_en: Any) -> None:
    order = reach("accepted")
    act(order, "dispatch", handler=demo_user("invest"))
    act(order, "request_extension", days=4, note="需等待规划意见")
    page = text(page_en("admin").get(f"/orders/{order.pk}/"))
    assert '<strong data-testid="resolve-due">2022-05-20</strong>' in page
    assert "The department asks for 4 more working days: 需等待规划意见" in page
    assert '<span class="figure" data-testid="order-status">dispatched</span>' in page
    assert f'<option value="{department("investment").pk}"' not in page  # no dispatch step now
    act(order, "decide_extension", approve=True)
    page = text(page_en("hp").get(f"/orders/{order.pk}/"))
    assert '<strong data-testid="resolve-due">2022-05-26</strong>' in page
    assert "extended 4 working days" in page
    assert 'data-testid="extension-request"' not in page


def test_the_dispatch_form_offers_the_departments_and_their_staff(page_en: Any) -> None:
    order = reach("accepted")
    page = text(page_en("admin").get(f"/orders/{order.pk}/"))
    form = page.split('data-action="dispatch"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{department("investment").pk}" selected>' in form
    assert re.findall(
        r'<select id="d-handler" name="handler"><option value="">—</option>(.*?)</select>', form
    ) == [f'<option value="{demo_user("invest").pk}">投资促进局 张局长</option>']


def test_steps_through_the_order_page(page_en: Any) -> None:
    order = reach("submitted")
    url = f"/orders/{order.pk}/"
    admin, invest, hp = page_en("admin"), page_en("invest"), page_en("hp")

    def step(client: Any, **data: Any) -> list[tuple[str, str]]:
        response = client.post(f"{url}step/", data, follow=True)
        assert response.redirect_chain == [(url, 302)]
        return flash(text(response))

    assert step(admin, action="dispatch") == [
        ("error", "An order that is submitted does not allow this step: dispatch.")
    ]
    assert step(admin, action="accept") == [("success", "Done: accept.")]
    assert step(
        admin, action="dispatch", department=department("investment").pk, handler=demo_user("invest").pk
    ) == [("success", "Done: dispatch.")]
    assert ServiceOrder.objects.get(pk=order.pk).handler == demo_user("invest")
    assert step(invest, action="answer", note="  ") == [("error", "This field is required.")]
    assert step(invest, action="request_extension", days="40", note="延期") == [
        ("error", "Enter a whole number of working days from 1 to 30.")
    ]
    assert step(invest, action="answer", note="已匹配标准厂房") == [("success", "Done: answer.")]
    assert step(hp, action="rate", rating="5") == [
        ("error", "An order that is answered does not allow this step: rate.")
    ]
    assert step(hp, action="confirm") == [("success", "Done: confirm the answer.")]
    assert step(hp, action="rate", rating="9") == [("error", "Enter a whole number from 1 to 5.")]
    assert step(hp, action="rate", rating="4", note="满意") == [("success", "Done: rate.")]
    saved = ServiceOrder.objects.get(pk=order.pk)
    assert (saved.status, saved.rating, saved.rating_comment) == ("closed", 4, "满意")
    page = text(hp.get(url))
    assert timeline_actions(page) == ["submit", "accept", "dispatch", "answer", "confirm", "rate"]
    # People are named as everywhere else in the shell (their display name), not by their login.
    steps = re.findall(
        r"<strong>(.*?)</strong> · (.*?)(?:<br>|</li>)", page.split('data-testid="timeline"')[1]
    )
    assert steps == [
        ("filed", "submitted · 惠普 企业联络员"),
        ("accept", "accepted · 系统管理员"),
        ("dispatch", "dispatched · 系统管理员"),
        ("answer", "answered · 投资促进局 张局长"),
        ("confirm the answer", "confirmed · 惠普 企业联络员"),
        ("rate", "closed · 惠普 企业联络员"),
    ]
    assert "投资促进局 · 投资促进局 张局长</span>" in page  # the department and the handler
    assert '<span class="figure" data-testid="order-rating">4 / 5</span>' in page
    assert "已匹配标准厂房" in page
    unknown = step(admin, action="approve")
    assert len(unknown) == 1
    assert unknown[0][1].startswith("Choose one of: accept, refuse, dispatch, merge,")


@pytest.mark.parametrize("username", ROLES)
def test_the_follow_up_through_the_order_page_for_every_role(page_en: Any, username: str) -> None:
    order = reach("confirmed")
    with on(dt.date(2022, 5, 10)):
        act(order, "rate", rating=1, note="没解决")
    url = f"/orders/{order.pk}/"
    client = page_en(username)
    if username in SEES:
        page = text(client.get(url))
        ratings = re.findall(r'<ol data-testid="ratings">(.*?)</ol>', page, re.S)
        assert [re.sub(r' datetime="[^"]+"', "", shown) for shown in ratings] == [
            '<li class="warning-red"><time>2022-05-10</time> · <strong>1 / 5</strong> · 没解决 · '
            '<span data-testid="follow-up-due">follow-up due</span></li>'
        ]
    with on(dt.date(2022, 5, 11)):
        response = client.post(f"{url}step/", {"action": "follow_up", "note": "已电话回访"}, follow=True)
    rating = OrderRating.objects.get(order=order)
    if username != "admin":
        assert response.status_code == (403 if username in SEES else 404)
        assert rating.followed_up_at is None
        return
    assert flash(text(response)) == [("success", "Done: follow up the bad rating.")]
    page = text(client.get(url))
    assert "followed up on 2022-05-11" in page
    assert 'data-testid="follow-up-due"' not in page
    assert "follow_up" not in step_buttons(page)
    assert timeline_actions(page)[-1] == "follow_up"
    assert "已电话回访" in page


def test_the_extension_decision_through_the_page(page_en: Any) -> None:
    order = reach("dispatched")
    url = f"/orders/{order.pk}/step/"
    page_en("invest").post(url, {"action": "request_extension", "days": "2", "note": "等待材料"})
    assert ServiceOrder.objects.get(pk=order.pk).extension_requested_days == 2
    missing = page_en("admin").post(url, {"action": "decide_extension"}, follow=True)
    assert flash(text(missing)) == [("error", "Say whether the extension is approved.")]
    page_en("admin").post(url, {"action": "decide_extension", "approve": "no"})
    refused = ServiceOrder.objects.get(pk=order.pk)
    assert (refused.extension_requested_days, refused.resolve_due) == (None, dt.date(2022, 5, 20))
    page_en("invest").post(url, {"action": "request_extension", "days": "2", "note": "再次申请"})
    page_en("admin").post(url, {"action": "decide_extension", "approve": "yes"})
    approved = ServiceOrder.objects.get(pk=order.pk)
    assert (approved.extension_days, approved.resolve_due) == (2, dt.date(2022, 5, 24))


# --- files ------------------------------------------------------------------------------------------


def test_attaching_through_the_order_page(page_en: Any, media: Path) -> None:
    order = reach("dispatched")
    url = f"/orders/{order.pk}/files/"
    client = page_en("invest")
    ok = client.post(url, {"file": upload("答复.pdf", PDF)}, follow=True)
    assert flash(text(ok)) == [("success", "File attached.")]
    bad = client.post(url, {"file": upload("virus.pdf", EXE)}, follow=True)
    assert flash(text(bad)) == [("error", "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document.")]
    none = client.post(url, {}, follow=True)
    assert flash(text(none)) == [("error", "Choose a file.")]
    assert [a.name for a in order.attachments.all()] == ["答复.pdf"]
    assert len(stored_files(media)) == 1
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("username", ROLES)
def test_a_file_is_served_to_whoever_sees_the_order(page_en: Any, username: str) -> None:
    order = reach("dispatched")
    attachment = services.attachment_add(actor=demo_user("hp"), order=order, name="contract.pdf", content=PDF)
    response = page_en(username).get(f"/orders/files/{attachment.pk}/")
    if username not in SEES:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert (response["Content-Type"], response["Content-Disposition"]) == (
        "application/pdf",
        'attachment; filename="contract.pdf"',
    )
    assert b"".join(response.streaming_content) == PDF


# --- the board --------------------------------------------------------------------------------------


def test_the_board_lists_what_waits_for_the_office(page_en: Any) -> None:
    submitted = reach("submitted", title="测试看板：待受理")
    returned = reach("returned", title="测试看板：退回")
    extension = drive(reach("in_progress", title="测试看板：延期"), "request_extension")
    late = reach("dispatched", title="测试看板：逾期")
    answered = reach("answered", title="测试看板：已答复")
    badly = act(reach("confirmed", title="测试看板：差评"), "rate", rating=2)
    mine = [o.pk for o in (submitted, returned, extension, late, answered, badly)]
    # The board shows the oldest 30 of each column; so that the columns hold the test's orders only,
    # this test closes the zone's other orders (rolled back with the test).
    ServiceOrder.objects.exclude(pk__in=mine).update(status="closed", extension_requested_days=None)
    with on(dt.date(2022, 5, 24)):
        page = text(page_en("admin").get("/orders/board/"))
    columns = {
        key: [int(pk) for pk in re.findall(r'<li class="board-card[^"]*"><a href="/orders/(\d+)/">', body)]
        for key, body in re.findall(r'data-testid="column-(\w+)">(.*?)</section>', page, re.S)
    }
    assert columns == {
        "submitted": [submitted.pk],
        "returned": [returned.pk],
        "extension": [extension.pk],
        "overdue": [returned.pk, extension.pk, late.pk],  # all due 20 May, by id
        "answered": [answered.pk],
        "follow_up": [badly.pk],
    }
    assert "Bad ratings to follow up" in page
    assert '<span class="figure" data-testid="count-submitted">1</span>' in page
    # The overdue column is the resolution deadlines; the count includes the order past acceptance too.
    assert '<span class="figure" data-testid="count-overdue">4</span>' in page


# --- statistics -------------------------------------------------------------------------------------

STATS = {"from": "2022-06-01", "to": "2022-07-31"}


def figure(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</span>', page)
    assert found is not None, testid
    return found.group(1)


def test_the_statistics_page(page_en: Any) -> None:
    statistics_scenario()
    with on(dt.date(2022, 7, 20)):
        pages = {
            u: text(page_en(u).get("/orders/statistics/", STATS)) for u in ("admin", "leader", "supervisor")
        }
    # The office, the supervision office and leaders all see the zone's figures.
    assert pages["leader"].count('data-testid="stat-') == pages["admin"].count('data-testid="stat-') == 4
    page = pages["admin"]
    for other in ("leader", "supervisor"):
        assert [figure(pages[other], t) for t in ("stat-filed", "stat-on-time")] == ["6", "66.7 %"]
    assert [figure(page, t) for t in ("stat-filed", "stat-on-time", "stat-days", "stat-rating")] == [
        "6",
        "66.7 %",
        "7.67",
        "3.67",
    ]
    assert "2 of 3 answered" in page
    assert "66.7 % rated 4–5 of 3" in page
    guarantee = page.split('data-testid="by-guarantee"', 1)[1].split("</table>", 1)[0]
    assert re.findall(
        r'<tr(?: class="total")?><th scope="row">(.*?)</th>((?:<td class="num">.*?</td>)+)</tr>', guarantee
    ) == [
        ("land", "".join(f'<td class="num">{v}</td>' for v in (4, 2, 50.0, 1, 1, 9.0, 3.5, 50.0))),
        ("law", "".join(f'<td class="num">{v}</td>' for v in (2, 1, 100.0, 1, 0, 5.0, 4.0, 100.0))),
        ("All", "".join(f'<td class="num">{v}</td>' for v in (6, 3, 66.7, 2, 1, 7.67, 3.67, 66.7))),
    ]
    assert '"months": ["2022-06", "2022-07"], "filed": [4, 2], "on_time": [2, 0]' in page
    assert 'href="?from=2022-06-01&amp;to=2022-07-31&amp;format=xlsx"' in page


def test_a_period_that_ends_before_it_starts_is_turned_round(page_en: Any) -> None:
    statistics_scenario()
    with on(dt.date(2022, 7, 20)):
        page = text(page_en("admin").get("/orders/statistics/", {"from": "2022-07-31", "to": "2022-06-01"}))
    assert '<p class="error" role="alert">The period starts after it ends.</p>' in page
    assert 'name="from" value="2022-06-01"' in page
    assert figure(page, "stat-filed") == "6"


def test_the_statistics_workbook(page_en: Any) -> None:
    statistics_scenario()
    with on(dt.date(2022, 7, 20)):
        response = page_en("admin").get("/orders/statistics/", {**STATS, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert (
        response["Content-Disposition"] == 'attachment; filename="service-orders-2022-06-01-2022-07-31.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["By guarantee", "By department", "By month", "Ratings", "About"]

    def rows(name: str) -> list[list[Any]]:
        return [list(r) for r in book[name].iter_rows(values_only=True)]

    header = [
        "Filed",
        "Answered",
        "Answered on time",
        "On-time rate %",
        "Open",
        "Overdue",
        "Mean working days to answer",
        "Rated",
        "Mean rating",
        "Satisfied (4–5) %",
    ]
    assert rows("By guarantee") == [
        ["Guarantee", *header],
        ["land", 4, 2, 1, 50.0, 1, 1, 9.0, 2, 3.5, 50.0],
        ["law", 2, 1, 1, 100.0, 1, 0, 5.0, 1, 4.0, 100.0],
        ["All", 6, 3, 2, 66.7, 2, 1, 7.67, 3, 3.67, 66.7],
    ]
    assert rows("By department") == [
        ["Department", *header],
        ["投资促进局", 4, 2, 1, 50.0, 1, 1, 9.0, 2, 3.5, 50.0],
        ["法律服务中心", 2, 1, 1, 100.0, 1, 0, 5.0, 1, 4.0, 100.0],
    ]
    assert rows("By month") == [["Month", "Filed", "Answered on time"], ["2022-06", 4, 2], ["2022-07", 2, 0]]
    assert rows("Ratings") == [["Rating", "Orders"], [1, 0], [2, 1], [3, 0], [4, 1], [5, 1]]
    assert rows("About")[0] == ["Orders filed from 2022-06-01 to 2022-07-31."]


# --- the rating link --------------------------------------------------------------------------------


def test_the_rating_link_page_rates_without_a_login(page_en: Any) -> None:
    order = drive(reach("dispatched"))
    act(order, "answer", note="已匹配标准厂房8000平方米")
    url = services.rating_link(order)
    client = page_en(None)
    page = text(client.get(url))
    assert f"<strong>{order.number}</strong> · {order.title} · answered" in page
    assert '<blockquote data-testid="answer"><p>已匹配标准厂房8000平方米</p></blockquote>' in page
    assert 'data-testid="rating-form"' in page
    missing = client.post(url, {"comment": "好"})
    assert missing.status_code == 422
    assert '<p class="error" role="alert">Enter a whole number from 1 to 5.</p>' in text(missing)
    assert ServiceOrder.objects.get(pk=order.pk).status == "answered"
    done = client.post(url, {"rating": "4", "comment": "答复及时"})
    assert done.status_code == 200
    assert (
        '<p class="messages" data-testid="rating-done">Thank you: you rated this answer 4 of 5.</p>'
        in text(done)
    )
    saved = ServiceOrder.objects.get(pk=order.pk)
    assert (saved.status, saved.rating, saved.rating_comment) == ("closed", 4, "答复及时")
    again = client.post(url, {"rating": "1"})
    assert again.status_code == 422
    assert "This order has been rated already." in text(again)
    assert ServiceOrder.objects.get(pk=order.pk).rating == 4
    assert 'data-testid="rating-form"' not in text(client.get(url))


def test_the_rating_link_of_an_unanswered_order(page_en: Any) -> None:
    order = reach("in_progress")
    url = services.rating_link(order)
    client = page_en(None)
    page = text(client.get(url))
    assert "This order cannot be rated yet: it has not been answered." in page
    refused = client.post(url, {"rating": "5"})
    assert refused.status_code == 422
    assert "An order that is in progress does not allow this step: rate." in text(refused)
    assert ServiceOrder.objects.get(pk=order.pk).rating is None


def test_an_invalid_or_expired_rating_link_is_not_found(page_en: Any) -> None:
    import time
    from unittest import mock

    order = reach("answered")
    client = page_en(None)
    bad = client.get("/orders/rate/not-a-token/")
    assert bad.status_code == 404
    assert (
        '<p class="error" role="alert" data-testid="rating-invalid">This rating link is not valid.</p>'
        in text(bad)
    )
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61 * 86400):
        old = services.rating_link(order)
    expired = client.post(old, {"rating": "5"})
    assert expired.status_code == 404
    assert "This rating link has expired." in text(expired)
    assert ServiceOrder.objects.get(pk=order.pk).status == "answered"

"""Door staff check tickets in on a phone: camera, typed and scanner input, search, offline queue.

The camera is Chromium's fake capture device. For the scan test it plays a Y4M video of a ticket's
QR code (``--use-file-for-fake-video-capture``); elsewhere it shows Chromium's own test pattern.
Headless Chromium on Linux has no ``BarcodeDetector``, so these scans go through the jsQR fallback.
"""

import re
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import segno
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from piquetickets.checkin.models import CheckInScan
from piquetickets.checkin.services import check_in_attendee
from piquetickets.orders.models import TicketAttendee
from tests.browser.conftest import CHROMIUM, DESKTOP, PHONE, new_context, screenshot
from tests.factories import (
    AttendeeFactory,
    CheckInSessionFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
    VenueFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def qr_video(text: str, path: Path, width: int = 640, height: int = 480, frames: int = 10) -> Path:
    """A Y4M video (header, then raw I420 frames) of a QR code of ``text`` on a white page."""
    png = path.with_suffix(".png")
    segno.make(text, error="q").save(str(png), scale=10, border=4)
    code = Image.open(png).convert("RGB")
    side = min(code.width, height - 40)
    frame = Image.new("RGB", (width, height), (250, 250, 250))
    frame.paste(code.resize((side, side), Image.NEAREST), ((width - side) // 2, (height - side) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    chroma = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(chroma, Image.BILINEAR).tobytes() + cr.resize(chroma, Image.BILINEAR).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path


@contextmanager
def camera_browser(browser, video: Path | None = None):
    """A Chromium of its own: the fake camera's source is fixed when the browser starts."""
    args = BASE_ARGS + CAMERA_ARGS + ([f"--use-file-for-fake-video-capture={video}"] if video else [])
    launched = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=args)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="module")
def camera(browser):
    with camera_browser(browser) as launched:
        yield launched


@contextmanager
def phone(launched, live_server, **options):
    context = new_context(launched, **PHONE, **options)
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def door(db):
    show = ShowFactory(title="Friday Laughs", venue=VenueFactory(name="The Lantern"))
    general = TicketFactory(show=show, name="General admission")
    vip = TicketFactory(show=show, name="VIP front row")

    def attendee(first, last, ticket, **kwargs):
        order = TicketOrderFactory(order__show=show, order__first_name=first, order__last_name=last, ticket=ticket)
        return AttendeeFactory(ticket_order=order, first_name=first, last_name=last, **kwargs)

    other_show = ShowFactory(title="Sunday Jazz", producer=show.producer)  # the same producer: named
    stranger = AttendeeFactory(
        ticket_order=TicketOrderFactory(order__show=other_show, ticket=TicketFactory(show=other_show)),
        first_name="Pat",
        last_name="Other",
    )
    return SimpleNamespace(
        show=show,
        session=CheckInSessionFactory(show=show, label="Front door"),
        alex=attendee("Alex", "Morgan", general, email="alex@example.com"),
        sam=attendee("Sam", "Lee", vip, email="sam@example.com"),
        jo=attendee("Jo", "Rivera", general, email="jo@example.com"),
        kim=attendee("Kim", "Nguyen", general, email="kim@example.com"),
        refunded=attendee("Ray", "Fund", general, status=TicketAttendee.Status.REFUNDED),
        stranger=stranger,
    )


def app_url(live_server, session) -> str:
    return f"{live_server.url}/checkin/?token={session.token}"


def checked_in(attendee) -> bool:
    attendee.refresh_from_db()
    return attendee.is_checked_in


def scan_by_typing(page, code: str):
    field = page.get_by_label("Ticket code")
    field.fill(code)
    field.press("Enter")


def test_the_camera_checks_a_ticket_in_once_and_a_second_scan_is_already_checked_in(
    browser, live_server, door, tmp_path
):
    video = qr_video(str(door.alex.uuid), tmp_path / "ticket.y4m")
    with camera_browser(browser, video) as launched, phone(launched, live_server) as page:
        page.goto(app_url(live_server, door.session))
        assert page.get_by_role("heading", level=1).inner_text() == "Friday Laughs"

        result = page.locator("[data-result]")
        expect(result).to_have_class(re.compile(r"\bck-result--ok\b"))
        expect(result).to_contain_text("Checked in")
        expect(result).to_contain_text("Alex Morgan")
        expect(result).to_contain_text("General admission")
        expect(page.locator(".ck-counts__text")).to_have_text("1 / 4 checked in")
        assert page.locator("#checkin-app").get_attribute("data-decoder") == "jsqr"
        assert checked_in(door.alex)
        screenshot(page, "checkin-camera-checked-in-phone")

        # the ticket stays in front of the camera: it is not sent again
        page.wait_for_timeout(1500)
        assert list(CheckInScan.objects.values_list("result", flat=True)) == ["checked_in"]

        # a second scan of the same ticket
        scan_by_typing(page, str(door.alex.uuid))
        expect(result).to_have_class(re.compile(r"\bck-result--warn\b"))
        expect(result).to_contain_text("Already checked in")
        expect(result).to_contain_text("by Front door")
        expect(page.locator("[data-recent] li")).to_have_count(2)
        screenshot(page, "checkin-already-checked-in-phone")
    assert CheckInScan.objects.filter(result="already_checked_in").count() == 1


def test_typed_and_scanner_input_check_in_and_refusals_are_red(camera, live_server, door):
    with phone(camera, live_server) as page:
        page.goto(app_url(live_server, door.session))
        expect(page.locator(".ck-counts__text")).to_have_text("0 / 4 checked in")
        result = page.locator("[data-result]")

        # a handheld scanner types into whatever has focus, then Enter: the keys reach the code field
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.type(str(door.sam.uuid))
        page.keyboard.press("Enter")
        expect(result).to_have_class(re.compile(r"\bck-result--ok\b"))
        expect(result).to_contain_text("Sam Lee")
        expect(result).to_contain_text("VIP front row")
        expect(page.locator(".ck-counts__text")).to_have_text("1 / 4 checked in")
        assert checked_in(door.sam)
        assert page.get_by_label("Ticket code").input_value() == ""

        scan_by_typing(page, "not-a-ticket")
        expect(result).to_have_class(re.compile(r"\bck-result--no\b"))
        expect(result).to_contain_text("Ticket not found")
        screenshot(page, "checkin-not-found-phone")

        scan_by_typing(page, str(door.stranger.uuid))
        expect(result).to_contain_text("Wrong show")
        expect(result).to_contain_text("Sunday Jazz")

        scan_by_typing(page, str(door.refunded.uuid))
        expect(result).to_have_class(re.compile(r"\bck-result--no\b"))
        expect(result).to_contain_text("Refunded ticket")

        expect(page.locator("[data-recent] li")).to_have_count(4)
        assert not checked_in(door.stranger)
        assert not checked_in(door.refunded)


def test_without_a_camera_the_app_says_so_and_typed_codes_still_work(phone_page, live_server, door):
    phone_page.goto(app_url(live_server, door.session))  # the plain browser: no camera, no permission
    camera_panel = phone_page.locator("[data-camera]")
    expect(camera_panel).to_contain_text("You can still type or scan codes below.")
    expect(camera_panel.get_by_role("button", name="Start camera")).to_be_visible()
    screenshot(phone_page, "checkin-no-camera-phone")
    scan_by_typing(phone_page, str(door.jo.uuid))
    expect(phone_page.locator("[data-result]")).to_contain_text("Jo Rivera")
    assert checked_in(door.jo)


def test_offline_scans_are_queued_then_sent_and_conflicts_reported(camera, live_server, door):
    with phone(camera, live_server) as page:
        page.goto(app_url(live_server, door.session))
        expect(page.locator(".ck-counts__text")).to_have_text("0 / 4 checked in")
        banner = page.locator("[data-banner]")
        result = page.locator("[data-result]")
        expect(banner).to_be_hidden()

        page.context.set_offline(True)
        expect(banner).to_contain_text("Offline")
        scan_by_typing(page, str(door.jo.uuid))
        expect(result).to_have_class(re.compile(r"\bck-result--queued\b"))
        expect(result).to_contain_text("Saved — will send when back online")
        expect(banner).to_contain_text("1 scan waiting to send")
        assert not checked_in(door.jo)
        scan_by_typing(page, str(door.kim.uuid))
        expect(banner).to_contain_text("2 scans waiting to send")
        screenshot(page, "checkin-offline-queued-phone")

        # meanwhile another door lets Kim in
        side = CheckInSessionFactory(show=door.show, label="Side door")
        assert check_in_attendee(session=side, code=str(door.kim.uuid)).code == "checked_in"

        page.context.set_offline(False)
        expect(banner).to_be_hidden()
        assert checked_in(door.jo)
        expect(page.locator(".ck-counts__text")).to_have_text("2 / 4 checked in")
        recent = page.locator("[data-recent] li")
        expect(recent.filter(has_text="Jo Rivera")).to_contain_text("Checked in")
        conflict = recent.filter(has_text="Kim Nguyen")
        expect(conflict).to_contain_text("Conflict")
        expect(conflict).to_contain_text("Already checked in at")
        expect(conflict).to_contain_text("by Side door")
        expect(page.locator("[data-notice]")).to_contain_text("1 needs attention")
        screenshot(page, "checkin-conflict-reported-phone")
    assert CheckInScan.objects.filter(session=door.session, result="checked_in").count() == 1


def test_the_queue_survives_a_reload(camera, live_server, door):
    with phone(camera, live_server) as page:
        page.goto(app_url(live_server, door.session))
        expect(page.locator(".ck-counts__text")).to_have_text("0 / 4 checked in")
        page.context.set_offline(True)
        scan_by_typing(page, str(door.alex.uuid))
        expect(page.locator("[data-banner]")).to_contain_text("1 scan waiting to send")
        page.route("**/api/v1/checkin/", lambda route: route.abort())  # the scan can't get through yet
        page.context.set_offline(False)
        page.reload()
        expect(page.locator("[data-recent] li").first).to_contain_text("Waiting to send")
        assert not checked_in(door.alex)
        page.unroute("**/api/v1/checkin/")
        expect(page.locator("[data-banner]")).to_be_hidden(timeout=10_000)  # the 5-second retry
        assert checked_in(door.alex)


def test_search_checks_in_by_name_and_undo_reverts(camera, live_server, door):
    with phone(camera, live_server) as page:
        page.goto(app_url(live_server, door.session))
        result = page.locator("[data-result]")
        page.get_by_label("Name, email or order number").fill("morgan")
        results = page.locator("[data-search-results]")
        expect(results.get_by_role("listitem")).to_have_count(1)
        screenshot(page, "checkin-search-phone")

        results.get_by_role("button", name="Check in Alex Morgan").click()
        expect(result).to_have_class(re.compile(r"\bck-result--ok\b"))
        expect(result).to_contain_text("Alex Morgan")
        assert checked_in(door.alex)
        undo = results.get_by_role("button", name="Undo check-in for Alex Morgan")
        expect(undo).to_be_visible()

        undo.click()
        expect(result).to_contain_text("Check-in undone")
        expect(page.locator(".ck-counts__text")).to_have_text("0 / 4 checked in")
        assert not checked_in(door.alex)
        expect(results.get_by_role("button", name="Check in Alex Morgan")).to_be_visible()

        # undo from the recent scans list too
        scan_by_typing(page, str(door.sam.uuid))
        expect(result).to_contain_text("Sam Lee")
        page.locator("[data-recent]").get_by_role("button", name="Undo check-in for Sam Lee").click()
        expect(result).to_contain_text("Check-in undone")
        assert not checked_in(door.sam)
        expect(page.locator("[data-recent]").get_by_role("button", name="Undo check-in for Sam Lee")).to_have_count(0)


def test_expired_revoked_and_unknown_links_show_an_error_page(camera, live_server, door):
    expired = CheckInSessionFactory(show=door.show, expires_at=timezone.now() - timedelta(hours=1))
    revoked = CheckInSessionFactory(show=door.show, revoked_at=timezone.now())
    with phone(camera, live_server) as page:
        response = page.goto(app_url(live_server, expired))
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_contain_text("This check-in link expired at")
        screenshot(page, "checkin-expired-link-phone")

        assert page.goto(app_url(live_server, revoked)).status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("This check-in link was switched off")

        assert page.goto(f"{live_server.url}/checkin/?token=not-a-real-token-at-all-0000").status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("This check-in link isn't valid")

        # a link switched off while the app is open stops scanning at the next answer
        page.goto(app_url(live_server, door.session))
        expect(page.locator(".ck-counts__text")).to_have_text("0 / 4 checked in")
        door.session.revoked_at = timezone.now()
        door.session.save(update_fields=["revoked_at"])
        scan_by_typing(page, str(door.alex.uuid))
        expect(page.locator("[data-fatal]")).to_contain_text("This check-in link was switched off.")
        expect(page.get_by_label("Ticket code")).to_be_disabled()
        assert not checked_in(door.alex)


def test_the_browsers_own_barcode_detector_is_used_where_it_exists(camera, live_server, door):
    """Phones with the Shape Detection API scan natively; jsQR is then never downloaded."""
    with phone(camera, live_server) as page:
        page.add_init_script(
            """
            window.BarcodeDetector = class {
              static async getSupportedFormats() { return ["qr_code", "ean_13"]; }
              constructor(options) { this.formats = options.formats; }
              async detect(source) {
                return source.videoWidth ? [{ rawValue: "UUID", format: "qr_code" }] : [];
              }
            };
            """.replace("UUID", str(door.kim.uuid))
        )
        fetched = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(app_url(live_server, door.session))
        expect(page.locator("[data-result]")).to_contain_text("Kim Nguyen")
        assert page.locator("#checkin-app").get_attribute("data-decoder") == "native"
        assert checked_in(door.kim)
        assert not [url for url in fetched if "jsQR" in url or "qr-worker" in url]


def test_desktop_layout_with_a_keyboard_focuses_the_code_field(camera, live_server, door):
    context = new_context(camera, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    try:
        page.goto(app_url(live_server, door.session))
        expect(page.locator(".ck-counts__text")).to_have_text("0 / 4 checked in")
        assert page.evaluate("document.activeElement.id") == "ck-code"
        page.keyboard.type(str(door.jo.uuid))
        page.keyboard.press("Enter")
        expect(page.locator("[data-result]")).to_contain_text("Jo Rivera")
        screenshot(page, "checkin-desktop")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("label", "name"),
    [("Front door (demo)", "short"), ("Side entrance by the loading dock — VIP and guest list", "long")],
)
def test_the_header_fits_a_phone_with_the_sound_button_in_reach(browser, live_server, door, label, name):
    """No sideways scrolling at any common phone width (nor on a desktop), however long the door's label;
    the Sound button always fully on screen."""
    door.session.label = label
    door.session.save(update_fields=["label"])
    sizes = [(width, {**PHONE, "viewport": {"width": width, "height": 800}}) for width in (320, 360, 390, 414)]
    for width, options in [*sizes, (1280, DESKTOP)]:
        context = new_context(browser, **options)
        page = context.new_page()
        try:
            page.goto(app_url(live_server, door.session))
            expect(page.locator(".ck-counts__text")).to_have_text("0 / 4 checked in")
            scroll_width, client_width = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll_width <= client_width, (
                f"{width} px: the page scrolls {scroll_width - client_width} px sideways"
            )
            sound = page.get_by_role("button", name="Sound")
            expect(sound).to_be_visible()
            box = sound.bounding_box()
            assert box["x"] >= 0, f"{width} px: the Sound button is cut off"
            assert box["x"] + box["width"] <= client_width, f"{width} px: the Sound button is cut off"
            expect(page.locator(".ck-door")).to_be_visible()
            expect(page.get_by_role("link", name="PiqueTickets")).to_be_visible()  # the logo, named
            if width in (390, 1280):
                screenshot(page, f"checkin-header-{name}-label-{width}")
        finally:
            context.close()

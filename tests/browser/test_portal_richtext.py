"""The rich text editor (portal/richtext.js) in Chromium, on a show's edit page: bold text, a bulleted
list and a link made with the toolbar by keyboard and by mouse, saved as sanitised HTML and shown on
the storefront; pasted text coming in plain; the textarea it replaces working without JavaScript.
axe-core on the page with the editor at 390 and 1280 px, under the CSP watch of ``conftest.py``;
screenshots in ``tests/artifacts/portal-richtext-*.png``."""

import pytest
from playwright.sync_api import expect

from piquetickets.shows.models import Show
from tests.browser.conftest import DESKTOP, assert_accessible, new_context, open_page, screenshot
from tests.browser.test_portal_onboarding import sign_in
from tests.browser.test_portal_shows import a_producer_who_may_publish
from tests.factories import ShowFactory, TicketFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK_REL = "noopener noreferrer nofollow"


def a_show() -> Show:
    producer = a_producer_who_may_publish()
    show = ShowFactory(
        producer=producer,
        venue=VenueFactory(producer=producer, name="The Cellar"),
        title="Friday Laughs",
        description="<p>Stand-up all night.</p>",
    )
    TicketFactory(show=show, name="General admission")
    return show


def open_editor(page, base: str, show: Show):
    sign_in(page, base, "olivia")
    page.goto(f"{base}/dashboard/shows/{show.slug}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Friday Laughs")
    editor = page.get_by_role("textbox", name="Description")
    expect(editor).to_be_visible()
    return editor, page.get_by_role("toolbar", name="Formatting")


def test_bold_a_list_and_a_link_made_with_the_toolbar_are_saved_and_shown(any_page, live_server):
    page = any_page
    width = page.viewport_size["width"]
    show = a_show()
    editor, toolbar = open_editor(page, live_server.url, show)
    textarea = page.locator("textarea[name=description]")
    expect(textarea).to_be_hidden()
    expect(editor).to_have_attribute("aria-describedby", "id_description_helptext")
    expect(editor.locator("p")).to_have_text("Stand-up all night.")
    expect(toolbar).to_have_attribute("aria-controls", "id_description_editor")
    assert_accessible(page, what="the show form with the rich text editor")

    # The label puts the caret in the text; the toolbar is one tab stop before it.
    page.locator("#id_description_label").click()
    expect(editor).to_be_focused()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("Two-drink minimum")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Shift+Tab")
    bold = toolbar.get_by_role("button", name="Bold")
    expect(bold).to_be_focused()
    page.keyboard.press("Enter")
    expect(editor).to_be_focused()
    expect(bold).to_have_attribute("aria-pressed", "true")
    expect(editor.locator("b")).to_have_text("Two-drink minimum")

    # A bulleted list: Alt+F10 reaches the toolbar from the text, the arrow keys move along it.
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    expect(bold).to_have_attribute("aria-pressed", "false")
    page.keyboard.type("Bring a friend")
    page.keyboard.press("Alt+F10")
    expect(bold).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    bullets = toolbar.get_by_role("button", name="Bulleted list")
    expect(bullets).to_be_focused()
    page.keyboard.press("Space")
    expect(bullets).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("Sit anywhere")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    expect(bullets).to_have_attribute("aria-pressed", "false")
    page.keyboard.type("Tickets on our site")

    # A link, with the mouse: an address the site does not link to is refused in place.
    for _ in range(len("our site")):
        page.keyboard.press("Shift+ArrowLeft")
    link = toolbar.get_by_role("button", name="Link", exact=True)
    link.click()
    expect(link).to_have_attribute("aria-expanded", "true")
    address = page.get_by_label("Link to")
    expect(address).to_be_focused()
    address.fill("javascript:alert(1)")
    page.get_by_role("button", name="Add link").click()
    expect(page.get_by_role("alert").filter(has_text="web address")).to_have_text(
        "Enter a web address starting with https:// or an email address."
    )
    assert_accessible(page, what="the editor's link address refused")
    screenshot(page, f"portal-richtext-link-{width}")
    address.fill("laughtrack.example/tickets")
    address.press("Enter")
    expect(link).to_have_attribute("aria-expanded", "false")
    expect(editor.get_by_role("link", name="our site")).to_have_attribute("href", "https://laughtrack.example/tickets")
    expect(toolbar.get_by_role("button", name="Remove link")).to_have_attribute("aria-disabled", "false")

    # Italics with the mouse: a double click picks a word, the button makes it italic.
    editor.get_by_text("Stand-up all night.").dblclick(position={"x": 5, "y": 5})
    toolbar.get_by_role("button", name="Italic").click()
    expect(editor.locator("i")).to_have_text("Stand")

    html = textarea.input_value()
    assert "<b>Two-drink minimum</b>" in html
    assert_accessible(page, what="the rich text editor with a list and a link")
    screenshot(page, f"portal-richtext-editor-{width}")

    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".site-messages")).to_contain_text("saved")
    show.refresh_from_db()
    assert show.description == (
        "<p><i>Stand</i>-up all night.</p>"
        "<p><b>Two-drink minimum</b></p>"
        "<ul><li>Bring a friend</li><li>Sit anywhere</li></ul>"
        f'<p>Tickets on <a href="https://laughtrack.example/tickets" rel="{LINK_REL}">our site</a></p>'
    )

    # Opened again, the editor shows what was saved, and saving untouched changes nothing.
    page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/edit/")
    expect(editor.locator("ul > li")).to_have_text(["Bring a friend", "Sit anywhere"])
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".site-messages")).to_contain_text("saved")
    saved = show.description
    show.refresh_from_db()
    assert show.description == saved

    page.goto(f"{live_server.url}/shows/{show.slug}/")
    about = page.locator(".rich-text")
    expect(about.locator("b")).to_have_text("Two-drink minimum")
    expect(about.locator("ul > li")).to_have_text(["Bring a friend", "Sit anywhere"])
    expect(about.get_by_role("link", name="our site")).to_have_attribute("rel", LINK_REL)


def test_pasted_text_comes_in_plain_and_the_textarea_follows(page, live_server):
    show = a_show()
    editor, toolbar = open_editor(page, live_server.url, show)
    editor.click()
    page.keyboard.press("Control+End")
    page.evaluate(
        """() => {
          const data = new DataTransfer();
          data.setData("text/html", '<h1 style="color: red">Big</h1><script>alert(1)</script>');
          data.setData("text/plain", "First line\\nsame paragraph\\n\\nSecond <paragraph>");
          const editor = document.querySelector("[role=textbox][contenteditable]");
          editor.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }"""
    )
    expect(editor).to_contain_text("Second <paragraph>")
    assert page.locator("textarea[name=description]").input_value() == (
        "<p>Stand-up all night.First line<br>same paragraph</p><p>Second &lt;paragraph&gt;</p>"
    )
    # Heading on and off by mouse; Escape in the toolbar gives the text the focus back.
    heading = toolbar.get_by_role("button", name="Heading")
    heading.click()
    expect(editor.locator("h3")).to_have_text("Second <paragraph>")
    expect(heading).to_have_attribute("aria-pressed", "true")
    heading.focus()
    page.keyboard.press("Escape")
    expect(editor).to_be_focused()
    page.keyboard.press("Control+z")
    expect(editor.locator("h3")).to_have_count(0)

    # A link with nothing selected is its address; the caret in it, Remove link takes it off again,
    # and the toolbar's Undo and Redo step through that.
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("Questions: ")
    toolbar.get_by_role("button", name="Link", exact=True).click()
    page.get_by_label("Link to").fill("hello@laughtrack.example")
    page.get_by_role("button", name="Add link").click()
    email = editor.get_by_role("link", name="hello@laughtrack.example")
    expect(email).to_have_attribute("href", "mailto:hello@laughtrack.example")
    expect(editor).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    unlink = toolbar.get_by_role("button", name="Remove link")
    expect(unlink).to_have_attribute("aria-disabled", "false")
    unlink.click()
    expect(email).to_have_count(0)
    expect(editor).to_contain_text("Questions: hello@laughtrack.example")
    toolbar.get_by_role("button", name="Undo").click()
    expect(email).to_have_count(1)
    toolbar.get_by_role("button", name="Redo").click()
    expect(email).to_have_count(0)
    assert (
        page.locator("textarea[name=description]").input_value().endswith("<p>Questions: hello@laughtrack.example</p>")
    )


def test_the_ticket_venue_performer_and_profile_forms_have_the_editor(any_page, live_server):
    page = any_page
    width = page.viewport_size["width"]
    show = a_show()
    sign_in(page, live_server.url, "olivia")
    performer = show.producer.performers.get()
    pages = [
        (f"/dashboard/shows/{show.slug}/tickets/new/", "Description", "the new ticket type form"),
        (f"/dashboard/venues/{show.venue.slug}/", "Description", "the venue form"),
        (f"/dashboard/performers/{performer.slug}/", "Bio", "the performer form"),
        ("/dashboard/profile/", "About you", "the profile form"),
    ]
    for path, label, what in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("textbox", name=label)).to_be_visible()
        expect(page.locator("textarea[data-rich-text]")).to_be_hidden()
        assert_accessible(page, what=what)
    screenshot(page, f"portal-richtext-profile-{width}")
    page.goto(f"{live_server.url}/dashboard/performers/{performer.slug}/")
    screenshot(page, f"portal-richtext-performer-{width}")


def test_without_javascript_the_description_is_a_textarea_for_html(browser, live_server):
    show = a_show()
    context = new_context(browser, java_script_enabled=False, **DESKTOP)
    page = open_page(context)
    sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/edit/")
    expect(page.get_by_role("toolbar")).to_have_count(0)
    description = page.get_by_label("Description")
    expect(description).to_have_value("<p>Stand-up all night.</p>")
    description.fill('<p><strong>Late</strong> show <a href="javascript:alert(1)">here</a></p><script>x()</script>')
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".site-messages")).to_contain_text("saved")
    show.refresh_from_db()
    assert show.description == f'<p><strong>Late</strong> show <a rel="{LINK_REL}">here</a></p>'
    context.close()

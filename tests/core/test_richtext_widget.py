"""RichTextarea: the textarea of a rich text field, marked for the portal's editor (portal/richtext.js)
and a plain textarea for HTML without it."""

import pytest

from piquetickets.core.widgets import RichTextarea
from piquetickets.portal.forms.places import PerformerForm, ProfileForm, VenueForm
from piquetickets.portal.forms.shows import ShowForm, TicketForm

HINT = "Use the toolbar for bold, italics, headings, lists and links."


def test_it_draws_a_textarea_marked_for_the_editor_with_its_html_escaped():
    html = RichTextarea().render("bio", '<p>Fish & <b>chips</b><script>x("y")</script></p>', attrs={"id": "id_bio"})

    assert html == (
        '<textarea name="bio" cols="40" rows="8" data-rich-text id="id_bio">\n'
        "&lt;p&gt;Fish &amp; &lt;b&gt;chips&lt;/b&gt;&lt;script&gt;x(&quot;y&quot;)&lt;/script&gt;&lt;/p&gt;"
        "</textarea>"
    )


def test_its_attributes_are_kept_and_the_mark_cannot_be_dropped():
    widget = RichTextarea(attrs={"rows": 3, "data-rich-text": False, "class": "short"})

    assert widget.attrs == {"cols": "40", "rows": 3, "class": "short", "data-rich-text": True}
    assert RichTextarea().attrs == {"cols": "40", "rows": 8, "data-rich-text": True}


@pytest.mark.parametrize(
    ("form", "name"),
    [
        (ShowForm, "description"),
        (TicketForm, "description"),
        (VenueForm, "description"),
        (PerformerForm, "bio"),
        (ProfileForm, "bio"),
    ],
)
def test_the_portals_rich_text_fields_use_it_and_say_how(form, name):
    field = form.base_fields[name]

    assert isinstance(field.widget, RichTextarea)
    assert field.help_text.endswith(HINT)


def test_a_bound_field_is_tied_to_its_hint_and_error():
    form = ProfileForm(data={"bio": "<p>Hi</p>"})
    form.add_error("bio", "Too long.")

    html = form["bio"].as_widget()

    assert html == (
        '<textarea name="bio" cols="40" rows="6" data-rich-text aria-invalid="true" '
        'aria-describedby="id_bio_helptext id_bio_error" id="id_bio">\n&lt;p&gt;Hi&lt;/p&gt;</textarea>'
    )

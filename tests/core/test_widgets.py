"""QuickSelect draws what Django's Select draws: the same options, selection, escaping and attributes."""

import re

from django import forms

from piquetickets.core.widgets import QuickSelect

CHOICES = [("", "All shows"), ("a&b", 'Rock & "Roll" <live>'), ("late", "The Late Show")]


def _normalised(html: str) -> str:
    """The markup without whitespace between tags, the select's attributes in name order (their order
    means nothing)."""
    html = re.sub(r">\s+<", "><", str(html)).strip()
    opening, rest = html.split(">", 1)
    attributes = sorted(re.findall(r'\s([\w-]+(?:="[^"]*")?)', opening.removeprefix("<select")))
    return f"<select {' '.join(attributes)}>{rest}"


class Both(forms.Form):
    django = forms.ChoiceField(choices=CHOICES, required=False, help_text="Pick one")
    quick = forms.ChoiceField(choices=CHOICES, required=False, help_text="Pick one", widget=QuickSelect)


def test_it_draws_the_markup_djangos_select_draws():
    form = Both({"django": "a&b", "quick": "a&b"})
    form.is_valid()

    ours = _normalised(form["quick"]).replace("quick", "NAME")
    theirs = _normalised(form["django"]).replace("django", "NAME")

    assert ours == theirs
    assert '<option value="a&amp;b" selected>Rock &amp; &quot;Roll&quot; &lt;live&gt;</option>' in ours
    assert 'aria-describedby="id_NAME_helptext"' in ours


def test_nothing_chosen_selects_the_empty_choice_as_djangos_does():
    form = Both()

    ours = _normalised(form["quick"]).replace("quick", "NAME")

    assert ours == _normalised(form["django"]).replace("django", "NAME")
    assert ours.count("selected") == 1
    assert '<option value="" selected>All shows</option>' in ours


def test_an_invalid_required_field_says_so_on_the_select_as_djangos_does():
    class Required(forms.Form):
        django = forms.ChoiceField(choices=CHOICES)
        quick = forms.ChoiceField(choices=CHOICES, widget=QuickSelect)

    form = Required({"django": "nope", "quick": "nope"})
    form.is_valid()

    ours = _normalised(form["quick"]).replace("quick", "NAME")
    assert ours == _normalised(form["django"]).replace("django", "NAME")
    assert 'aria-invalid="true"' in ours
    assert " required" in ours
    assert "selected" not in ours


def test_grouped_choices_are_drawn_by_djangos_templates():
    widget = QuickSelect(choices=[("Tonight", [("a", "A"), ("b", "B")]), ("c", "C")])

    html = widget.render("show", "b")

    assert '<optgroup label="Tonight">' in html
    assert '<option value="b" selected>B</option>' in html


def test_a_model_choice_select_reads_its_choices_in_one_query(django_assert_num_queries, db):
    from piquetickets.shows.models import Show
    from tests.factories import ShowFactory

    ShowFactory(title="One")
    ShowFactory(title="Two")

    class Pick(forms.Form):
        show = forms.ModelChoiceField(queryset=Show.objects.order_by("title"), widget=QuickSelect)

    form = Pick()
    with django_assert_num_queries(1):  # the shows; no COUNT
        html = str(form["show"])

    assert html.index(">One</option>") < html.index(">Two</option>")

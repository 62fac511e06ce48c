import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from piquetickets.shows import services
from piquetickets.shows.models import FeaturedShow, Show
from piquetickets.venues.models import Venue
from tests.factories import ShowFactory, TicketFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_slug_is_generated_from_the_title():
    show = ShowFactory(title="Friday Night Stand-Up!")
    assert show.slug == "friday-night-stand-up"


def test_slug_stays_the_same_when_the_title_changes():
    show = ShowFactory(title="Friday Night Stand-Up")
    show.title = "Saturday Night Stand-Up"
    show.save()
    show.refresh_from_db()
    assert show.slug == "friday-night-stand-up"


RANDOM_SUFFIX = r"-[a-z0-9]{6}"


def test_same_title_gets_a_random_suffix_that_reveals_nothing():
    """A counter (``-2``) would tell anyone another producer already has a show, maybe a draft, of that title."""
    first = ShowFactory(title="Comedy Brunch")
    second = ShowFactory(title="Comedy Brunch")
    third = ShowFactory(title="Comedy Brunch")
    assert first.slug == "comedy-brunch"
    assert re.fullmatch("comedy-brunch" + RANDOM_SUFFIX, second.slug)
    assert re.fullmatch("comedy-brunch" + RANDOM_SUFFIX, third.slug)
    assert len({first.slug, second.slug, third.slug}) == 3
    assert second.slug not in {"comedy-brunch-2", "comedy-brunch-3"}


def test_existing_slugs_are_kept():
    show = ShowFactory(title="Comedy Brunch", slug="comedy-brunch-2")
    show.title = "Another title"
    show.save()
    show.refresh_from_db()
    assert show.slug == "comedy-brunch-2"


def test_slug_of_a_deleted_show_stays_reserved():
    gone = ShowFactory(title="Gone Show")
    services.show_soft_delete(show=gone)
    assert re.fullmatch("gone-show" + RANDOM_SUFFIX, ShowFactory(title="Gone Show").slug)


def test_title_without_letters_still_gets_a_slug():
    assert ShowFactory(title="!!!").slug == "item"


def test_long_titles_are_cut_to_a_valid_slug():
    show = ShowFactory(title="A" * 150)
    twin = ShowFactory(title="A" * 150)
    assert len(show.slug) == 60
    assert re.fullmatch("a" * 53 + RANDOM_SUFFIX, twin.slug)


def test_duplicate_slug_is_refused_by_the_database():
    show = ShowFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ShowFactory(slug=show.slug)


def test_venue_slug_comes_from_its_name():
    assert VenueFactory(name="The Basement Room").slug == "the-basement-room"


def test_soft_deleted_show_is_hidden_except_from_all_objects():
    live, gone = ShowFactory(title="Live"), ShowFactory(title="Gone")
    services.show_soft_delete(show=gone)

    gone.refresh_from_db()
    assert gone.is_deleted
    assert gone.deleted_at is not None
    assert not gone.published
    assert list(Show.objects.values_list("title", flat=True)) == ["Live"]
    assert set(Show.all_objects.values_list("title", flat=True)) == {"Live", "Gone"}
    assert list(live.venue.shows.all()) == [live]
    assert list(Venue.objects.get(pk=gone.venue_id).shows.all()) == []


def test_rows_of_a_deleted_show_still_reach_it():
    ticket = TicketFactory()
    services.show_soft_delete(show=ticket.show)
    ticket.refresh_from_db()
    assert ticket.show.is_deleted is True


def test_featured_placement_of_a_deleted_show_is_not_visible_through_show_lookups():
    show = ShowFactory()
    FeaturedShow.objects.create(show=show, order=1)
    services.show_soft_delete(show=show)
    assert FeaturedShow.objects.filter(show__in=Show.objects.all()).count() == 0


def test_restore_brings_a_deleted_show_back_as_a_draft():
    show = ShowFactory(published=True)
    services.show_soft_delete(show=show)
    services.show_restore(show=show)
    show.refresh_from_db()
    assert (show.is_deleted, show.deleted_at, show.published) == (False, None, False)
    assert Show.objects.filter(pk=show.pk).exists()


def test_soft_delete_and_restore_are_idempotent():
    show = ShowFactory()
    first_deleted_at = services.show_soft_delete(show=show).deleted_at
    services.show_soft_delete(show=show)
    assert Show.all_objects.get(pk=show.pk).deleted_at == first_deleted_at
    services.show_restore(show=show)
    services.show_restore(show=show)
    assert Show.objects.filter(pk=show.pk).exists()


def test_deleted_flag_and_timestamp_must_agree():
    show = ShowFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Show.all_objects.filter(pk=show.pk).update(is_deleted=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Show.all_objects.filter(pk=show.pk).update(deleted_at=timezone.now())


def test_published_and_upcoming_querysets():
    past = ShowFactory(start_time=timezone.now() - timedelta(days=2), published=True)
    draft = ShowFactory(published=False)
    upcoming = ShowFactory(published=True)
    assert set(Show.objects.published()) == {past, upcoming}
    assert set(Show.objects.upcoming()) == {draft, upcoming}
    assert upcoming.is_public
    assert not draft.is_public


def test_many_long_identical_titles_all_get_distinct_slugs():
    slugs = [ShowFactory(title="0" * 200).slug for _ in range(4)]
    assert len(set(slugs)) == 4
    assert all(len(slug) == 60 and re.fullmatch("0" * 53 + RANDOM_SUFFIX, slug) for slug in slugs[1:])


def test_a_lost_race_for_a_slug_is_retried(monkeypatch):
    from piquetickets.core import slugs as slug_module

    ShowFactory(title="Race")
    calls = []
    real = slug_module.unique_slug

    def stale_then_real(instance, source, **kwargs):
        if source.startswith("Race"):
            calls.append(source)
            if len(calls) == 1:
                return "race"  # what a concurrent request just took
        return real(instance, source, **kwargs)

    monkeypatch.setattr(slug_module, "unique_slug", stale_then_real)
    show = ShowFactory(title="Race")
    assert show.slug.startswith("race-")
    assert len(calls) == 2


def test_a_draft_gets_a_random_slug_so_no_title_can_be_probed_and_keeps_it_when_published():
    from tests.factories import MembershipFactory

    draft = ShowFactory(title="Secret Tour", published=False)
    assert re.fullmatch("secret-tour" + RANDOM_SUFFIX, draft.slug)
    # Another producer's show of the same title gets the plain slug: the draft holds nothing to probe.
    rival = ShowFactory(title="Secret Tour", published=True)
    assert rival.slug == "secret-tour"

    owner = MembershipFactory(producer=draft.producer, user__is_staff=True).user
    TicketFactory(show=draft)
    slug = draft.slug
    services.show_publish(show=draft, user=owner)
    draft.refresh_from_db()
    assert (draft.published, draft.slug) == (True, slug)  # links and API clients keep working

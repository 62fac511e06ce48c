"""The producer portal's pages, one module per area: dashboard, producers (which producer you act
for), team (members and invitations), onboarding (accepting an invitation).

Every page but the invitation's is wrapped in :func:`piquetickets.portal.access.producer_required`
(or uses :class:`~piquetickets.portal.access.ProducerRequiredMixin`), which signs people in and sets
``request.producer``; every object a page reads or changes is looked up through that producer
(:func:`~piquetickets.portal.access.producer_object_or_404`), so another producer's answers 404.
"""

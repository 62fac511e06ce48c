"""Errors of producers' teams and invitations."""

from piquetickets.core.errors import ApplicationError


class AlreadyMember(ApplicationError):
    code = "already_member"
    default_message = "This person is already on the team."
    status = 409


class InvitationNotFound(ApplicationError):
    code = "invitation_not_found"
    default_message = (
        "This invitation link isn't valid. Check that you copied all of it; if the invitation was sent again, "
        "only the link in the newest email works."
    )
    status = 404


class InvitationUsed(ApplicationError):
    code = "invitation_used"
    default_message = "This invitation has already been accepted. Sign in to get to the portal."
    status = 410


class InvitationExpired(ApplicationError):
    code = "invitation_expired"
    default_message = "This invitation has expired. Ask the person who invited you to send a new one."
    status = 410


class InvitationForSomeoneElse(ApplicationError):
    code = "invitation_for_someone_else"
    default_message = (
        "This invitation was sent to another email address than your account's. Sign out, then open the link "
        "again to join with the invited address, or ask the team's owner to invite your account's address."
    )
    status = 403


class AccountExists(ApplicationError):
    code = "account_exists"
    default_message = "There is already an account with this email address: sign in to accept the invitation."
    status = 409


class LastOwner(ApplicationError):
    code = "last_owner"
    default_message = "A producer needs at least one owner. Make someone else an owner first."
    status = 409


class LeadAlreadyOnboarded(ApplicationError):
    code = "lead_already_onboarded"
    default_message = "This lead is already a producer."
    status = 409

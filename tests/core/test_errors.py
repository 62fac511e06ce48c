from piquetickets.core.errors import ApplicationError, Busy, NotFound, PermissionDenied


def test_application_errors_carry_code_message_extra_and_status():
    error = Busy(extra={"retry_after": 1})
    assert error.as_dict() == {
        "detail": "We are busy right now, please try again in a moment.",
        "code": "busy",
        "extra": {"retry_after": 1},
    }
    assert (error.status, str(error)) == (409, error.message)


def test_custom_message_and_defaults():
    assert NotFound("No such show.").as_dict() == {"detail": "No such show.", "code": "not_found", "extra": {}}
    assert PermissionDenied().status == 403
    assert ApplicationError().as_dict()["code"] == "error"

"""SES delivery events through django-anymail's tracking webhook, as SNS posts them.

The SES records are AWS's documented event-publishing examples ("Examples of event data that Amazon
SES publishes to Amazon SNS"), with only ``mail.messageId`` swapped for the id of our sent email;
the envelope is an SNS HTTP(S) Notification with SNS's headers.
"""

import base64
import copy
import json
import uuid
from datetime import UTC, datetime

import pytest
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from django.urls import reverse

from piquetickets.emails.models import EmailTracking
from piquetickets.emails.services import email_deliver

pytestmark = pytest.mark.django_db

URL = "/anymail/amazon_ses/tracking/"
SECRET = "sns-user:correct-horse-battery"
TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:ses-events"
SNS_TIMESTAMP = "2017-08-05T00:41:03.123Z"
TOKEN = (
    "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ce"
    "ece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f2"
    "35d0e717736"
)

MAIL = {
    "timestamp": "2017-08-05T00:40:02.012Z",
    "source": "Sender Name <sender@example.com>",
    "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
    "sendingAccountId": "123456789012",
    "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
    "destination": ["recipient@example.com"],
    "headersTruncated": False,
    "headers": [
        {"name": "From", "value": "Sender Name <sender@example.com>"},
        {"name": "To", "value": "recipient@example.com"},
        {"name": "Subject", "value": "Message sent from Amazon SES"},
        {"name": "MIME-Version", "value": "1.0"},
        {
            "name": "Content-Type",
            "value": 'multipart/alternative; boundary="----=_Part_7307378_1629847660.1516840721503"',
        },
    ],
    "commonHeaders": {
        "from": ["Sender Name <sender@example.com>"],
        "to": ["recipient@example.com"],
        "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "subject": "Message sent from Amazon SES",
    },
    "tags": {
        "ses:configuration-set": ["ConfigSet"],
        "ses:source-ip": ["192.0.2.0"],
        "ses:from-domain": ["example.com"],
        "ses:caller-identity": ["ses_user"],
    },
}
DELIVERY = {
    "eventType": "Delivery",
    "mail": MAIL,
    "delivery": {
        "timestamp": "2016-10-19T23:21:04.133Z",
        "processingTimeMillis": 11893,
        "recipients": ["recipient@example.com"],
        "smtpResponse": "250 2.6.0 Message received",
        "reportingMTA": "mta.example.com",
    },
}
BOUNCE = {
    "eventType": "Bounce",
    "bounce": {
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [
            {
                "emailAddress": "recipient@example.com",
                "action": "failed",
                "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 user unknown",
            }
        ],
        "timestamp": "2017-08-05T00:41:02.669Z",
        "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
        "reportingMTA": "dsn; mta.example.com",
    },
    "mail": MAIL,
}
COMPLAINT = {
    "eventType": "Complaint",
    "complaint": {
        "complainedRecipients": [{"emailAddress": "recipient@example.com"}],
        "timestamp": "2017-08-05T00:41:02.669Z",
        "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/60.0.3112.90 Safari/537.36",
        "complaintFeedbackType": "abuse",
        "arrivalDate": "2017-08-05T00:41:02.669Z",
    },
    "mail": MAIL,
}
SEND = {"eventType": "Send", "mail": MAIL, "send": {}}


def ses_event(record: dict, message_id: str, *, notification_format: bool = False) -> dict:
    event = copy.deepcopy(record)
    event["mail"]["messageId"] = event["mail"]["commonHeaders"]["messageId"] = message_id
    if notification_format:  # SES "notifications" (identity feedback) instead of event publishing
        event["notificationType"] = event.pop("eventType")
    return event


def sns_notification(event: dict) -> dict:
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": TOPIC_ARN,
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(event),
        "Timestamp": SNS_TIMESTAMP,
        "SignatureVersion": "1",
        "Signature": "EXAMPLEw6JRN...",
        "SigningCertURL": "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        "UnsubscribeURL": "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
        f"{TOPIC_ARN}:c9135db0-26c4-47ec-8998-413945fb5a96",
    }


def post_sns(client, envelope: dict, *, auth: str | None = SECRET):
    headers = {
        "x-amz-sns-message-type": envelope["Type"],
        "x-amz-sns-message-id": envelope["MessageId"],
        "x-amz-sns-topic-arn": envelope["TopicArn"],
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    if envelope["Type"] == "Notification":
        headers["x-amz-sns-subscription-arn"] = f"{TOPIC_ARN}:c9135db0-26c4-47ec-8998-413945fb5a96"
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(URL, data=json.dumps(envelope), content_type="text/plain; charset=UTF-8", headers=headers)


def post_event(client, record: dict, message_id: str, **kwargs):
    return post_sns(client, sns_notification(ses_event(record, message_id)), **kwargs)


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


@pytest.fixture
def sent_email(settings, queue_email):
    """An email sent through anymail (its test backend), holding an SES-shaped message id."""
    settings.EMAIL_BACKEND = "tests.emails.backends.SesLikeBackend"
    email = email_deliver(email_id=queue_email().pk)
    assert email.status == "sent"
    return email


def snapshot(email: EmailTracking) -> dict:
    return EmailTracking.objects.filter(pk=email.pk).values().get()


def test_the_webhook_is_mounted_where_the_sns_subscription_points():
    assert reverse("anymail:amazon_ses_tracking_webhook") == URL


def test_a_post_without_basic_auth_is_asked_for_it_and_changes_nothing(client, sent_email):
    before = snapshot(sent_email)

    response = post_event(client, DELIVERY, sent_email.message_id, auth=None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Anymail WEBHOOK_SECRET"'
    assert snapshot(sent_email) == before


@pytest.mark.parametrize("auth", ["sns-user:wrong-password", "someone:else", "garbage"])
def test_a_post_with_the_wrong_basic_auth_is_refused_and_changes_nothing(client, sent_email, auth):
    before = snapshot(sent_email)

    response = post_event(client, BOUNCE, sent_email.message_id, auth=auth)

    assert response.status_code == 400
    assert snapshot(sent_email) == before


def test_a_post_whose_sns_headers_do_not_match_its_body_is_refused(client, sent_email):
    envelope = sns_notification(ses_event(DELIVERY, sent_email.message_id))
    forged = {**envelope, "Type": "SubscriptionConfirmation"}  # body says one thing, header another
    response = client.post(
        URL,
        data=json.dumps(forged),
        content_type="text/plain; charset=UTF-8",
        headers={
            "x-amz-sns-message-type": "Notification",
            "x-amz-sns-message-id": envelope["MessageId"],
            "Authorization": "Basic " + base64.b64encode(SECRET.encode()).decode(),
        },
    )
    assert response.status_code == 400
    assert EmailTracking.objects.get(pk=sent_email.pk).status == "sent"


def test_delivery_marks_the_email_delivered(client, sent_email):
    response = post_event(client, DELIVERY, sent_email.message_id)

    assert response.status_code == 200
    email = EmailTracking.objects.get(pk=sent_email.pk)
    assert email.status == "delivered"
    assert email.delivered_at == datetime(2017, 8, 5, 0, 41, 3, 123000, tzinfo=UTC)
    assert email.failed_at is None
    assert email.error_message == ""


@pytest.mark.parametrize("notification_format", [False, True], ids=["event-publishing", "notifications"])
def test_a_permanent_bounce_marks_the_email_bounced(client, sent_email, notification_format):
    envelope = sns_notification(ses_event(BOUNCE, sent_email.message_id, notification_format=notification_format))

    response = post_sns(client, envelope)

    assert response.status_code == 200
    email = EmailTracking.objects.get(pk=sent_email.pk)
    assert email.status == "bounced"
    assert email.failed_at == datetime(2017, 8, 5, 0, 41, 3, 123000, tzinfo=UTC)
    assert email.error_message == "Permanent: General — smtp; 550 5.1.1 user unknown"
    assert email.next_attempt_at is None


def test_a_complaint_marks_the_email_complained(client, sent_email):
    response = post_event(client, COMPLAINT, sent_email.message_id)

    assert response.status_code == 200
    email = EmailTracking.objects.get(pk=sent_email.pk)
    assert email.status == "complained"
    assert email.error_message == "abuse"


def test_a_complaint_after_delivery_moves_it_on(client, sent_email):
    assert post_event(client, DELIVERY, sent_email.message_id).status_code == 200
    assert post_event(client, COMPLAINT, sent_email.message_id).status_code == 200

    email = EmailTracking.objects.get(pk=sent_email.pk)
    assert email.status == "complained"
    assert email.delivered_at is not None


@pytest.mark.parametrize(("first", "late"), [(BOUNCE, DELIVERY), (COMPLAINT, DELIVERY), (BOUNCE, COMPLAINT)])
def test_a_late_event_never_moves_an_email_back(client, sent_email, first, late):
    assert post_event(client, first, sent_email.message_id).status_code == 200
    after_first = snapshot(sent_email)

    response = post_event(client, late, sent_email.message_id)

    assert response.status_code == 200  # accepted, so SNS does not retry it
    assert snapshot(sent_email) == after_first


def test_a_repeated_delivery_changes_nothing_the_second_time(client, sent_email):
    assert post_event(client, DELIVERY, sent_email.message_id).status_code == 200
    after_first = snapshot(sent_email)

    assert post_event(client, DELIVERY, sent_email.message_id).status_code == 200

    assert snapshot(sent_email) == after_first


def test_a_send_event_is_a_no_op(client, sent_email):
    before = snapshot(sent_email)

    assert post_event(client, SEND, sent_email.message_id).status_code == 200

    assert snapshot(sent_email) == before


def test_an_event_for_an_unknown_message_is_ignored(client, sent_email):
    before = snapshot(sent_email)

    response = post_event(client, BOUNCE, "0100018cffffffff-0000-0000-0000-000000000000-000000")

    assert response.status_code == 200
    assert snapshot(sent_email) == before
    assert EmailTracking.objects.count() == 1


def test_the_topic_validation_notification_is_accepted(client, sent_email):
    envelope = {**sns_notification({}), "Message": "Successfully validated SNS topic for Amazon SES event publishing."}

    assert post_sns(client, envelope).status_code == 200
    assert EmailTracking.objects.get(pk=sent_email.pk).status == "sent"


class FakeSNSClient:
    def __init__(self, calls: list, region_name: str):
        self.calls = calls
        self.region_name = region_name

    def confirm_subscription(self, **kwargs):
        self.calls.append({"region": self.region_name, **kwargs})

    def close(self):
        pass


@pytest.fixture
def sns_confirmations(monkeypatch):
    """Record SNS ConfirmSubscription calls instead of making them (no network in the tests)."""
    calls: list = []

    def get_boto_client(self, service_name, **kwargs):
        assert service_name == "sns"
        return FakeSNSClient(calls, kwargs["region_name"])

    monkeypatch.setattr(AmazonSESTrackingWebhookView, "get_boto_client", get_boto_client)
    return calls


def subscription_confirmation() -> dict:
    return {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": TOKEN,
        "TopicArn": TOPIC_ARN,
        "Message": f"You have chosen to subscribe to the topic {TOPIC_ARN}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
        f"{TOPIC_ARN}&Token={TOKEN}",
        "Timestamp": "2012-04-26T20:45:04.751Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOx",
        "SigningCertURL": "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
    }


def test_a_subscription_confirmation_with_the_secret_is_confirmed_through_sns(client, sns_confirmations):
    envelope = subscription_confirmation()

    response = post_sns(client, envelope)

    assert response.status_code == 200
    assert sns_confirmations == [
        {
            "region": "us-west-2",  # the topic's own region
            "TopicArn": TOPIC_ARN,
            "Token": envelope["Token"],
            "AuthenticateOnUnsubscribe": "true",
        }
    ]


def test_a_subscription_confirmation_without_the_secret_is_not_confirmed(client, sns_confirmations):
    assert post_sns(client, subscription_confirmation(), auth=None).status_code == 401
    assert post_sns(client, subscription_confirmation(), auth="sns-user:wrong").status_code == 400
    assert sns_confirmations == []

"""A Stripe-compatible HTTP server for tests: the official ``stripe`` SDK talks to it over real HTTP.

Pointing the SDK at it (stripe 16.x)::

    client = stripe.StripeClient("sk_test_x", base_addresses={"api": server.url}, max_network_retries=0)
    session = client.v1.checkout.sessions.create(params={"mode": "payment", ...})

``base_addresses={"api": ...}`` replaces only the API host (``connect``/``files`` keep Stripe's); the
project does the same through ``settings.STRIPE_API_BASE = server.url``. In 16.x the services live under
``client.v1`` (``client.checkout.sessions`` still works but is deprecated), parameters go in ``params={...}``
and per-request options in ``options={"idempotency_key": ..., "stripe_account": ...}``. Answers are
``StripeObject``s, which are no longer dicts: ``session.metadata["order"]`` or ``session.to_dict()``,
never ``session.get(...)``.

The server stores everything in memory behind one lock, answers only the endpoints the project uses
(see ``_ROUTES``) and enforces the Stripe rules the project could break: required and unknown parameters,
``expires_at`` between 30 minutes and 24 hours ahead, a destination account able to receive transfers,
an application fee no larger than the total, no refund beyond what is left on the charge. Tests play the
buyer and Stripe's side with Python methods (``complete_session``, ``fail_payment``, ``expire_session``,
``update_account``, ``complete_onboarding``, ``fail_next``), each returning the event Stripe would send;
``signed_event`` turns one into a webhook request for Django's test client.

Not modelled: other modes than ``payment``, Price ids, customers, per-account object scoping
(``Stripe-Account`` is only recorded), automatic expiry when ``expires_at`` passes, webhook delivery.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

API_VERSION = stripe.api_version
MIN_SESSION_LIFETIME = 30 * 60  # Stripe: expires_at at least 30 minutes after creation...
MAX_SESSION_LIFETIME = 24 * 60 * 60  # ...and at most 24 hours; also the default.
CLOCK_SKEW = 5  # seconds: a client computing "now + 30 min" is a moment behind the server.
MINIMUM_CHARGE = 50  # Stripe's minimum charge is USD 0.50; other currencies differ, this server uses 50 units.
ACCOUNT_LINK_LIFETIME = 300
REFUND_REASONS = {"duplicate", "fraudulent", "requested_by_customer"}
ACCOUNT_TYPES = {"standard", "express", "custom"}
UNKNOWN_PARAM_HINT = "(This test server knows only the parameters listed in tests/stripe_server.py.)"

# Top-level parameters each create endpoint accepts. Parameters Stripe accepts but this server ignores
# are listed too, so that a typo is refused the way Stripe refuses it ("Received unknown parameter").
ACCOUNT_PARAMS = {"type", "country", "email", "capabilities", "business_type", "metadata", "controller"}
ACCOUNT_PARAMS |= {"business_profile", "settings", "tos_acceptance", "default_currency"}
ACCOUNT_LINK_PARAMS = {"account", "refresh_url", "return_url", "type", "collect", "collection_options"}
SESSION_PARAMS = {"mode", "line_items", "success_url", "cancel_url", "customer_email", "client_reference_id"}
SESSION_PARAMS |= {"metadata", "expires_at", "payment_intent_data", "payment_method_types", "locale"}
SESSION_PARAMS |= {"submit_type", "allow_promotion_codes", "billing_address_collection", "custom_text"}
SESSION_PARAMS |= {"phone_number_collection", "customer_creation", "ui_mode", "after_expiration"}
REFUND_PARAMS = {"payment_intent", "charge", "amount", "reason", "metadata", "reverse_transfer"}
REFUND_PARAMS |= {"refund_application_fee", "instructions_email"}


class StripeAPIError(Exception):
    """An error answered in Stripe's format, which the SDK turns into its exception classes.

    400/404 become ``stripe.InvalidRequestError`` (``param`` and ``code`` kept), 401
    ``AuthenticationError``, 402 ``CardError``, 5xx ``APIError``.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        error_type: str = "invalid_request_error",
    ):
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.error_type = status, message, param, code, error_type

    def body(self) -> dict:
        return {"error": {"type": self.error_type, "message": self.message, "param": self.param, "code": self.code}}


def _invalid(param: str, message: str, *, code: str | None = None) -> StripeAPIError:
    return StripeAPIError(400, message, param=param, code=code)


def _missing(param: str) -> StripeAPIError:
    return _invalid(param, f"Missing required param: {param}.", code="parameter_missing")


def _no_such(kind: str, object_id: str, *, param: str | None = None) -> StripeAPIError:
    """Stripe answers 404 for an unknown id in the URL and 400 for one passed as a parameter."""
    return StripeAPIError(
        400 if param else 404, f"No such {kind}: '{object_id}'", param=param or "id", code="resource_missing"
    )


# --- Reading form parameters (every value arrives as a string) ------------------------------------


def parse_form(text: str) -> dict[str, Any]:
    """Stripe's form encoding as nested data: ``a[b][0][c]=v`` -> ``{"a": {"b": [{"c": "v"}]}}``.

    ``expand[]=x`` appends; dicts whose keys are exactly ``0..n-1`` become lists (except metadata).
    Raises ``ValueError`` when a key is used both as a value and as a container.
    """
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        head, bracket, rest = key.partition("[")
        parts = [head, *re.findall(r"\[([^\[\]]*)\]", bracket + rest)]
        node = root
        for index, part in enumerate(parts):
            if not isinstance(node, dict):
                raise ValueError(f"Invalid parameter name: {key}")
            part = part or str(len(node))
            if index == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node: Any, key: str = "") -> Any:
    if not isinstance(node, dict):
        return node
    items = {name: _listify(value, name) for name, value in node.items()}
    if key != "metadata" and items and set(items) == {str(i) for i in range(len(items))}:
        return [items[str(i)] for i in range(len(items))]
    return items


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _str(value: Any, param: str) -> str:
    if _blank(value):
        raise _missing(param)
    if not isinstance(value, str):
        raise _invalid(param, f"Invalid string: {param} must be a string.")
    return value


def _opt_str(value: Any, param: str) -> str | None:
    return None if _blank(value) else _str(value, param)


def _int(value: Any, param: str, *, minimum: int = 0) -> int:
    text = _str(value, param)
    if not re.fullmatch(r"-?\d+", text):
        raise _invalid(param, f"Invalid integer: {text}", code="parameter_invalid_integer")
    if int(text) < minimum:
        raise _invalid(
            param, f"This value must be greater than or equal to {minimum}.", code="parameter_invalid_integer"
        )
    return int(text)


def _opt_int(value: Any, param: str, *, minimum: int = 0) -> int | None:
    return None if _blank(value) else _int(value, param, minimum=minimum)


def _opt_bool(value: Any, param: str) -> bool:
    if _blank(value):
        return False
    if value not in ("true", "false"):
        raise _invalid(param, f"Invalid boolean: {value}")
    return value == "true"


def _hash(value: Any, param: str) -> dict:
    if _blank(value):
        return {}
    if not isinstance(value, dict):
        raise _invalid(param, f"Invalid object: {param} must be a hash.")
    return value


def _url(value: Any, param: str, *, required: bool = True) -> str | None:
    url = _str(value, param) if required else _opt_str(value, param)
    if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise _invalid(param, "Not a valid URL", code="url_invalid")
    return url


def _metadata(value: Any, param: str) -> dict[str, str]:
    """Stripe's metadata limits: 50 keys, keys up to 40 characters, string values up to 500."""
    metadata = _hash(value, param)
    if len(metadata) > 50:
        raise _invalid(param, "Metadata can have at most 50 keys.")
    for key, item in metadata.items():
        if len(key) > 40 or not isinstance(item, str) or len(item) > 500:
            raise _invalid(f"{param}[{key}]", "Metadata keys are at most 40 characters, values strings of at most 500.")
    return dict(metadata)


def _only(params: dict, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed and name != "expand":
            raise _invalid(name, f"Received unknown parameter: {name} {UNKNOWN_PARAM_HINT}", code="parameter_unknown")


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


# --- Webhook helpers -------------------------------------------------------------------------------


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends: ``t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signed_event(event: dict, secret: str) -> tuple[bytes, dict[str, str]]:
    """An event as a webhook request for Django's test client.

    ``client.post(url, body, content_type="application/json", **headers)``.
    """
    body = json.dumps(event).encode()
    return body, {"HTTP_STRIPE_SIGNATURE": stripe_signature(body, secret)}


# --- The server ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One API request as the server received it; header names are title-cased (``Idempotency-Key``)."""

    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    @property
    def stripe_account(self) -> str | None:
        return self.headers.get("Stripe-Account")


@dataclass
class _Failure:
    method: str
    path_prefix: str
    error: StripeAPIError
    times: int


class StripeTestServer:
    """Stripe's API for the endpoints the project uses, in memory, on ``127.0.0.1:<free port>``."""

    def __init__(self, *, min_session_lifetime: int = MIN_SESSION_LIFETIME):
        self.min_session_lifetime = min_session_lifetime
        self.url = ""
        self._lock = threading.Lock()
        self._objects: dict[str, dict] = {}  # every object by id; "object" tells its kind
        self._session_intent_data: dict[str, dict] = {}  # checkout session id -> its payment_intent_data
        self._idempotent: dict[str, tuple[str, dict, dict]] = {}  # key -> (path, params, response)
        self._refund_events: dict[str, dict] = {}
        self._events: list[dict] = []
        self._requests: list[RecordedRequest] = []
        self._failures: list[_Failure] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> StripeTestServer:
        self._httpd = _HTTPServer(self)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = self._thread = None

    def __enter__(self) -> StripeTestServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # What tests inspect

    @property
    def events(self) -> list[dict]:
        """Every event generated so far, oldest first (copies)."""
        with self._lock:
            return copy.deepcopy(self._events)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    # Test-side controls: the buyer and Stripe's side

    def fail_next(
        self,
        method: str,
        path_prefix: str,
        status: int = 500,
        error_type: str = "api_error",
        *,
        times: int = 1,
        message: str = "Injected failure from the test Stripe server.",
        code: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` and ``path_prefix`` with this error.

        The SDK retries 5xx answers when ``max_network_retries`` > 0, so a retrying client needs ``times`` > 1
        to see the error. Nothing is stored for a failed request (a retry with the same key executes).
        """
        error = StripeAPIError(status, message, code=code, error_type=error_type)
        with self._lock:
            self._failures.append(_Failure(method.upper(), path_prefix, error, times))

    def complete_session(self, session_id: str, *, paid: bool = True, email: str | None = None) -> dict:
        """The buyer pays: the session becomes ``complete``, with a PaymentIntent and a Charge that carry the
        session's application fee and transfer destination and ``payment_intent_data[metadata]``.

        ``paid=False`` is a delayed payment method: ``payment_status`` stays ``unpaid``, the PaymentIntent is
        ``processing`` and the charge ``pending``. Returns the ``checkout.session.completed`` event.
        """
        with self._lock:
            session = self._open_session(session_id)
            intent = self._intent_for(session)
            email = email or session["customer_email"] or "buyer@example.com"
            charge = self._store(
                {
                    "id": _new_id("ch"),
                    "object": "charge",
                    "amount": intent["amount"],
                    "amount_captured": intent["amount"] if paid else 0,
                    "amount_refunded": 0,
                    "refunded": False,
                    "paid": paid,
                    "captured": paid,
                    "status": "succeeded" if paid else "pending",
                    "currency": intent["currency"],
                    "payment_intent": intent["id"],
                    "application_fee_amount": intent["application_fee_amount"],
                    "application_fee": _new_id("fee") if intent["application_fee_amount"] else None,
                    "transfer_data": copy.deepcopy(intent["transfer_data"]),
                    "transfer": _new_id("tr") if intent["transfer_data"] else None,
                    "billing_details": {"email": email, "name": None, "phone": None, "address": None},
                    "metadata": dict(intent["metadata"]),
                }
            )
            intent.update(
                status="succeeded" if paid else "processing",
                amount_received=intent["amount"] if paid else 0,
                latest_charge=charge["id"],
                last_payment_error=None,
            )
            session.update(
                status="complete",
                payment_status="paid" if paid else "unpaid",
                url=None,
                customer_details={"email": email, "name": None, "phone": None, "address": None},
            )
            return self._event("checkout.session.completed", session)

    def fail_payment(self, session_id: str, *, message: str = "Your card was declined.") -> dict:
        """The buyer's card is declined; the session stays open so they can try again.

        Returns the ``payment_intent.payment_failed`` event. Like Stripe, the PaymentIntent carries
        ``payment_intent_data[metadata]`` from the session, not the session's own ``metadata``.
        """
        with self._lock:
            intent = self._intent_for(self._open_session(session_id))
            intent.update(
                status="requires_payment_method",
                last_payment_error={
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": "generic_decline",
                    "message": message,
                },
            )
            return self._event("payment_intent.payment_failed", intent)

    def expire_session(self, session_id: str) -> dict:
        """The session runs out of time; returns the ``checkout.session.expired`` event."""
        with self._lock:
            return self._expire(self._open_session(session_id))

    def refund_event(self, refund_id: str) -> dict:
        """The ``charge.refunded`` event recorded when refund ``refund_id`` was created."""
        with self._lock:
            return copy.deepcopy(self._refund_events[refund_id])

    def update_account(self, account_id: str, **fields: Any) -> dict:
        """Change fields of a connected account (as Stripe does during onboarding); returns ``account.updated``
        with ``previous_attributes``. Raises ``KeyError`` for an unknown account or field."""
        with self._lock:
            account = self._objects[account_id]
            unknown = set(fields) - set(account)
            if unknown or account["object"] != "account":
                raise KeyError(f"not fields of account {account_id}: {sorted(unknown)}")
            previous = {name: copy.deepcopy(account[name]) for name in fields}
            account.update(copy.deepcopy(fields))
            return self._event("account.updated", account, previous)

    def complete_onboarding(self, account_id: str) -> dict:
        """The producer finishes onboarding: charges and payouts enabled, capabilities active, nothing due."""
        with self._lock:
            capabilities = dict.fromkeys(self._objects[account_id]["capabilities"], "active")
        return self.update_account(
            account_id,
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            capabilities=capabilities,
            requirements=_requirements(currently_due=[]),
        )

    # HTTP

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        if handler.command == "GET" and url.path.startswith(("/pay/", "/connect/onboard/", "/express/")):
            status, page = self._page(url.path.rsplit("/", 1)[-1])
            self._send(handler, status, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
            return
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        headers = {name.title(): value for name, value in handler.headers.items()}
        with self._lock:
            status, payload, extra = self._respond(handler.command, url.path, url.query or body, headers)
        extra |= {"Content-Type": "application/json", "Request-Id": _new_id("req"), "Stripe-Version": API_VERSION}
        self._send(handler, status, json.dumps(payload).encode(), extra)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str]) -> None:
        handler.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(data)), "Connection": "close"}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _respond(self, method: str, path: str, form: str, headers: dict[str, str]) -> tuple[int, dict, dict]:
        """Record, authenticate, inject failures, replay idempotent POSTs, dispatch. Called with the lock held."""
        try:
            params = parse_form(form)
        except ValueError as error:
            params, parse_error = {}, StripeAPIError(400, str(error))
        else:
            parse_error = None
        request = RecordedRequest(method, path, params, headers)
        self._requests.append(request)
        try:
            self._authenticate(headers)
            if parse_error:
                raise parse_error
            self._raise_injected_failure(request)
            key = request.idempotency_key if method == "POST" else None
            if key in self._idempotent:
                return 200, self._replay(key, request), {"Idempotent-Replayed": "true"}
            response = self._dispatch(request)
            if key:
                self._idempotent[key] = (path, params, copy.deepcopy(response))
            return 200, response, {}
        except StripeAPIError as error:
            return error.status, error.body(), {}
        except Exception as error:  # a bug here: answer it, instead of dropping the connection on the SDK
            return 500, StripeAPIError(500, f"Test Stripe server failed: {error!r}", error_type="api_error").body(), {}

    @staticmethod
    def _authenticate(headers: dict[str, str]) -> None:
        """Stripe wants ``Authorization: Bearer <secret key>``; this server accepts test-mode keys only."""
        scheme, _, api_key = headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not api_key.strip():
            raise StripeAPIError(
                401,
                "You did not provide an API key. You need to provide your API key in the Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        if not api_key.startswith("sk_test_"):
            raise StripeAPIError(401, f"Invalid API Key provided: {api_key[:8]}********")

    def _raise_injected_failure(self, request: RecordedRequest) -> None:
        for failure in self._failures:
            if failure.method == request.method and request.path.startswith(failure.path_prefix):
                failure.times -= 1
                if failure.times == 0:
                    self._failures.remove(failure)
                raise failure.error

    def _replay(self, key: str, request: RecordedRequest) -> dict:
        """Stripe replays the first response for a reused key, and refuses the key on another request."""
        path, params, response = self._idempotent[key]
        if (path, params) != (request.path, request.params):
            raise StripeAPIError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                f"Try using a key other than '{key}' if you meant to execute a different request.",
                error_type="idempotency_error",
            )
        return copy.deepcopy(response)

    def _dispatch(self, request: RecordedRequest) -> dict:
        for method, pattern, handler_name, *args in _ROUTES:
            match = re.fullmatch(pattern, request.path)
            if method == request.method and match:
                response = getattr(self, handler_name)(request, *match.groups(), *args)
                expand = request.params.get("expand") or []
                for path in [expand] if isinstance(expand, str) else expand:
                    self._expand(response, path, path)
                return response
        raise StripeAPIError(404, f"Unrecognized request URL ({request.method}: {request.path}).")

    def _expand(self, node: Any, path: str, full_path: str) -> None:
        """Replace an id by its object (``expand[]=payment_intent.latest_charge``); lists expand each item."""
        if isinstance(node, list):
            for item in node:
                self._expand(item, path, full_path)
            return
        head, _, rest = path.partition(".")
        if not isinstance(node, dict) or head not in node:
            raise _invalid("expand", f"This property cannot be expanded ({full_path}).")
        if isinstance(node[head], str) and node[head] in self._objects:
            node[head] = copy.deepcopy(self._objects[node[head]])
        if rest and node[head] is not None:
            self._expand(node[head], rest, full_path)

    def _page(self, object_id: str) -> tuple[int, str]:
        with self._lock:
            obj = copy.deepcopy(self._objects.get(object_id))
        if obj is None:
            return 404, "<!doctype html><title>Not found</title><p>No such object.</p>"
        if obj["object"] == "checkout.session":
            text = f"Pay {obj['amount_total']} {obj['currency']} (status: {obj['status']})"
        elif obj["details_submitted"]:
            text = f"Express dashboard for {obj['id']}"
        else:
            text = f"Onboarding for {obj['id']}"
        return 200, f"<!doctype html><title>Test Stripe</title><p>{html.escape(text)}</p>"

    # Store

    def _store(self, obj: dict) -> dict:
        obj.setdefault("created", int(time.time()))
        obj.setdefault("livemode", False)
        self._objects[obj["id"]] = obj
        return obj

    def _load(self, kind: str, object_id: str, *, param: str | None = None) -> dict:
        obj = self._objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise _no_such(kind, object_id, param=param)
        return obj

    def _open_session(self, session_id: str) -> dict:
        session = self._objects[session_id]
        if session["status"] != "open":
            raise ValueError(f"Checkout Session {session_id} is {session['status']}; only open sessions can change.")
        return session

    def _event(self, event_type: str, obj: dict, previous: dict | None = None) -> dict:
        data = {"object": copy.deepcopy(obj)} | ({"previous_attributes": previous} if previous is not None else {})
        event = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": data,
            "livemode": False,
            "pending_webhooks": 0,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        self._events.append(event)
        return copy.deepcopy(event)

    # Endpoints (called with the lock held; they validate everything before changing anything)

    def _retrieve(self, request: RecordedRequest, object_id: str, kind: str) -> dict:
        _only(request.params, set())
        return copy.deepcopy(self._load(kind, object_id))

    def _create_account(self, request: RecordedRequest) -> dict:
        """A connected account that cannot take charges or receive payouts until onboarding is done."""
        params = request.params
        _only(params, ACCOUNT_PARAMS)
        account_type = _opt_str(params.get("type"), "type") or "standard"
        if account_type not in ACCOUNT_TYPES:
            raise _invalid("type", f"Invalid type: must be one of {', '.join(sorted(ACCOUNT_TYPES))}")
        requested = []
        for name, capability in _hash(params.get("capabilities"), "capabilities").items():
            label = f"capabilities[{name}]"
            if _opt_bool(_hash(capability, label).get("requested"), f"{label}[requested]"):
                requested.append(name)
        if account_type == "standard" and not requested:
            requested = ["card_payments", "transfers"]  # Stripe requests both for standard accounts
        account = {
            "id": _new_id("acct"),
            "object": "account",
            "type": account_type,
            "country": _opt_str(params.get("country"), "country") or "US",
            "email": _opt_str(params.get("email"), "email"),
            "business_type": _opt_str(params.get("business_type"), "business_type"),
            "capabilities": dict.fromkeys(requested, "inactive"),
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "requirements": _requirements(currently_due=["business_type", "external_account", "tos_acceptance.date"]),
            "metadata": _metadata(params.get("metadata"), "metadata"),
        }
        return copy.deepcopy(self._store(account))

    def _create_account_link(self, request: RecordedRequest) -> dict:
        params = request.params
        _only(params, ACCOUNT_LINK_PARAMS)
        account = self._load("account", _str(params.get("account"), "account"), param="account")
        link_type = _str(params.get("type"), "type")
        if link_type not in ("account_onboarding", "account_update"):
            raise _invalid("type", f"Invalid type: {link_type}")
        _url(params.get("refresh_url"), "refresh_url")
        _url(params.get("return_url"), "return_url")
        created = int(time.time())
        return {
            "object": "account_link",
            "created": created,
            "expires_at": created + ACCOUNT_LINK_LIFETIME,
            "url": f"{self.url}/connect/onboard/{account['id']}",
        }

    def _create_login_link(self, request: RecordedRequest, account_id: str) -> dict:
        """A single-use sign-in link to an Express account's dashboard: Stripe refuses other account types
        and accounts that have not finished onboarding."""
        _only(request.params, set())
        account = self._load("account", account_id)
        if account["type"] != "express":
            raise _invalid("account", "You may only create login links for Express accounts.")
        if not account["details_submitted"]:
            raise _invalid("account", "Cannot create a login link for an account that has not completed onboarding.")
        return {"object": "login_link", "created": int(time.time()), "url": f"{self.url}/express/{account['id']}"}

    def _create_session(self, request: RecordedRequest) -> dict:
        """A Checkout Session in payment mode, priced by ``line_items[][price_data]``."""
        params = request.params
        _only(params, SESSION_PARAMS)
        if _str(params.get("mode"), "mode") != "payment":
            raise _invalid("mode", "This test server supports only mode=payment.")
        currency, amount_total = self._line_items_total(params.get("line_items"))
        now = int(time.time())
        expires_at = _opt_int(params.get("expires_at"), "expires_at")
        if expires_at is None:
            expires_at = now + MAX_SESSION_LIFETIME
        elif expires_at < now + self.min_session_lifetime - CLOCK_SKEW:
            minutes = self.min_session_lifetime // 60
            message = f"The `expires_at` timestamp must be at least {minutes} minutes from Checkout Session creation."
            raise _invalid("expires_at", message)
        elif expires_at > now + MAX_SESSION_LIFETIME:
            raise _invalid(
                "expires_at", "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation."
            )
        intent_data = self._payment_intent_data(params.get("payment_intent_data"), amount_total, request)
        email = _opt_str(params.get("customer_email"), "customer_email")
        if email is not None and "@" not in email:
            raise _invalid("customer_email", f"Invalid email address: {email}", code="email_invalid")
        session = {
            "id": _new_id("cs_test"),
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "success_url": _url(params.get("success_url"), "success_url"),
            "cancel_url": _url(params.get("cancel_url"), "cancel_url", required=False),
            "client_reference_id": _opt_str(params.get("client_reference_id"), "client_reference_id"),
            "customer_email": email,
            "customer_details": {"email": email, "name": None, "phone": None, "address": None} if email else None,
            "metadata": _metadata(params.get("metadata"), "metadata"),
            "currency": currency,
            "amount_subtotal": amount_total,
            "amount_total": amount_total,
            "expires_at": expires_at,
            "payment_intent": None,  # created when the buyer pays (Stripe API 2022-08-01 and later)
            "created": now,
        }
        session["url"] = f"{self.url}/pay/{session['id']}"
        self._session_intent_data[session["id"]] = intent_data
        return copy.deepcopy(self._store(session))

    @staticmethod
    def _line_items_total(line_items: Any) -> tuple[str, int]:
        if _blank(line_items):
            raise _missing("line_items")
        if not isinstance(line_items, list):
            raise _invalid("line_items", "Invalid array")
        currencies, total = set(), 0
        for index, item in enumerate(line_items):
            label = f"line_items[{index}]"
            item = _hash(item, label)
            if "price" in item:
                raise _invalid(f"{label}[price]", "This test server supports only price_data, not Price ids.")
            price = _hash(item.get("price_data"), f"{label}[price_data]")
            currencies.add(_str(price.get("currency"), f"{label}[price_data][currency]").lower())
            product = _hash(price.get("product_data"), f"{label}[price_data][product_data]")
            _str(product.get("name"), f"{label}[price_data][product_data][name]")
            unit_amount = _int(price.get("unit_amount"), f"{label}[price_data][unit_amount]")
            total += unit_amount * _int(item.get("quantity"), f"{label}[quantity]", minimum=1)
        if len(currencies) > 1:
            raise _invalid("line_items", "All line items must use the same currency.")
        if total < MINIMUM_CHARGE:
            raise _invalid(
                "line_items", f"The Checkout Session's total amount due must add up to at least {MINIMUM_CHARGE}."
            )
        return currencies.pop(), total

    def _payment_intent_data(self, value: Any, amount_total: int, request: RecordedRequest) -> dict:
        """Stripe's rules for destination charges: the destination exists and can receive transfers; an
        application fee needs a destination (or a ``Stripe-Account`` direct charge) and fits in the total."""
        data = _hash(value, "payment_intent_data")
        fee_param = "payment_intent_data[application_fee_amount]"
        destination_param = "payment_intent_data[transfer_data][destination]"
        fee = _opt_int(data.get("application_fee_amount"), fee_param)
        transfer_data = _hash(data.get("transfer_data"), "payment_intent_data[transfer_data]")
        destination = _opt_str(transfer_data.get("destination"), destination_param)
        if destination is not None:
            account = self._load("account", destination, param=destination_param)
            if account["capabilities"].get("transfers") != "active":
                raise StripeAPIError(
                    400,
                    "Your destination account needs to have at least one of the following capabilities enabled: "
                    "transfers, crypto_transfers, legacy_payments",
                    param=destination_param,
                    code="insufficient_capabilities_for_transfer",
                )
        if fee is not None and destination is None and request.stripe_account is None:
            raise _invalid(
                fee_param,
                "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment "
                "(using an OAuth key or Stripe-Account header) or destination payment (using "
                "`transfer_data[destination]`).",
            )
        if fee is not None and fee > amount_total:
            raise _invalid(fee_param, f"The application fee ({fee}) cannot exceed the amount ({amount_total}).")
        return {
            "application_fee_amount": fee,
            "transfer_data": {"destination": destination, "amount": None} if destination else None,
            "metadata": _metadata(data.get("metadata"), "payment_intent_data[metadata]"),
        }

    def _list_sessions(self, request: RecordedRequest) -> dict:
        """Checkout Sessions, newest first, optionally only those of one PaymentIntent."""
        _only(request.params, {"payment_intent", "limit"})
        intent_id = _opt_str(request.params.get("payment_intent"), "payment_intent")
        limit = _opt_int(request.params.get("limit"), "limit", minimum=1) or 10
        sessions = [
            obj
            for obj in reversed(self._objects.values())
            if obj["object"] == "checkout.session" and intent_id in (None, obj["payment_intent"])
        ]
        return {
            "object": "list",
            "url": "/v1/checkout/sessions",
            "has_more": len(sessions) > limit,
            "data": copy.deepcopy(sessions[:limit]),
        }

    def _expire_session_endpoint(self, request: RecordedRequest, session_id: str) -> dict:
        _only(request.params, set())
        session = self._load("checkout.session", session_id)
        if session["status"] != "open":
            raise _invalid(
                "session",
                f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a '
                f'status of "{session["status"]}".',
            )
        self._expire(session)
        return copy.deepcopy(session)

    def _expire(self, session: dict) -> dict:
        session.update(status="expired", url=None)
        return self._event("checkout.session.expired", session)

    def _intent_for(self, session: dict) -> dict:
        """The session's PaymentIntent, created at the buyer's first attempt to pay."""
        if session["payment_intent"]:
            return self._objects[session["payment_intent"]]
        data = self._session_intent_data[session["id"]]
        intent = self._store(
            {
                "id": _new_id("pi"),
                "object": "payment_intent",
                "amount": session["amount_total"],
                "amount_received": 0,
                "currency": session["currency"],
                "status": "requires_payment_method",
                "latest_charge": None,
                "last_payment_error": None,
                "application_fee_amount": data["application_fee_amount"],
                "transfer_data": copy.deepcopy(data["transfer_data"]),
                "metadata": dict(data["metadata"]),
                "payment_method_types": ["card"],
            }
        )
        session["payment_intent"] = intent["id"]
        return intent

    def _create_refund(self, request: RecordedRequest) -> dict:
        """A refund of the charge (or the PaymentIntent's charge); the amount defaults to what is left."""
        params = request.params
        _only(params, REFUND_PARAMS)
        intent_id = _opt_str(params.get("payment_intent"), "payment_intent")
        charge_id = _opt_str(params.get("charge"), "charge")
        if intent_id is not None:
            intent = self._load("payment_intent", intent_id, param="payment_intent")
            if intent["status"] != "succeeded":
                raise _invalid(
                    "payment_intent", f"This PaymentIntent ({intent_id}) does not have a successful charge to refund."
                )
            if charge_id not in (None, intent["latest_charge"]):
                raise _invalid("charge", f"Charge {charge_id} does not belong to PaymentIntent {intent_id}.")
            charge_id = intent["latest_charge"]
        if charge_id is None:
            raise _invalid("charge", "One of the following params should be provided: payment_intent, charge.")
        charge = self._load("charge", charge_id, param="charge")
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining == 0:
            raise _invalid("charge", f"Charge {charge_id} has already been refunded.", code="charge_already_refunded")
        amount = _opt_int(params.get("amount"), "amount", minimum=1)
        if amount is None:
            amount = remaining
        if amount > remaining:
            raise _invalid(
                "amount",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                code="amount_too_large",
            )
        reason = _opt_str(params.get("reason"), "reason")
        if reason is not None and reason not in REFUND_REASONS:
            raise _invalid("reason", f"Invalid reason: must be one of {', '.join(sorted(REFUND_REASONS))}")
        reverse_transfer = _opt_bool(params.get("reverse_transfer"), "reverse_transfer")
        _opt_bool(params.get("refund_application_fee"), "refund_application_fee")
        refund = self._store(
            {
                "id": _new_id("re"),
                "object": "refund",
                "amount": amount,
                "charge": charge_id,
                "payment_intent": charge["payment_intent"],
                "currency": charge["currency"],
                "reason": reason,
                "status": "succeeded",
                "metadata": _metadata(params.get("metadata"), "metadata"),
                "transfer_reversal": _new_id("trr") if reverse_transfer and charge["transfer"] else None,
            }
        )
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self._event("charge.refunded", charge, previous)
        self._refund_events[refund["id"]] = self._events[-1]
        return copy.deepcopy(refund)


def _requirements(*, currently_due: list[str]) -> dict:
    return {
        "currently_due": list(currently_due),
        "eventually_due": list(currently_due),
        "past_due": list(currently_due),
        "pending_verification": [],
        "errors": [],
        "current_deadline": None,
        "disabled_reason": "requirements.past_due" if currently_due else None,
    }


_ID = r"([^/]+)"
_ROUTES: list[tuple[str, ...]] = [  # method, path pattern, handler method, extra handler arguments
    ("POST", "/v1/accounts", "_create_account"),
    ("GET", f"/v1/accounts/{_ID}", "_retrieve", "account"),
    ("POST", "/v1/account_links", "_create_account_link"),
    ("POST", f"/v1/accounts/{_ID}/login_links", "_create_login_link"),
    ("POST", "/v1/checkout/sessions", "_create_session"),
    ("GET", "/v1/checkout/sessions", "_list_sessions"),
    ("GET", f"/v1/checkout/sessions/{_ID}", "_retrieve", "checkout.session"),
    ("POST", f"/v1/checkout/sessions/{_ID}/expire", "_expire_session_endpoint"),
    ("GET", f"/v1/payment_intents/{_ID}", "_retrieve", "payment_intent"),
    ("GET", f"/v1/charges/{_ID}", "_retrieve", "charge"),
    ("POST", "/v1/refunds", "_create_refund"),
    ("GET", f"/v1/refunds/{_ID}", "_retrieve", "refund"),
]


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        self.server.stripe._handle(self)

    do_POST = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr: failing tests show the requests through ``server.requests``."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stripe_server: StripeTestServer):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stripe = stripe_server


@pytest.fixture(name="stripe_server")
def stripe_server() -> Iterator[StripeTestServer]:
    """A fresh Stripe test server for one test, stopped afterwards.

    Registered by name, so a test module can import it under another name and still ask for
    ``stripe_server`` without ruff's F811: ``from tests.stripe_server import stripe_server as _fixture``.
    """
    with StripeTestServer() as server:
        yield server

"""django-allauth's sign-in and password-reset forms with messages that say what to enter (allauth's
own say "This field is required.")."""

from __future__ import annotations

from allauth.account.forms import LoginForm, ResetPasswordForm


class SignInForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].error_messages["required"] = "Enter your username or email address."
        self.fields["password"].error_messages["required"] = "Enter your password."


class PasswordResetForm(ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = "Enter the email address of your account."
        self.fields["email"].error_messages["invalid"] = "Enter an email address like name@example.com."

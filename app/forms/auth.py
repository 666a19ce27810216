from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from app.services.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    # No address-syntax check: sign-in only looks the address up.
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=200)])
    remember = BooleanField("Keep me signed in")
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    """Shape only; the service checks the current password and how guessable the new one is."""

    current_password = PasswordField("Current password", render_kw={"autocomplete": "current-password"},
                                     validators=[DataRequired("Enter your current password."),
                                                 Length(max=200, message="Keep it under 200 characters.")])
    new_password = PasswordField("New password", render_kw={"autocomplete": "new-password"}, validators=[
        DataRequired("Enter a new password."),
        Length(min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        Length(max=200, message="Keep it under 200 characters.")])
    confirm_password = PasswordField("New password again", render_kw={"autocomplete": "new-password"},
                                     validators=[DataRequired("Type the new password again."),
                                                 EqualTo("new_password", "The two new passwords differ.")])

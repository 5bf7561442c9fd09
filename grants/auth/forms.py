from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo

from ..forms import max_length


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class RegisterForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired("Enter your full name"), max_length(200, "Full name")])
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
        max_length(254, "Email address")])
    password = PasswordField("Create a password", validators=[DataRequired("Create a password")])
    password_again = PasswordField("Confirm your password", validators=[
        DataRequired("Confirm your password"), EqualTo("password", "Passwords must match")])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Create a new password")])
    password_again = PasswordField("Confirm your new password", validators=[
        DataRequired("Confirm your new password"), EqualTo("password", "Passwords must match")])

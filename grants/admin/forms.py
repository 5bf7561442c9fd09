from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email

from ..forms import GovDateField, WholeNumberField, max_length
from ..models import ROLE_LABELS, Role

STAFF_ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role if r is not Role.APPLICANT]
ALL_ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]
AUTHORITY_CHOICES = [
    ("", "None"),
    ("delegated", "Delegated: up to the round's delegated limit (Chief Executive)"),
    ("full", "Full: any amount (Police and Crime Commissioner)"),
]


class RolesForm(FlaskForm):
    roles = SelectMultipleField("Roles", choices=ALL_ROLE_CHOICES, validate_choice=False)
    authority = RadioField("Decision authority", choices=AUTHORITY_CHOICES, default="", validate_choice=False)
    reason = TextAreaField("Reason", validators=[max_length(2000, "Reason")])


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired("Enter the reason"), max_length(2000, "Reason")])


class AnonymiseForm(FlaskForm):
    retention_confirmed = BooleanField("I confirm the retention period has passed")
    reason = TextAreaField("Request", validators=[max_length(2000, "Request")])


class NewUserForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired("Enter the person's full name"),
                                                      max_length(200, "Full name")])
    email = EmailField("Email address", validators=[
        DataRequired("Enter the email address"),
        Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
        max_length(254, "Email address")])
    job_title = StringField("Job title", validators=[max_length(200, "Job title")])
    roles = SelectMultipleField("Roles", choices=STAFF_ROLE_CHOICES, validate_choice=False)
    authority = RadioField("Decision authority", choices=AUTHORITY_CHOICES, default="", validate_choice=False)


class SettingsForm(FlaskForm):
    """The OPCC's details; the rules (required fields, formats) are the settings service's."""

    name = StringField("Organisation name")
    address = TextAreaField("Postal address")
    contact_email = StringField("Contact email address")
    contact_phone = StringField("Contact phone number")
    signatory_name = StringField("Letter signatory's name")
    signatory_title = StringField("Letter signatory's title")


class TermsForm(FlaskForm):
    terms = TextAreaField("Standard terms of grant")


class PlanForm(FlaskForm):
    name = StringField("Name", validators=[max_length(200, "Name")])
    starts_on = GovDateField("Start date")
    ends_on = GovDateField("End date")


class ObjectiveForm(FlaskForm):
    number = WholeNumberField("Number")
    name = StringField("Objective", validators=[max_length(200, "Objective")])
    retired = BooleanField("Retired: new rounds no longer offer it")


class AreaForm(FlaskForm):
    name = StringField("Name", validators=[max_length(100, "Name")])
    gss_code = StringField("GSS code", validators=[max_length(9, "GSS code")])


class WardForm(FlaskForm):
    name = StringField("Ward name", validators=[max_length(100, "Ward name")])
    gss_code = StringField("GSS code (optional)", validators=[max_length(9, "GSS code")])


class MeasureForm(FlaskForm):
    name = StringField("Name", validators=[max_length(200, "Name")])
    unit = StringField("Unit (optional)", validators=[max_length(100, "Unit")])
    objective_id = SelectField("Plan objective it usually serves (optional)", validate_choice=False)


class ImportForm(FlaskForm):
    file = FileField("CSV file of past grants")

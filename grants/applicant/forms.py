"""Forms for the applicant journey. Format is checked here; the rules live in the services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField

from ..forms import GovDateField, MoneyField, WholeNumberField, max_length
from ..models import ORG_TYPE_LABELS, AttachmentKind
from ..services.applications import APPLICANT_ATTACHMENT_KINDS

LONG_TEXT = 5000


class OrganisationForm(FlaskForm):
    legal_name = StringField("Legal name", validators=[max_length(200, "Legal name")])
    org_type = RadioField("Type of organisation", choices=[(t.value, label) for t, label in ORG_TYPE_LABELS.items()],
                          validate_choice=False)
    charity_number = StringField("Charity number", validators=[max_length(20, "Charity number")])
    company_number = StringField("Company number", validators=[max_length(20, "Company number")])
    address_line_1 = StringField("Address line 1", validators=[max_length(200, "Address line 1")])
    address_line_2 = StringField("Address line 2 (optional)", validators=[max_length(200, "Address line 2")])
    town = StringField("Town or city", validators=[max_length(100, "Town or city")])
    postcode = StringField("Postcode", validators=[max_length(10, "Postcode")])
    contact_name = StringField("Main contact's full name", validators=[max_length(200, "Name")])
    contact_email = EmailField("Main contact's email address", validators=[max_length(254, "Email address")])
    contact_phone = StringField("Main contact's phone number (optional)", validators=[max_length(40, "Phone number")])
    website = StringField("Website (optional)", validators=[max_length(300, "Website")])


class InviteForm(FlaskForm):
    email = EmailField("Colleague's email address", validators=[max_length(254, "Email address")])


class SectionForm(FlaskForm):
    completed = RadioField("Have you completed this section?", validate_choice=False, choices=[
        ("yes", "Yes, I’ve completed this section"), ("no", "No, I’ll come back to it later")])


class ProjectForm(SectionForm):
    title = StringField("Project title", validators=[max_length(200, "Project title")])
    summary = TextAreaField("Summary of the project", validators=[max_length(2000, "Summary")])
    start_date = GovDateField("Start date")
    end_date = GovDateField("End date")


class NeedForm(SectionForm):
    need = TextAreaField("What problem will the project tackle?", validators=[max_length(LONG_TEXT, "Your answer")])
    evidence = TextAreaField("What evidence is there of the need?", validators=[max_length(LONG_TEXT, "Your answer")])


class ActivitiesForm(SectionForm):
    activities = TextAreaField("What will you do?", validators=[max_length(LONG_TEXT, "Your answer")])


class WhereAndWhoForm(SectionForm):
    areas = SelectMultipleField("Which areas will the project benefit?", coerce=int, validate_choice=False)
    ward = StringField("Ward or neighbourhood (optional)", validators=[max_length(200, "Ward")])
    beneficiaries = TextAreaField("Who will benefit?", validators=[max_length(LONG_TEXT, "Your answer")])
    beneficiary_count = WholeNumberField("How many people will benefit?")


class ObjectivesForm(SectionForm):
    objectives = SelectMultipleField("Which Police and Crime Plan objectives will the project serve?", coerce=int,
                                     validate_choice=False)
    crime_reduction_reasons = TextAreaField("How will the project help reduce crime and disorder?",
                                            validators=[max_length(LONG_TEXT, "Your answer")])


class OrganisationSectionForm(SectionForm):
    pass


class AttachmentsSectionForm(SectionForm):
    pass


class SafeguardingForm(SectionForm):
    works_with = RadioField("Will the project work with children or vulnerable adults?", validate_choice=False,
                            choices=[("yes", "Yes"), ("no", "No")])
    safeguarding = TextAreaField("How will you keep them safe?", validators=[max_length(LONG_TEXT, "Your answer")])


class OutputsBase(SectionForm):
    pass


class BudgetBase(SectionForm):
    other_funding = TextAreaField("Other funding for the project (optional)",
                                  validators=[max_length(2000, "Other funding")])


def outputs_form_class(rows: int) -> type[OutputsBase]:
    """A form with `rows` sets of fields (standard_N, measure_N, target_N), so rows work without JavaScript.

    standard_N chooses a standard measure (its id) or "other"; its choices are set by the view.
    """
    fields = {}
    for i in range(rows):
        fields[f"standard_{i}"] = SelectField(f"Output {i + 1}: measure", validate_choice=False)
        fields[f"measure_{i}"] = StringField(f"Output {i + 1}: what you will deliver",
                                             validators=[max_length(200, f"Output {i + 1}")])
        fields[f"target_{i}"] = WholeNumberField(f"Output {i + 1}: target number")
    return type("OutputsForm", (OutputsBase,), fields)


def budget_form_class(rows: int) -> type[BudgetBase]:
    fields = {}
    for i in range(rows):
        fields[f"item_{i}"] = StringField(f"Cost {i + 1}: what it is for", validators=[max_length(200, f"Cost {i + 1}")])
        fields[f"cost_{i}"] = MoneyField(f"Cost {i + 1}: amount")
    return type("BudgetForm", (BudgetBase,), fields)


class UploadForm(FlaskForm):
    kind = RadioField("What kind of document is it?", validate_choice=False,
                      choices=[(k, AttachmentKind.LABELS[k]) for k in APPLICANT_ATTACHMENT_KINDS])
    file = FileField("Upload a file")


class DeclarationForm(FlaskForm):
    declaration_name = StringField("Full name", validators=[max_length(200, "Full name")])
    declaration_position = StringField("Position in the organisation", validators=[max_length(200, "Position")])
    confirm = BooleanField("I confirm the declaration")


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why are you withdrawing the application?", validators=[max_length(2000, "Reason")])


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token (start, accept, remove, resubmit buttons)."""


class MemberRoleForm(FlaskForm):
    role = RadioField("What can they do for the organisation?", validate_choice=False,
                      choices=[("signatory", "Authorised signatory: can make declarations, accept offers and give "
                                             "bank details"),
                               ("member", "Member: can prepare applications and reports")])
    position = StringField("Their position in the organisation", validators=[max_length(100, "Position")])


def questions_form_class(questions) -> type[SectionForm]:
    """A form asking a round's own questions (one field q<id> each). Answers are checked by the service,
    so what was typed comes back as typed."""
    from ..models import QuestionKind

    fields = {}
    for q in questions:
        if q.kind == QuestionKind.LONG_TEXT:
            field = TextAreaField(q.title)
        elif q.kind == QuestionKind.YES_NO:
            field = RadioField(q.title, choices=[("yes", "Yes"), ("no", "No")], validate_choice=False)
        elif q.kind == QuestionKind.ONE_CHOICE:
            field = RadioField(q.title, choices=[(o, o) for o in q.options], validate_choice=False)
        elif q.kind == QuestionKind.SEVERAL_CHOICES:
            field = SelectMultipleField(q.title, choices=[(o, o) for o in q.options], validate_choice=False)
        elif q.kind == QuestionKind.DATE:
            field = GovDateField(q.title)
        elif q.kind == QuestionKind.FILE:
            field = FileField(q.title)
        else:
            field = StringField(q.title)
        fields[q.field_name] = field
    return type("QuestionsForm", (SectionForm,), fields)


def question_initial(questions, answers: dict) -> dict:
    """Stored answers as the question form shows them."""
    from datetime import date

    from ..models import QuestionKind

    data = {}
    for q in questions:
        value = answers.get(str(q.id))
        if value is None:
            continue
        if q.kind == QuestionKind.YES_NO:
            value = "yes" if value else "no"
        elif q.kind == QuestionKind.MONEY:
            pounds, pence = divmod(int(value), 100)
            value = f"{pounds}" if pence == 0 else f"{pounds}.{pence:02d}"
        elif q.kind == QuestionKind.WHOLE_NUMBER:
            value = str(value)
        elif q.kind == QuestionKind.DATE:
            value = date.fromisoformat(value)
        elif q.kind == QuestionKind.FILE:
            continue
        data[q.field_name] = value
    return data


class MinimalAssistanceBase(SectionForm):
    received = RadioField("Has your organisation received other minimal financial assistance?", validate_choice=False,
                          choices=[("yes", "Yes"), ("no", "No")])


def minimal_assistance_form_class(rows: int) -> type[MinimalAssistanceBase]:
    """`rows` sets of giver_N, year_N (its choices set by the view) and amount_N, so rows work without JavaScript."""
    fields = {}
    for i in range(rows):
        fields[f"giver_{i}"] = StringField(f"Assistance {i + 1}: who gave it",
                                           validators=[max_length(200, f"Assistance {i + 1}")])
        fields[f"year_{i}"] = SelectField(f"Assistance {i + 1}: financial year", validate_choice=False)
        fields[f"amount_{i}"] = MoneyField(f"Assistance {i + 1}: amount")
    return type("MinimalAssistanceForm", (MinimalAssistanceBase,), fields)

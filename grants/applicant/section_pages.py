"""How each application section (services/sections.py) is shown as a form to the applicant.

The section definition says what the answers are and how they are checked; a
page here says which form asks for them, how the form is filled from the
application and how its typed answers are handed back to the service.
Round question sections all use one page built from their questions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import request

from ..services import applications, minimal_assistance
from . import forms


def row_count(prefix: str, existing: int) -> int:
    """How many repeating rows the form shows (one more after "Add another"; what was posted on POST)."""
    if request.method == "POST":
        indices = [k[len(prefix):] for k in request.form if k.startswith(prefix)]
        return max([int(i) + 1 for i in indices if i.isdigit()] + [1])
    extra = 1 if request.args.get("add") else 0
    return max(existing + extra, 1)


def _plain_values(form, remove) -> dict:
    return {k: v for k, v in form.data.items() if k not in ("completed", "csrf_token")}


def _noop(form, application) -> None:
    return None


@dataclass
class Page:
    form_class: Callable  # (section, application) -> form class
    initial: Callable = lambda section, a: {}  # (section, application) -> form data
    values: Callable = _plain_values  # (form, removed row) -> values for the service
    prepare: Callable = _noop  # (form, application): choices that depend on the round
    row_prefix: str | None = None  # repeating rows: the first field's name prefix


def _outputs_initial(section, a) -> dict:
    data = {}
    for i, row in enumerate(a.planned_outputs):
        data[f"measure_{i}"], data[f"target_{i}"] = row.measure, row.target
        data[f"standard_{i}"] = str(row.measure_id) if row.measure_id else "other"
    return data


def _outputs_prepare(form, a) -> None:
    choices = applications.measure_choices(a)
    for field in form:
        if field.name.startswith("standard_"):
            field.choices = choices


def _budget_initial(section, a) -> dict:
    data = {}
    for i, row in enumerate(a.budget_lines):
        data[f"item_{i}"], data[f"cost_{i}"] = row.item, row.cost_pence
    data["other_funding"] = a.other_funding
    return data


def _safeguarding_initial(section, a) -> dict:
    works = a.works_with_children_or_vulnerable_adults
    return {"works_with": None if works is None else ("yes" if works else "no"), "safeguarding": a.safeguarding}


def _assistance_initial(section, a) -> dict:
    declaration = a.minimal_assistance or {}
    received = declaration.get("received")
    data = {"received": None if received is None else ("yes" if received else "no")}
    for i, row in enumerate(declaration.get("rows") or []):
        data[f"giver_{i}"], data[f"year_{i}"] = row["giver"], row["financial_year"]
        data[f"amount_{i}"] = row["amount_pence"]
    return data


def _assistance_prepare(form, a) -> None:
    choices = [("", "Choose a year")] + [(y, y) for y in minimal_assistance.financial_years()]
    for field in form:
        if field.name.startswith("year_"):
            field.choices = choices


def _assistance_values(form, remove) -> dict:
    received = form.received.data
    return {"received": None if received not in ("yes", "no") else received == "yes",
            "rows": [{"giver": form[f"giver_{i}"].data, "financial_year": form[f"year_{i}"].data,
                      "amount_pence": form[f"amount_{i}"].data}
                     for i in range(row_count("giver_", 0)) if i != remove]}


def _fixed(cls) -> Callable:
    return lambda section, a: cls


PAGES: dict[str, Page] = {
    "organisation": Page(_fixed(forms.OrganisationSectionForm)),
    "project": Page(_fixed(forms.ProjectForm), initial=lambda s, a: s.data(a) | {
        "start_date": a.start_date, "end_date": a.end_date}),
    "need": Page(_fixed(forms.NeedForm), initial=lambda s, a: s.data(a)),
    "activities": Page(_fixed(forms.ActivitiesForm), initial=lambda s, a: s.data(a)),
    "where_and_who": Page(
        _fixed(forms.WhereAndWhoForm),
        initial=lambda s, a: {"areas": [x.id for x in a.areas], "ward": a.ward, "beneficiaries": a.beneficiaries,
                              "beneficiary_count": a.beneficiary_count},
        values=lambda form, remove: {"area_ids": form.areas.data or [], "ward": form.ward.data,
                                     "beneficiaries": form.beneficiaries.data,
                                     "beneficiary_count": form.beneficiary_count.data},
        prepare=lambda form, a: setattr(form.areas, "choices", applications.area_choices(a.round))),
    "objectives": Page(
        _fixed(forms.ObjectivesForm),
        initial=lambda s, a: {"objectives": [o.id for o in a.objectives],
                              "crime_reduction_reasons": a.crime_reduction_reasons},
        values=lambda form, remove: {"objective_ids": form.objectives.data or [],
                                     "crime_reduction_reasons": form.crime_reduction_reasons.data},
        prepare=lambda form, a: setattr(form.objectives, "choices", applications.objective_choices(a.round))),
    "outputs": Page(
        lambda s, a: forms.outputs_form_class(row_count("measure_", len(a.planned_outputs))),
        initial=_outputs_initial, prepare=_outputs_prepare, row_prefix="measure_",
        values=lambda form, remove: {"rows": [
            {"measure": form[f"measure_{i}"].data, "target": form[f"target_{i}"].data,
             "measure_id": form[f"standard_{i}"].data}
            for i in range(row_count("measure_", 0)) if i != remove]}),
    "budget": Page(
        lambda s, a: forms.budget_form_class(row_count("item_", len(a.budget_lines))),
        initial=_budget_initial, row_prefix="item_",
        values=lambda form, remove: {"rows": [
            {"item": form[f"item_{i}"].data, "cost_pence": form[f"cost_{i}"].data}
            for i in range(row_count("item_", 0)) if i != remove], "other_funding": form.other_funding.data}),
    "safeguarding": Page(
        _fixed(forms.SafeguardingForm), initial=_safeguarding_initial,
        values=lambda form, remove: {"works_with": None if form.works_with.data not in ("yes", "no")
                                     else form.works_with.data == "yes",
                                     "safeguarding": form.safeguarding.data}),
    "attachments": Page(_fixed(forms.AttachmentsSectionForm)),
    "minimal_assistance": Page(
        lambda s, a: forms.minimal_assistance_form_class(
            row_count("giver_", len((a.minimal_assistance or {}).get("rows") or []))),
        initial=_assistance_initial, prepare=_assistance_prepare, values=_assistance_values, row_prefix="giver_"),
}


# Every question section a round adds: one form built from its questions.
QUESTIONS_PAGE = Page(
    lambda section, a: forms.questions_form_class(section.questions),
    initial=lambda section, a: forms.question_initial(section.questions, a.question_answers or {}))


def page_for(section) -> Page:
    return QUESTIONS_PAGE if section.extra else PAGES[section.slug]


def build_form(section, application):
    """The section's form, filled from the request on POST or from the application on GET."""
    page = page_for(section)
    data = dict(page.initial(section, application))
    state = applications.section_state(application, section.slug)
    if state != applications.NOT_STARTED:
        data["completed"] = "yes" if state == applications.COMPLETED else "no"
    cls = page.form_class(section, application)
    form = cls(data=data) if request.method == "GET" else cls()
    page.prepare(form, application)
    return form


def store_files(section, application, form, actor) -> None:
    """Files chosen for a round's file questions are uploaded first (checked like every document)."""
    for question in getattr(section, "questions", ()):
        upload = form[question.field_name].data if question.field_name in form else None
        if getattr(upload, "filename", None):
            applications.answer_with_file(application, question=question, upload=upload, actor=actor)

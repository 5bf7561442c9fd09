"""What a section of the application is: one definition per section, used by every page that shows one.

A Section knows its slug and title, how it reads its answers from an application
(as plain JSON-able data for versions, the diff and the audit trail), what is
missing before it can be marked completed, and how it writes validated answers
back. The applicant's task list, check-answers, screening's section names, the
version diff and the staff pages all ask `for_application` (or `fixed`) rather
than switching on slugs. Extra sections a round adds are Sections too
(services/round_questions.py builds them from the round's questions), and so is the minimal financial
assistance declaration a round may ask for (services/minimal_assistance.py).
"""
from __future__ import annotations

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Application, Area, Attachment, AttachmentKind, BudgetLine, OutputMeasure, PlannedOutput
from ..money import MAX_PENCE, format_pence
from .errors import ValidationFailed

REQUIRED_ATTACHMENTS = (AttachmentKind.GOVERNING_DOCUMENT, AttachmentKind.ACCOUNTS)
MAX_ROWS = 30


def clean_text(value) -> str | None:
    if value is None:
        return None
    value = str(value).replace("\r\n", "\n").strip()
    return value or None


def current_attachments(application: Application) -> list[Attachment]:
    return [a for a in application.attachments if a.removed_at is None]


def budget_total(application: Application) -> int:
    return sum(line.cost_pence for line in application.budget_lines)


class Section:
    """One task-list section. Subclasses override what differs; the defaults suit a section with nothing to fill in."""

    slug: str = ""
    title: str = ""
    # The applicant page's template (templates/applicant/sections/<template>.html).
    template: str = ""
    # Question pages built by the round (not one of the fixed sections).
    extra: bool = False

    def data(self, application: Application) -> dict:
        """The section's answers as plain JSON-able values."""
        raise NotImplementedError

    def problems(self, application: Application) -> dict[str, str]:
        """What is missing or wrong, as field -> message (empty when complete)."""
        return {}

    def apply(self, application: Application, values: dict) -> None:
        """Write the answers, or raise ValidationFailed without changing anything."""

    def __repr__(self) -> str:
        return f"<Section {self.slug}>"


class OrganisationSection(Section):
    slug, title, template = "organisation", "Organisation details", "organisation"

    def data(self, a):
        org = a.organisation
        return {
            "legal_name": org.legal_name, "org_type": org.org_type, "org_type_label": org.org_type_label,
            "charity_number": org.charity_number, "company_number": org.company_number,
            "address_line_1": org.address_line_1, "address_line_2": org.address_line_2, "town": org.town,
            "postcode": org.postcode, "contact_name": org.contact_name, "contact_email": org.contact_email,
            "contact_phone": org.contact_phone, "website": org.website,
        }


class ProjectSection(Section):
    slug, title, template = "project", "About the project", "project"

    def data(self, a):
        return {"title": a.title, "summary": a.summary,
                "start_date": a.start_date.isoformat() if a.start_date else None,
                "end_date": a.end_date.isoformat() if a.end_date else None}

    def problems(self, a):
        problems = {}
        if not a.title:
            problems["title"] = "Enter the project title"
        if not a.summary:
            problems["summary"] = "Enter a summary of the project"
        if a.start_date is None:
            problems["start_date"] = "Enter the date the project will start"
        elif a.start_date <= clock.today():
            problems["start_date"] = "The project start date must be in the future"
        if a.end_date is None:
            problems["end_date"] = "Enter the date the project will end"
        return problems

    def apply(self, a, values):
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end <= start:
            raise ValidationFailed({"end_date": "The end date must be after the start date"})
        a.title = clean_text(values.get("title"))
        a.summary = clean_text(values.get("summary"))
        a.start_date, a.end_date = start, end


class TextSection(Section):
    """A section of free-text answers: each field is an Application column, with the message shown when it is empty."""

    fields: dict[str, str] = {}

    def data(self, a):
        return {name: getattr(a, name) for name in self.fields}

    def problems(self, a):
        return {name: message for name, message in self.fields.items() if not getattr(a, name)}

    def apply(self, a, values):
        for name in self.fields:
            setattr(a, name, clean_text(values.get(name)))


class NeedSection(TextSection):
    slug, title, template = "need", "The need for the project", "need"
    fields = {"need": "Describe the problem the project will tackle", "evidence": "Give evidence of the need"}


class ActivitiesSection(TextSection):
    slug, title, template = "activities", "What you will do", "activities"
    fields = {"activities": "Describe what you will do"}


class WhereAndWhoSection(Section):
    slug, title, template = "where_and_who", "Where and who will benefit", "where_and_who"

    def data(self, a):
        return {"areas": [area.name for area in a.areas], "ward": a.ward, "beneficiaries": a.beneficiaries,
                "beneficiary_count": a.beneficiary_count}

    def problems(self, a):
        problems = {}
        if not a.areas:
            problems["areas"] = "Select at least one area the project will benefit"
        if not a.beneficiaries:
            problems["beneficiaries"] = "Describe who will benefit"
        if a.beneficiary_count is None:
            problems["beneficiary_count"] = "Enter how many people will benefit"
        return problems

    def apply(self, a, values):
        ids = {int(i) for i in values.get("area_ids") or []}
        areas = list(db.session.scalars(select(Area).where(Area.id.in_(ids)))) if ids else []
        if len(areas) != len(ids) or (a.round.areas and not set(areas) <= set(a.round.areas)):
            raise ValidationFailed({"areas": "Select areas from the list"})
        count = values.get("beneficiary_count")
        if count is not None and count < 1:
            raise ValidationFailed({"beneficiary_count": "Enter a number of people of 1 or more"})
        a.areas = areas
        a.ward = clean_text(values.get("ward"))
        a.beneficiaries = clean_text(values.get("beneficiaries"))
        a.beneficiary_count = count


class ObjectivesSection(Section):
    slug, title, template = "objectives", "Police and Crime Plan objectives", "objectives"

    def data(self, a):
        return {"objectives": [f"{o.number}. {o.name}" for o in a.objectives],
                "crime_reduction_reasons": a.crime_reduction_reasons}

    def problems(self, a):
        problems = {}
        if not a.objectives:
            problems["objectives"] = "Select at least one Police and Crime Plan objective"
        if not a.crime_reduction_reasons:
            problems["crime_reduction_reasons"] = "Explain how the project will help reduce crime and disorder"
        return problems

    def apply(self, a, values):
        ids = {int(i) for i in values.get("objective_ids") or []}
        allowed = {o.id: o for o in a.round.objectives}
        if not ids <= set(allowed):
            raise ValidationFailed({"objectives": "Select objectives from the list"})
        a.objectives = sorted((allowed[i] for i in ids), key=lambda o: o.number)
        a.crime_reduction_reasons = clean_text(values.get("crime_reduction_reasons"))


def output_snapshot(output: PlannedOutput) -> dict:
    """A planned output as frozen in a version; the standard measure only where one was chosen."""
    row = {"measure": output.measure, "target": output.target}
    if output.standard_measure is not None:
        row.update(measure_id=output.measure_id, standard_measure=output.standard_measure.name)
    return row


def _standard_measure(value, already: set[int]) -> tuple[OutputMeasure | None, str | None]:
    """The standard measure a planned output row chose: (measure, None), (None, None) for other, or a problem."""
    value = str(value or "").strip()
    if value in ("", "other"):
        return None, None
    measure = db.session.get(OutputMeasure, int(value)) if value.isdigit() else None
    if measure is None or (measure.is_retired and measure.id not in already):
        return None, "choose a measure from the list, or Other"
    return measure, None


class OutputsSection(Section):
    slug, title, template = "outputs", "Planned outputs", "outputs"

    def data(self, a):
        return {"rows": [output_snapshot(o) for o in a.planned_outputs]}

    def problems(self, a):
        return {} if a.planned_outputs else {"measure_0": "Add at least one planned output, with a target"}

    def apply(self, a, values):
        errors: dict[str, str] = {}
        rows = []
        already = {o.measure_id for o in a.planned_outputs if o.measure_id}
        for i, row in enumerate(values.get("rows") or []):
            measure, target = clean_text(row.get("measure")), row.get("target")
            standard, problem = _standard_measure(row.get("measure_id"), already)
            if measure is None and target is None and standard is None:
                continue
            if problem:
                errors[f"standard_{i}"] = f"Output {i + 1}: {problem}"
            if standard is not None and measure is None:
                measure = standard.name
            if measure is None:
                errors[f"measure_{i}"] = f"Enter what output {i + 1} measures"
            if target is None:
                errors[f"target_{i}"] = f"Enter a target for output {i + 1}"
            elif target < 1:
                errors[f"target_{i}"] = f"The target for output {i + 1} must be 1 or more"
            rows.append((measure, target, standard.id if standard else None))
        if len(rows) > MAX_ROWS:
            errors["rows"] = f"You can list up to {MAX_ROWS} outputs"
        if errors:
            raise ValidationFailed(errors)
        a.planned_outputs = [PlannedOutput(position=n, measure=m, target=t, measure_id=s)
                             for n, (m, t, s) in enumerate(rows, 1)]


class BudgetSection(Section):
    slug, title, template = "budget", "Budget", "budget"

    def data(self, a):
        return {"rows": [{"item": b.item, "cost_pence": b.cost_pence} for b in a.budget_lines],
                "total_pence": budget_total(a), "amount_requested_pence": a.amount_requested_pence,
                "other_funding": a.other_funding}

    def problems(self, a):
        round_, total = a.round, budget_total(a)
        if not a.budget_lines:
            return {"item_0": "Add at least one cost to the budget"}
        if total < round_.min_award_pence:
            return {"rows": f"The amount requested ({format_pence(total)}) must be at least "
                            f"{format_pence(round_.min_award_pence)}"}
        if total > round_.max_award_pence:
            return {"rows": f"The amount requested ({format_pence(total)}) must be "
                            f"{format_pence(round_.max_award_pence)} or less"}
        return {}

    def apply(self, a, values):
        errors: dict[str, str] = {}
        rows = []
        for i, row in enumerate(values.get("rows") or []):
            item, cost = clean_text(row.get("item")), row.get("cost_pence")
            if item is None and cost is None:
                continue
            if item is None:
                errors[f"item_{i}"] = f"Enter what cost {i + 1} is for"
            if cost is None:
                errors[f"cost_{i}"] = f"Enter the amount for cost {i + 1}"
            rows.append((item, cost))
        if len(rows) > MAX_ROWS:
            errors["rows"] = f"You can list up to {MAX_ROWS} costs"
        if not errors and sum(c for _, c in rows) > MAX_PENCE:
            errors["rows"] = "The total must be £10,000,000 or less"
        if errors:
            raise ValidationFailed(errors)
        a.budget_lines = [BudgetLine(position=n, item=item, cost_pence=cost) for n, (item, cost) in enumerate(rows, 1)]
        # The amount requested is the budget's total, never typed separately.
        a.amount_requested_pence = sum(c for _, c in rows)
        a.other_funding = clean_text(values.get("other_funding"))


class SafeguardingSection(Section):
    slug, title, template = "safeguarding", "Safeguarding", "safeguarding"

    def data(self, a):
        return {"works_with_children_or_vulnerable_adults": a.works_with_children_or_vulnerable_adults,
                "safeguarding": a.safeguarding}

    def problems(self, a):
        if a.works_with_children_or_vulnerable_adults is None:
            return {"works_with": "Select yes if the project works with children or vulnerable adults"}
        if a.works_with_children_or_vulnerable_adults and not a.safeguarding:
            return {"safeguarding": "Describe your safeguarding arrangements"}
        return {}

    def apply(self, a, values):
        a.works_with_children_or_vulnerable_adults = values.get("works_with")
        a.safeguarding = clean_text(values.get("safeguarding"))


class AttachmentsSection(Section):
    slug, title, template = "attachments", "Supporting documents", "attachments"

    def data(self, a):
        return {"files": [{"id": f.id, "kind": f.kind, "kind_label": f.kind_label, "filename": f.original_filename,
                           "size_bytes": f.size_bytes, "sha256": f.sha256} for f in current_attachments(a)]}

    def problems(self, a):
        kinds = {f.kind for f in current_attachments(a)}
        needed = list(REQUIRED_ATTACHMENTS)
        if a.works_with_children_or_vulnerable_adults:
            needed.append(AttachmentKind.SAFEGUARDING_POLICY)
        return {f"missing_{kind}": f"Upload your {AttachmentKind.LABELS[kind].lower()}"
                for kind in needed if kind not in kinds}


# The structured core every round asks, in task-list order.
FIXED: tuple[Section, ...] = (
    OrganisationSection(), ProjectSection(), NeedSection(), ActivitiesSection(), WhereAndWhoSection(),
    ObjectivesSection(), OutputsSection(), BudgetSection(), SafeguardingSection(), AttachmentsSection(),
)
FIXED_BY_SLUG = {s.slug: s for s in FIXED}


def for_round(round_) -> list[Section]:
    """The sections an application to this round has: the fixed core, then the round's own question sections."""
    from . import minimal_assistance, round_questions

    extra = [minimal_assistance.MinimalAssistanceSection()] if round_.minimal_assistance_declaration else []
    return list(FIXED) + round_questions.sections_for(round_) + extra


def for_application(application: Application) -> list[Section]:
    return for_round(application.round)


def get(application: Application, slug: str) -> Section | None:
    """The application's section with this slug, or None."""
    return next((s for s in for_application(application) if s.slug == slug), None)


def titles(section_list) -> dict[str, str]:
    return {s.slug: s.title for s in section_list}

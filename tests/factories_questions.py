"""make_* helpers for round questions: a question set built through the service, as an officer would."""
from __future__ import annotations

from datetime import timedelta

from grants import clock
from grants.models import QuestionKind
from grants.services import round_questions
from grants.services.round_questions import QuestionInput


def build_questions(round_, actor, *, title: str = "Your premises", questions=None):
    """A question section on `round_`, added while it has not opened (its opening date is put back after).

    Default: a yes/no question and a money question shown only when it is answered Yes.
    """
    opens_on = round_.opens_on
    round_.opens_on = clock.today() + timedelta(days=1)
    try:
        section = round_questions.add_section(round_, title=title, actor=actor)
        made = []
        for values in questions or [
            QuestionInput(kind=QuestionKind.YES_NO, title="Do you rent your premises?"),
            None,
        ]:
            if values is None:
                values = QuestionInput(kind=QuestionKind.MONEY, title="What is the yearly rent?",
                                       hint="In pounds", condition_question_id=made[0].id, condition_value="Yes")
            made.append(round_questions.add_question(section, values=values, actor=actor))
    finally:
        round_.opens_on = opens_on
    return section, made

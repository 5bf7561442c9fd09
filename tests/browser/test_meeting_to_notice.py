"""Panel → meeting → decisions → notice signed → the public notice page and the register, in a real browser."""
from grants.extensions import db

from ..factories_decisions import make_assessed
from .conftest import assert_accessible, sign_in
from .test_decide_to_payment import _new_page


def test_meeting_decisions_signed_notice_and_public_pages(browser_page, _browser, live_server, demo):
    """Can an officer record a meeting from the panel, the PCC decide and sign its notice, an officer publish the
    grant, and the public read the notice and the register, every page passing axe?"""
    funded = make_assessed(demo, amount_pence=400_000, title="Allotment padlocks and alarms")
    declined = make_assessed(demo, amount_pence=300_000, title="Trophy evening")
    db.session.commit()

    # The officer records the meeting and its agenda from the panel ranking.
    officer = browser_page
    sign_in(officer, "officer@example.org")
    officer.goto("/decisions/meetings")
    assert_accessible(officer)
    officer.get_by_role("link", name="Record a meeting").click()
    officer.get_by_label("Round").select_option(label=demo.csf_round.title)
    officer.get_by_label("Day").fill("14")
    officer.get_by_label("Month").fill("9")
    officer.get_by_label("Year").fill("2026")
    officer.get_by_label("Who attended").fill("Steve Turner, Police and Crime Commissioner\n"
                                              "Simon Dennis, Chief Executive")
    assert_accessible(officer)
    officer.get_by_role("button", name="Record the meeting").click()
    officer.get_by_label(f"{funded.reference}: Allotment padlocks and alarms").check()
    officer.get_by_label(f"{declined.reference}: Trophy evening").check()
    officer.get_by_role("button", name="Save the agenda").click()
    assert "has no decision yet" in officer.locator("main").inner_text()
    assert_accessible(officer)
    meeting_url = officer.url

    # The PCC decides each application from the meeting, then signs its notice.
    context, pcc = _new_page(_browser, live_server)
    sign_in(pcc, "pcc@example.org")
    for application, outcome in ((funded, "Approve in full"), (declined, "Decline")):
        pcc.goto(meeting_url)
        pcc.get_by_role("link", name=f"Decide {application.reference}").click()
        pcc.get_by_label("I have no interest to declare").check()
        pcc.get_by_label(outcome).check()
        pcc.get_by_label("Reasons for the decision").fill("InternalOnlyReasonsQz discussed at the meeting")
        if outcome.startswith("Approve"):
            pcc.get_by_label("Public summary (approvals only)").fill("Padlocks and alarms for allotment sheds")
        pcc.get_by_role("button", name="Record the decision").click()
        assert pcc.locator("h1").inner_text().startswith("Decision record CSF/")
    pcc.goto(meeting_url)
    assert_accessible(pcc)
    pcc.get_by_label("Summary of the decisions").fill("One grant agreed for crime prevention; one declined.")
    pcc.get_by_role("button", name="Sign the decision notice").click()
    heading = pcc.locator("h1").inner_text()
    assert heading.startswith("Decision notice ")
    number = heading.removeprefix("Decision notice ")
    assert_accessible(pcc)
    context.close()

    # The officer publishes the grant to the register.
    officer.goto("/decisions/publication")
    assert_accessible(officer)
    officer.get_by_role("button", name="Publish the chosen grants").click()

    # The public read the notice and the register; the internal reasons appear on neither.
    context, public = _new_page(_browser, live_server)
    public.goto("/decisions-published")
    assert_accessible(public)
    public.get_by_role("link", name=number).click()
    text = public.locator("main").inner_text()
    assert "Allotment padlocks and alarms" in text and "Trophy evening" in text
    assert "InternalOnlyReasonsQz" not in text
    assert_accessible(public)
    public.goto("/grants")
    register = public.locator("main").inner_text()
    assert "Padlocks and alarms for allotment sheds" in register and "InternalOnlyReasonsQz" not in register
    assert_accessible(public)
    context.close()

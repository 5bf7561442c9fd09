"""The public pages in a real browser, checked by axe-core."""
from .conftest import assert_accessible


def test_home_privacy_and_accessibility_pages_have_no_wcag_violations(browser_page, demo):
    """Do the start page, privacy notice and accessibility statement pass axe's WCAG 2.2 A/AA rules?"""
    for path, heading in [("/", "Apply for a community grant"), ("/privacy", "Privacy notice"),
                          ("/accessibility", "Accessibility statement for community grants")]:
        browser_page.goto(path)
        assert browser_page.locator("h1").inner_text() == heading
        assert_accessible(browser_page)


def test_home_page_lists_open_rounds(browser_page, demo):
    browser_page.goto("/")
    table = browser_page.locator("table").inner_text()
    assert "Community Safety Fund 2026-27" in table and "£250 to £10,000" in table


def test_audit_checkpoints_page_has_no_wcag_violations(browser_page, demo):
    """Does the public page of signed audit checkpoints list one and pass axe's WCAG 2.2 A/AA rules?"""
    from grants.extensions import db
    from grants.services import checkpoints

    checkpoint = checkpoints.create_checkpoint(reason="test")
    db.session.commit()
    browser_page.goto("/transparency/audit-checkpoints")
    assert browser_page.locator("h1").inner_text() == "Audit trail checkpoints"
    assert checkpoint.head_hash in browser_page.locator("#checkpoints").inner_text()
    assert_accessible(browser_page)

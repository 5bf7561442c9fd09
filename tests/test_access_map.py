"""Every route declares who may reach it; the declaration is enforced centrally."""
from grants.access import AccessRule, rule_for_endpoint


def test_every_route_declares_an_access_rule(app):
    """Does any URL in the app lack a declared access rule? (It would be refused, but must be fixed.)"""
    missing = [
        rule.rule for rule in app.url_map.iter_rules()
        if not isinstance(rule_for_endpoint(rule.endpoint), AccessRule)
    ]
    assert missing == []


def test_read_only_areas_answer_only_get_and_head(app):
    """Do routes declared read-only (the auditor's area) accept only GET/HEAD?"""
    for rule in app.url_map.iter_rules():
        declared = rule_for_endpoint(rule.endpoint)
        if declared.read_only:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule


def test_staff_pages_need_sign_in(app, client, demo):
    """Does a signed-out visitor to a role-protected page get sent to sign in?"""
    protected = [r for r in app.url_map.iter_rules()
                 if rule_for_endpoint(r.endpoint).kind == "roles" and "GET" in r.methods and not r.arguments]
    assert protected, "expected some role-protected pages"
    for rule in protected:
        response = client.get(rule.rule)
        assert response.status_code == 302, rule.rule
        assert "/account/sign-in" in response.headers["Location"], rule.rule


def test_wrong_role_is_refused(app, as_applicant):
    """Does an applicant get 403 on every staff page without arguments?"""
    from grants.models import Role

    for rule in app.url_map.iter_rules():
        declared = rule_for_endpoint(rule.endpoint)
        if declared.kind == "roles" and Role.APPLICANT not in declared.roles and "GET" in rule.methods \
                and not rule.arguments:
            assert as_applicant.get(rule.rule).status_code == 403, rule.rule

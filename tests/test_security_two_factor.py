"""Two-factor authentication: enrolment with a QR code, sign-in codes, recovery codes, the staff gate."""
import pyotp
import pytest

from grants import clock

from grants.extensions import db
from grants.models import AuditEvent, RecoveryCode
from grants.services import audit, two_factor
from grants.services.errors import NotPermitted, ValidationFailed

from .factories_audit import enrol, next_code
from .helpers import error_messages, text_of


def _actions():
    return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.seq))]


def test_enrol_page_shows_qr_code_as_inline_svg_and_the_secret(as_applicant):
    """Does the enrol page show a QR code (inline SVG, no script) and the secret for typing in?"""
    soup = as_applicant.get_page("/account/two-factor/enrol")
    svg = soup.select_one(".app-qr-code svg")
    assert svg is not None and svg.find("path") is not None
    assert soup.find("script", string=True) is None
    secret = soup.select_one("#totp-secret").get_text().replace(" ", "")
    assert len(secret) >= 16
    # Reloading keeps the same secret, so a slow scan still works.
    again = as_applicant.get_page("/account/two-factor/enrol")
    assert again.select_one("#totp-secret").get_text().replace(" ", "") == secret


def test_enrolment_needs_a_correct_code_then_shows_ten_recovery_codes_once(as_applicant, demo):
    """Is two-factor switched on only after a correct code, with 10 recovery codes stored hashed?"""
    soup = as_applicant.get_page("/account/two-factor/enrol")
    secret = soup.select_one("#totp-secret").get_text().replace(" ", "")
    wrong = as_applicant.post_page("/account/two-factor/enrol", {"code": "000000"})
    assert "The code is not correct" in " ".join(error_messages(wrong))
    assert demo.applicant.totp_enabled_at is None

    done = as_applicant.post_page("/account/two-factor/enrol", {"code": pyotp.TOTP(secret).now()})
    codes = [c.get_text() for c in done.select("#recovery-codes code")]
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(demo.applicant)
    assert demo.applicant.totp_enabled_at is not None and demo.applicant.totp_secret == secret
    stored = db.session.scalars(db.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == demo.applicant.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert "auth.two_factor_enabled" in _actions()
    # The settings page does not show them again.
    assert codes[0] not in text_of(as_applicant.get_page("/account/two-factor"))


def test_enrolled_user_must_enter_a_code_after_password(app, demo):
    """After the password, is an enrolled user held at the code page until the code is right?"""
    totp = enrol(demo.applicant)
    client = app.test_client()
    response = client.post("/account/sign-in", data={"email": "applicant@example.org", "password": "demo-password"})
    assert response.status_code == 302
    held = client.get("/account/two-factor")
    assert held.status_code == 302 and "/account/two-factor/verify" in held.headers["Location"]
    bad = client.post("/account/two-factor/verify", data={"code": "123456"})
    assert bad.status_code == 200 and b"The code is not correct" in bad.data
    assert client.get("/account/two-factor").status_code == 302
    good = client.post("/account/two-factor/verify", data={"code": next_code(totp)})
    assert good.status_code == 302
    assert "/account/two-factor/verify" not in client.get("/account/two-factor").headers.get("Location", "")
    assert client.get("/account/two-factor").status_code == 200
    actions = _actions()
    assert "auth.two_factor_failed" in actions and "auth.two_factor_verified" in actions


def test_recovery_code_works_once(app, demo):
    """Does a recovery code let an enrolled user in once, and never again?"""
    totp = enrol(demo.applicant)
    code = totp.recovery_codes[0]
    two_factor.use_recovery_code(user=demo.applicant, code=code.upper())
    db.session.commit()
    with pytest.raises(ValidationFailed):
        two_factor.use_recovery_code(user=demo.applicant, code=code)
    assert two_factor.unused_recovery_codes(demo.applicant) == 9
    assert "auth.recovery_code_used" in audit.pending_actions() or "auth.recovery_code_used" in _actions()


def test_recovery_page_signs_in(app, demo):
    """Can someone without their phone finish signing in on the recovery page?"""
    totp = enrol(demo.applicant)
    client = app.test_client()
    client.post("/account/sign-in", data={"email": "applicant@example.org", "password": "demo-password"})
    response = client.post("/account/two-factor/recovery", data={"code": totp.recovery_codes[3]})
    assert response.status_code == 302
    assert client.get("/account/two-factor").status_code == 200


def test_staff_must_enrol_when_production_requires_it(app, as_officer, as_applicant):
    """With REQUIRE_2FA_FOR_STAFF, is staff sent to enrol on every page, while applicants are not?"""
    app.config["REQUIRE_2FA_FOR_STAFF"] = True
    try:
        response = as_officer.get("/account/two-factor")
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor/enrol")
        assert as_officer.get("/account/two-factor/enrol").status_code == 200
        r = as_applicant.get("/account/two-factor"); assert r.status_code == 200, r.headers.get("Location")
    finally:
        app.config["REQUIRE_2FA_FOR_STAFF"] = False


def test_demo_does_not_force_enrolment_but_staff_can_enrol(as_officer):
    """In the demo (development config), can staff reach pages without two-factor, and enrol if they wish?"""
    assert as_officer.get("/account/two-factor").status_code == 200
    assert as_officer.get("/account/two-factor/enrol").status_code == 200


def test_staff_cannot_switch_off_two_factor_when_required(app, demo):
    """Is switching off two-factor refused for staff when it is required?"""
    totp = enrol(demo.officer)
    app.config["REQUIRE_2FA_FOR_STAFF"] = True
    try:
        with pytest.raises(NotPermitted):
            two_factor.disable(user=demo.officer, password="demo-password", code=totp.now())
    finally:
        app.config["REQUIRE_2FA_FOR_STAFF"] = False


def test_applicant_can_switch_off_with_password_and_code(app, demo):
    """Can an applicant who opted in switch two-factor off, with password and code, audited?"""
    totp = enrol(demo.applicant)
    with pytest.raises(ValidationFailed) as exc:
        two_factor.disable(user=demo.applicant, password="wrong", code="000000")
    assert set(exc.value.errors) == {"password", "code"}
    two_factor.disable(user=demo.applicant, password="demo-password", code=next_code(totp))
    db.session.commit()
    assert demo.applicant.totp_enabled_at is None and demo.applicant.totp_secret is None
    assert db.session.scalar(db.select(db.func.count(RecoveryCode.id))) == 0
    assert "auth.two_factor_disabled" in _actions()


def test_new_recovery_codes_replace_old_ones(app, demo):
    """Do new recovery codes make the old ones stop working?"""
    totp = enrol(demo.applicant)
    old = totp.recovery_codes[0]
    new = two_factor.regenerate_recovery_codes(user=demo.applicant, code=next_code(totp))
    db.session.commit()
    assert old not in new
    with pytest.raises(ValidationFailed):
        two_factor.use_recovery_code(user=demo.applicant, code=old)
    two_factor.use_recovery_code(user=demo.applicant, code=new[0])


@pytest.fixture
def limited_client(app):
    """A client of a second app instance on the same database, with rate limiting on (in memory)."""
    from grants import create_app
    from grants.extensions import limiter

    limited = create_app({**{k: app.config[k] for k in (
        "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER", "PASSWORD_HASH_METHOD", "PUBLIC_BASE_URL")},
        "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://"})
    yield limited.test_client()
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()
    # The limiter object is shared: leave it as the main test app configured it.
    limiter.enabled = False


def test_code_verification_is_rate_limited(demo, limited_client):
    """Is guessing two-factor codes stopped with 429 after ten tries a minute?"""
    enrol(demo.applicant)
    client = limited_client
    client.post("/account/sign-in", data={"email": "applicant@example.org", "password": "demo-password"})
    statuses = [client.post("/account/two-factor/verify", data={"code": "000000"}).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert client.post("/account/two-factor/recovery", data={"code": "x"}).status_code == 429


def test_sign_in_is_rate_limited(demo, limited_client):
    """Is password guessing from one address stopped with 429?"""
    statuses = [limited_client.post("/account/sign-in", data={"email": "a@example.org", "password": "x"}).status_code
                for _ in range(21)]
    assert statuses[-1] == 429 and 429 not in statuses[:20]


def test_a_code_is_accepted_only_once(app, demo):
    """Can an overheard code be replayed? (No: each code works once, even within its 30 seconds.)"""
    totp = enrol(demo.applicant)
    code = next_code(totp)
    two_factor.verify_sign_in(user=demo.applicant, code=code)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        two_factor.verify_sign_in(user=demo.applicant, code=code)
    # The code used to enrol cannot be used to sign in either.
    fresh = enrol(demo.applicant2)
    with pytest.raises(ValidationFailed):
        two_factor.verify_sign_in(user=demo.applicant2, code=fresh.at(demo.applicant2.totp_last_step * 30))


def test_codes_from_far_off_times_are_refused(app, demo):
    """Is a code from two minutes ago or ahead refused?"""
    totp = enrol(demo.applicant)
    for offset in (-120, 120):
        with pytest.raises(ValidationFailed):
            two_factor.verify_sign_in(user=demo.applicant, code=totp.at(clock.now().timestamp() + offset))

"""Sessions, CSRF, sign-in rate limiting and security headers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from sclerostem.web import LoginRateLimiter, create_app
from sclerostem.web._security import CONTENT_SECURITY_POLICY, SESSION_COOKIE
from tests.web.conftest import PASSWORDS, csrf_of, patient_id, sign_in


def test_security_headers_on_pages(client):
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.strip() == "'self'"  # no inline scripts, no eval
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in r.headers  # plain http


def test_no_inline_script_in_any_template():
    from sclerostem.web._deps import TEMPLATES_DIR

    for path in TEMPLATES_DIR.glob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag, f"inline script in {path.name}"
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {path.name}"
        assert " style=" not in text, f"inline style in {path.name}"


def test_session_cookie_flags_over_http(client):
    r = client.get("/login")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE + "=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(app):
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/login")
        assert "; Secure" in r.headers["set-cookie"]
        assert r.headers["strict-transport-security"] == "max-age=31536000"


def test_forged_session_cookie_is_ignored(client):
    client.cookies.set(SESSION_COOKIE, "eyJ1aWQiOjF9.forged.signature")
    r = client.get("/patients", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/patients"


def test_cookie_signed_with_another_key_is_rejected(db):
    a = create_app(db, secret_key="key-A")
    b = create_app(db, secret_key="key-B")
    with TestClient(a) as ca:
        sign_in(ca, "clin")
        stolen = ca.cookies.get(SESSION_COOKIE)
    with TestClient(b) as cb:
        cb.cookies.set(SESSION_COOKIE, stolen)
        assert cb.get("/patients", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    r = client.post("/login", data={"username": "clin", "password": PASSWORDS["clin"]})
    assert r.status_code == 403
    assert r.template.name == "error.html"
    assert r.context["title"] == "Form expired"


def test_csrf_token_rotates_at_sign_in(client):
    before = csrf_of(client.get("/login").text)
    sign_in(client, "clin")
    after = csrf_of(client.get("/patients").text)
    assert before != after


@pytest.mark.parametrize("path", ["/logout", "/patients/new", "/patients/{pid}/visits/new",
                                  "/patients/{pid}/visits/preview"])
def test_every_form_post_needs_the_token(client, db, path):
    sign_in(client, "clin")
    url = path.format(pid=patient_id(db, "T-001"))
    assert client.post(url, data={"csrf_token": "wrong"}).status_code == 403
    assert client.post(url, data={}).status_code == 403


def test_htmx_requests_may_send_the_token_in_a_header(client, db):
    sign_in(client, "clin")
    token = csrf_of(client.get("/patients").text)
    pid = patient_id(db, "T-001")
    r = client.post(f"/patients/{pid}/visits/preview", data={"mrss_face": "1"},
                    headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert r.status_code == 200
    assert r.template.name == "_live_scores.html"


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _attempt(client: TestClient, username: str, password: str):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, follow_redirects=False)


def test_login_rate_limit_refuses_after_three_failures_then_recovers(db):
    clock = FakeClock()
    app = create_app(db, secret_key="k", rate_limiter=LoginRateLimiter(3, 300.0, clock))
    with TestClient(app) as c:
        for _ in range(3):
            r = _attempt(c, "clin", "wrong-password")
            assert r.status_code == 401
            assert r.context["error"] == "Unknown user name or wrong password."
        r = _attempt(c, "clin", PASSWORDS["clin"])  # even the right password is refused now
        assert r.status_code == 429
        assert r.headers["retry-after"] == "301"
        assert r.context["error"] == "Too many failed sign-in attempts. Try again in 301 seconds."
        clock.t += 300.0  # the window has passed
        assert _attempt(c, "clin", PASSWORDS["clin"]).status_code == 303


def test_rate_limit_counts_per_user_name_across_addresses():
    clock = FakeClock()
    lim = LoginRateLimiter(2, 60.0, clock)
    lim.record_failure("10.0.0.1", "Clin")
    lim.record_failure("10.0.0.2", "clin")
    assert lim.retry_after("10.0.0.3", "clin") == 61
    assert lim.retry_after("10.0.0.3", "other") == 0
    clock.t += 59.0
    assert lim.retry_after("10.0.0.3", "clin") == 2
    clock.t += 1.0
    assert lim.retry_after("10.0.0.3", "clin") == 0


def test_success_clears_the_user_name_count():
    lim = LoginRateLimiter(2, 60.0, FakeClock())
    lim.record_failure("a", "clin")
    lim.record_success("clin")
    lim.record_failure("b", "clin")
    assert lim.retry_after("c", "clin") == 0


def test_health_endpoint(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_api_is_mounted_but_a_browser_session_does_not_authorise_it(client):
    assert client.get("/api/health").status_code == 200
    sign_in(client, "clin")
    assert client.get("/api/patients").status_code == 401  # bearer token required


def test_user_text_is_escaped_in_pages(client, db):
    sign_in(client, "clin")
    token = csrf_of(client.get("/patients/new").text)
    evil = '<script>alert("x")</script>'
    r = client.post("/patients/new", data={"csrf_token": token, "study_id": "XSS-1", "centre": "Test Centre",
                                           "disease": "ssc", "name": evil}, follow_redirects=True)
    assert r.template.name == "patient.html"
    assert evil not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in r.text
    assert evil not in client.get("/patients").text

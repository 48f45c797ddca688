"""Optional login (ui/auth.py): the pure access decision, the settings reader, and gate() under AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.auth import access_decision, auth_settings, user_email, user_groups

ROOT = Path(__file__).resolve().parent.parent

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-0123456789abcdef",
    "client_id": "00000000-0000-0000-0000-000000000000",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration",
}


def user(**claims):
    return {"is_logged_in": True, **claims}


# -- access_decision ------------------------------------------------------------------------------
def test_not_configured_allows_everyone():
    assert access_decision(False, None, [], [])[0] == "allow"
    assert access_decision(False, None, ["regionhalland.se"], [])[0] == "allow"


@pytest.mark.parametrize("u", [None, {}, {"is_logged_in": False}, {"is_logged_in": False, "email": "a@regionhalland.se"}])
def test_configured_without_login_asks_for_login(u):
    decision, message = access_decision(True, u, ["regionhalland.se"], [])
    assert decision == "login" and message


def test_logged_in_without_allow_lists_is_allowed():
    assert access_decision(True, user(email="anna@example.com"), [], []) == ("allow", "")


@pytest.mark.parametrize("email, ok", [
    ("anna.andersson@regionhalland.se", True),
    ("Anna.Andersson@RegionHalland.SE", True),
    ("anna@evil-regionhalland.se", False),
    ("anna@regionhalland.se.evil.com", False),
    ("anna@sub.regionhalland.se", False),
    ("regionhalland.se@gmail.com", False),
    ("", False),
])
def test_domain_allow_list(email, ok):
    decision, message = access_decision(True, user(email=email), ["regionhalland.se", "@vgregion.se"], [])
    assert decision == ("allow" if ok else "deny")
    if not ok:
        assert "behörighet" in message


def test_domain_from_entra_preferred_username_and_leading_at():
    assert access_decision(True, user(preferred_username="bo@vgregion.se"), ["@VGREGION.se"], [])[0] == "allow"


def test_unverified_email_does_not_count():
    assert access_decision(True, user(email="x@regionhalland.se", email_verified=False),
                           ["regionhalland.se"], [])[0] == "deny"


def test_group_and_role_claims():
    gid = "11111111-2222-3333-4444-555555555555"
    assert access_decision(True, user(email="x@other.se", groups=[gid]), [], [gid])[0] == "allow"
    assert access_decision(True, user(email="x@other.se", roles="Styrgrupp"), [], ["Styrgrupp"])[0] == "allow"
    assert access_decision(True, user(email="x@other.se", groups=["other"]), [], [gid])[0] == "deny"
    # either list suffices
    assert access_decision(True, user(email="x@regionhalland.se", groups=[]), ["regionhalland.se"], [gid])[0] == "allow"
    # a single string in the configuration is one value, not characters
    assert access_decision(True, user(email="x@other.se", groups=["a"]), [], "abc")[0] == "deny"


def test_claim_helpers():
    assert user_email({"upn": "u@x.se"}) == "u@x.se"
    assert user_email({"email": "no-at-sign"}) == ""
    assert user_groups({"groups": ["a", "b"], "roles": "r"}) == ["a", "b", "r"]


# -- settings -------------------------------------------------------------------------------------
def test_settings_default_provider_and_lists():
    s = auth_settings({"auth": AUTH, "indikatorpanelen": {"allowed_domains": ["regionhalland.se"]}})
    assert s.configured and s.provider is None and not s.problems
    assert s.allowed_domains == ["regionhalland.se"]


def test_settings_named_provider():
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
            "microsoft": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    s = auth_settings({"auth": auth})
    assert s.provider == "microsoft" and not s.problems


def test_settings_not_configured():
    s = auth_settings({})
    assert not s.configured and not s.problems


@pytest.mark.parametrize("secrets", [
    {"auth": {k: v for k, v in AUTH.items() if k != "cookie_secret"}},
    {"auth": {"redirect_uri": "x", "cookie_secret": "y"}},
    {"indikatorpanelen": {"require_login": True}},
    {"indikatorpanelen": {"allowed_domains": ["regionhalland.se"]}},  # a list without login would be ignored
    {"auth": AUTH, "indikatorpanelen": {"auth_provider": "google"}},
])
def test_settings_broken_configuration_fails_closed(secrets):
    assert auth_settings(secrets).problems


# -- gate() in a running script ----------------------------------------------------------------------
SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
st.set_page_config(page_title="Indikatorpanelen")
from ui.auth import gate
gate()
st.title("HEMLIG PANEL")
st.dataframe({{"region": ["01"], "numerator": [4242]}})
"""


def _texts(at) -> str:
    parts = []
    for kind in ("title", "markdown", "info", "error", "caption", "header", "subheader", "text", "warning"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return " ".join(parts)


def test_gate_without_configuration_shows_the_app():
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    assert not at.exception
    assert "HEMLIG PANEL" in _texts(at)
    assert len(at.dataframe) == 1


def test_gate_with_configuration_shows_nothing_before_login():
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["indikatorpanelen"] = {"allowed_domains": ["regionhalland.se"]}
    at.run()
    assert not at.exception
    assert "HEMLIG PANEL" not in _texts(at)
    assert len(at.dataframe) == 0
    assert [b.label for b in at.button] == ["Logga in"]
    assert "inloggning" in _texts(at)


def test_gate_with_broken_configuration_fails_closed():
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.secrets["indikatorpanelen"] = {"require_login": True}
    at.run()
    assert not at.exception
    assert "HEMLIG PANEL" not in _texts(at) and len(at.dataframe) == 0
    assert "felkonfigurerad" in _texts(at)


def _script_with_user(claims: dict) -> str:
    # st.login cannot complete without an identity provider: stub the user the gate reads
    return SCRIPT.replace("from ui.auth import gate",
                          f"import ui.auth\nui.auth._st_user = lambda: {claims!r}\nfrom ui.auth import gate")


def test_gate_logged_in_and_allowed_shows_app_and_logout():
    at = AppTest.from_string(_script_with_user({"is_logged_in": True, "email": "a@regionhalland.se"}),
                             default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["indikatorpanelen"] = {"allowed_domains": ["regionhalland.se"]}
    at.run()
    assert not at.exception
    assert "HEMLIG PANEL" in _texts(at)
    assert "Logga ut" in [b.label for b in at.sidebar.button]
    assert "a@regionhalland.se" in " ".join(c.value for c in at.sidebar.caption)


def test_gate_logged_in_but_not_allowed_shows_only_refusal():
    at = AppTest.from_string(_script_with_user({"is_logged_in": True, "email": "a@gmail.com"}), default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["indikatorpanelen"] = {"allowed_domains": ["regionhalland.se"]}
    at.run()
    assert not at.exception
    assert "HEMLIG PANEL" not in _texts(at) and len(at.dataframe) == 0
    assert "behörighet" in _texts(at)
    assert [b.label for b in at.button] == ["Logga ut"]

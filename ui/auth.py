"""Optional login for Indikatorpanelen through Streamlit's OIDC support (st.login / st.user).

Call `gate()` right after `st.set_page_config(...)`. It does nothing when login is not configured.
When `.streamlit/secrets.toml` has an `[auth]` section, nothing below `gate()` runs until the user
has logged in (gate renders a login button and calls `st.stop()`), and a logged-in user outside
the optional allow-lists sees only a refusal and a logout button. See docs/access.md.

Configuration (secrets.toml)::

    [auth]                       # Streamlit's own section: redirect_uri, cookie_secret, and
    redirect_uri = "https://panel.example.se/oauth2callback"      # client_id, client_secret,
    cookie_secret = "..."                                         # server_metadata_url (or put
    client_id = "..."                                             # those in [auth.<provider>])
    client_secret = "..."
    server_metadata_url = "https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration"

    [indikatorpanelen]           # all optional
    allowed_domains = ["regionhalland.se"]   # e-mail domains allowed (exact match, case-insensitive)
    allowed_groups = ["<group object id>"]   # values of the token's `groups` or `roles` claim
    auth_provider = "microsoft"              # when [auth] has named providers ([auth.microsoft])
    require_login = true                     # refuse to serve at all if [auth] is missing

A user is allowed when no allow-list is set, or when the e-mail domain is in `allowed_domains` OR
a group/role claim is in `allowed_groups`. The decision itself is the pure function
`access_decision`, tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

_SECTION = "indikatorpanelen"
_EMAIL_CLAIMS = ("email", "preferred_username", "upn")  # Entra often sends only preferred_username
_GROUP_CLAIMS = ("groups", "roles")
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def access_decision(auth_configured: bool, user: Mapping | None, allowed_domains=(), allowed_groups=()
                    ) -> tuple[str, str]:
    """Decide what a visitor gets: ('allow' | 'login' | 'deny', message in Swedish).

    - login not configured: 'allow' (open dashboard, as on a closed network);
    - configured and `user` is None or not logged in: 'login';
    - logged in, no allow-list: 'allow';
    - logged in with allow-lists: 'allow' when the e-mail's domain is in `allowed_domains` (exact,
      case-insensitive; an e-mail with `email_verified` false does not count) or any value of the
      `groups` / `roles` claim is in `allowed_groups`; otherwise 'deny'.
    """
    if not auth_configured:
        return "allow", ""
    if not user or not bool(user.get("is_logged_in", True)):
        return "login", "Indikatorpanelen kräver inloggning. Logga in med ditt organisationskonto."
    domains = {d.strip().lower().lstrip("@") for d in _as_list(allowed_domains) if d.strip()}
    groups = {g.strip() for g in _as_list(allowed_groups) if g.strip()}
    email = user_email(user)
    if not domains and not groups:
        return "allow", ""
    if domains and email and user.get("email_verified", True) is not False:
        domain = email.rsplit("@", 1)[1].lower() if "@" in email else ""
        if domain in domains:
            return "allow", ""
    if groups and groups & set(user_groups(user)):
        return "allow", ""
    who = email or str(user.get("name") or user.get("sub") or "okänd användare")
    return "deny", (f"Kontot {who} har inte behörighet till Indikatorpanelen. "
                    "Kontakta förvaltningen om du behöver åtkomst.")


def user_email(user: Mapping) -> str:
    """The first e-mail-like claim of `user` ('' when none)."""
    for claim in _EMAIL_CLAIMS:
        value = user.get(claim)
        if isinstance(value, str) and "@" in value:
            return value.strip()
    return ""


def user_groups(user: Mapping) -> list[str]:
    """Values of the `groups` and `roles` claims (a list or one string)."""
    out: list[str] = []
    for claim in _GROUP_CLAIMS:
        out += [str(v).strip() for v in _as_list(user.get(claim))]
    return out


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value]
    except TypeError:
        return [str(value)]


@dataclass
class AuthSettings:
    configured: bool = False          # an [auth] section exists
    provider: str | None = None       # argument for st.login, None for the default provider
    allowed_domains: list[str] = field(default_factory=list)
    allowed_groups: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # configuration errors: fail closed


def auth_settings(secrets: Mapping | None = None) -> AuthSettings:
    """Read the login configuration from `secrets` (default st.secrets); never raises."""
    if secrets is None:
        secrets = _st_secrets()
    auth = _get(secrets, "auth")
    own = _get(secrets, _SECTION) or {}
    s = AuthSettings(
        configured=auth is not None,
        allowed_domains=_as_list(_get(own, "allowed_domains")),
        allowed_groups=_as_list(_get(own, "allowed_groups")),
    )
    if auth is None:
        if _get(own, "require_login"):
            s.problems.append("require_login är satt men [auth] saknas i secrets.toml")
        elif s.allowed_domains or s.allowed_groups:
            s.problems.append("allowed_domains/allowed_groups är satta men [auth] saknas i secrets.toml")
        return s
    for key in ("redirect_uri", "cookie_secret"):
        if not _get(auth, key):
            s.problems.append(f"[auth] saknar {key}")
    named = [k for k in _keys(auth) if isinstance(_get(auth, k), Mapping)]
    provider = _get(own, "auth_provider")
    if provider:
        s.provider = str(provider)
        if s.provider not in named:
            s.problems.append(f"auth_provider = {s.provider!r} men [auth.{s.provider}] saknas")
    elif all(_get(auth, k) for k in _PROVIDER_KEYS):
        s.provider = None
    elif len(named) == 1:
        s.provider = named[0]
    else:
        s.problems.append("[auth] saknar client_id/client_secret/server_metadata_url "
                          "(eller ange auth_provider för en namngiven leverantör)")
    return s


def gate() -> None:
    """Stop the script unless the visitor may see the dashboard. Call right after set_page_config.

    Not configured: returns at once, showing nothing. Configured and not logged in: shows a title,
    a short text and a login button, then `st.stop()`. Logged in but not allowed: shows the refusal
    and a logout button, then `st.stop()`. A broken configuration fails closed (error, `st.stop()`).
    Allowed: shows "Inloggad som … / Logga ut" in the sidebar and returns.
    """
    import streamlit as st

    settings = auth_settings()
    if settings.problems:
        st.error("Inloggningen är felkonfigurerad: " + "; ".join(settings.problems)
                 + ". Se docs/access.md.")
        st.stop()
    if not settings.configured:
        return
    user = _st_user()
    decision, message = access_decision(True, user, settings.allowed_domains, settings.allowed_groups)
    if decision == "login":
        st.title("Indikatorpanelen")
        st.info(message)
        st.button("Logga in", type="primary", key="_auth_login", on_click=_login, args=(settings.provider,))
        st.stop()
    if decision == "deny":
        st.title("Indikatorpanelen")
        st.error(message)
        st.button("Logga ut", key="_auth_logout_denied", on_click=st.logout)
        st.stop()
    who = user_email(user or {}) or str((user or {}).get("name") or "")
    with st.sidebar:
        if who:
            st.caption(f"Inloggad som {who}")
        st.button("Logga ut", key="_auth_logout", on_click=st.logout)


def _login(provider: str | None) -> None:
    import streamlit as st

    if provider:
        st.login(provider)
    else:
        st.login()


def _st_user() -> dict | None:
    import streamlit as st

    try:
        info = st.user.to_dict()
    except Exception:  # noqa: BLE001 - no session context / auth not available
        return None
    return info if info.get("is_logged_in") else None


def _st_secrets():
    import streamlit as st

    try:
        return {k: st.secrets[k] for k in st.secrets.keys()}
    except Exception:  # noqa: BLE001 - no secrets.toml at all: login not configured
        return {}


def _get(mapping, key):
    try:
        return mapping.get(key) if mapping is not None else None
    except Exception:  # noqa: BLE001
        return None


def _keys(mapping) -> list[str]:
    try:
        return list(mapping.keys())
    except Exception:  # noqa: BLE001
        return []

"""How the dashboard decides who is reading: the configuration of sign-in, read once per run.

Configuration comes from the environment, or from a TOML file named by ``CCHC_CONFIG`` (kept outside
the repository; docs/access.md has an example); the environment wins:

    [signin]
    method = "auto"          # auto | local | oidc   (CCHC_SIGNIN)
    public_read = false      # anonymous visitors read as a national viewer (CCHC_PUBLIC_READ=1)
    require_on_sample = false  # a sample folder asks for sign-in too (CCHC_REQUIRE_SIGNIN=1)
    session_minutes = 480    # a local sign-in lasts a working day (CCHC_SESSION_MINUTES)

- A data folder made by ``python -m cchc sample`` (it holds ``_sample.json``) opens for reading without
  sign-in, marked as a demo; a folder of real data asks for sign-in before anything is read, unless
  public reading is configured.
- Writing always needs a signed-in account with the role, in every mode (cchc.access).
- ``method = "oidc"`` uses Streamlit's ``st.login`` with the province's OpenID Connect provider, set in
  Streamlit's secrets (``[auth]``: redirect_uri, cookie_secret, client_id, client_secret,
  server_metadata_url), in a file outside the repository; ``auto`` picks OIDC when those secrets
  exist, else local accounts (cchc.accounts).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import sample, storage

METHODS = ("auto", "local", "oidc")
MAX_SESSION_MINUTES = 7 * 24 * 60


class ConfigError(ValueError):
    """A wrong setting (Vietnamese)."""


@dataclass(frozen=True)
class Settings:
    method: str = "auto"
    public_read: bool = False
    require_on_sample: bool = False
    session_minutes: int = 480


def _bool(v, name: str) -> bool:
    if isinstance(v, bool):
        return v
    t = str(v).strip().lower()
    if t in ("1", "true", "yes", "on", "có"):
        return True
    if t in ("0", "false", "no", "off", "không", ""):
        return False
    raise ConfigError(f"Cấu hình {name}: cần true hoặc false, không phải {t[:20]!r}.")


def settings(env: dict | None = None) -> Settings:
    """The sign-in settings (ConfigError with a Vietnamese message when one is wrong)."""
    env = os.environ if env is None else env
    raw: dict = {}
    path = env.get("CCHC_CONFIG")
    if path:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("signin", {})
        except FileNotFoundError:
            raise ConfigError(f"Không có tệp cấu hình {path} (biến CCHC_CONFIG).") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"Tệp cấu hình {path} không đọc được: {e}") from None
    for key, var in (("method", "CCHC_SIGNIN"), ("public_read", "CCHC_PUBLIC_READ"),
                     ("require_on_sample", "CCHC_REQUIRE_SIGNIN"), ("session_minutes", "CCHC_SESSION_MINUTES")):
        if env.get(var) not in (None, ""):
            raw[key] = env[var]
    method = str(raw.get("method", "auto")).strip().lower()
    if method not in METHODS:
        raise ConfigError(f"Cách đăng nhập không hợp lệ: {method[:20]!r}; chọn auto, local hoặc oidc.")
    try:
        minutes = int(raw.get("session_minutes", 480))
    except (TypeError, ValueError):
        raise ConfigError("Cấu hình session_minutes cần một số phút.") from None
    if not 5 <= minutes <= MAX_SESSION_MINUTES:
        raise ConfigError(f"Cấu hình session_minutes: từ 5 đến {MAX_SESSION_MINUTES} phút.")
    return Settings(method, _bool(raw.get("public_read", False), "public_read"),
                    _bool(raw.get("require_on_sample", False), "require_on_sample"), minutes)


def is_sample(root: str | os.PathLike) -> bool:
    return storage.exists(storage.join(root, sample.MARKER))


def anonymous_mode(root: str | os.PathLike, s: Settings) -> str | None:
    """How a visitor who has not signed in may read: ``demo`` (a sample folder), ``public`` (configured),
    or None (sign in first)."""
    if is_sample(root) and not s.require_on_sample:
        return "demo"
    if s.public_read:
        return "public"
    return None


def method(s: Settings, oidc_configured: bool) -> str:
    """``local`` or ``oidc``; ConfigError when OIDC is asked for but Streamlit's [auth] secrets are absent."""
    if s.method == "oidc" and not oidc_configured:
        raise ConfigError("Cấu hình đăng nhập oidc nhưng chưa có mục [auth] trong secrets.toml của Streamlit "
                          "(docs/access.md).")
    if s.method == "auto":
        return "oidc" if oidc_configured else "local"
    return s.method

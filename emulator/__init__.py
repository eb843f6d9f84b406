"""A local fake Genesys Cloud region for offline development and tests.

One Starlette app serves what a real region spreads over several hosts: the login host
(`/oauth/token`), the API host (`/api/v2/...`), the CDN (`/webdeployments/...`) and the
web-messaging socket (`/v1`), plus a control API (`/_emulator/...`) and an agent console
(`/agent`) that no real region has. See emulator/README.md.
"""
from .app import create_app

__all__ = ["create_app"]

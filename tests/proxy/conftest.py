import warnings

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its TestClient; httpx works and is what we have.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient  # noqa: F401

from proxy.settings import Settings

from .fake_genesys import CLIENT_ID, CLIENT_SECRET, QUEUE_ID, FakeGenesys, ServerThread


@pytest.fixture(scope="session")
def _upstream():
    fake = FakeGenesys()
    server = ServerThread(fake.app).start()
    yield fake, server
    server.stop()


@pytest.fixture
def fake(_upstream):
    fake, _ = _upstream
    fake.reset()
    return fake


@pytest.fixture
def upstream_url(_upstream):
    return _upstream[1].url


@pytest.fixture
def settings(upstream_url):
    return Settings(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, queue_id=QUEUE_ID,
                    login_url=upstream_url, api_url=upstream_url)

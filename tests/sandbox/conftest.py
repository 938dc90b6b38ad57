import pytest


@pytest.fixture
def sandbox(http_sandbox):
    """The sandbox's own tests reach it over real HTTP, as the dashboard does."""
    return http_sandbox

"""Reading /metrics as Prometheus does: with the bearer token, parsed into samples."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-7c1d2e9f4a6b"


@pytest.fixture
def metrics_token(settings) -> str:
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = ()
    return METRICS_TOKEN


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
def scrape(client, metrics_token):
    """The samples /metrics shows now; `scrape.value(name, **labels)` reads one (0 if absent)."""

    class Scrape:
        text = ""

        def __call__(self) -> dict[tuple[str, frozenset], float]:
            response = client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
            assert response.status_code == 200
            self.text = response.content.decode()
            return samples(self.text)

        def value(self, name: str, **labels: str) -> float:
            return self().get((name, frozenset(labels.items())), 0.0)

    return Scrape()

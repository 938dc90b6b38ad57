"""Can this machine reach the upstream at all? For the health endpoint: any HTTP answer counts."""

import requests


def upstream_reachable(endpoint: str, *, timeout: float = 2.0) -> tuple[bool, str]:
    session = requests.Session()
    session.trust_env = False
    try:
        response = session.get(endpoint + "/", timeout=timeout, allow_redirects=False, stream=True)
    except requests.exceptions.RequestException as exc:
        return False, type(exc).__name__
    finally:
        session.close()
    response.close()
    return True, f"HTTP {response.status_code}"

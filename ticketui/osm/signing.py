"""AK/SK request signing for OSM_AUTH=aksk with Huawei's official signer (huaweicloudsdkcore, the
optional `aksk` extra): SDK-HMAC-SHA256 over the method, path, query, headers and the exact body
bytes the client sends. The signer works on an SdkRequest; its headers are copied over.

A streamed body (an attachment upload, multipart/form-data read from the file as it is sent) is
not hashed: it is signed with `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, which the signer and
Huawei's API gateway support and the SDK itself uses for every non-JSON body. The method, path,
query and headers (the multipart boundary included) are still signed; the file's bytes are not."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from .auth import AuthenticationError, AuthFailure

SIGNER_MISSING = (
    "OSM_AUTH=aksk needs Huawei's signer, which is not installed: pip install 'ticketui[aksk]'."
)
# The headers the signer adds or settles; they go out exactly as signed.
SIGNED_OUTPUT = ("Authorization", "X-Sdk-Date", "X-Domain-Id", "Host", "X-Sdk-Content-Sha256")
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AkSkSigner:
    """An Authenticator that signs every request with an access key pair."""

    # The signature could be replayed for minutes: it is never recorded.
    secret_headers = frozenset({"Authorization"})

    def __init__(
        self, *, ak: str, sk: str, domain_id: str, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        try:
            from huaweicloudsdkcore.auth.credentials import GlobalCredentials
        except ImportError:
            raise AuthenticationError(AuthFailure.MISCONFIGURED, SIGNER_MISSING) from None
        # OSM is a global service: its credentials carry the account id (X-Domain-Id).
        self._credentials = GlobalCredentials(ak, sk, domain_id)
        self.ak = ak
        self._clock = clock

    def __repr__(self) -> str:
        return f"AkSkSigner(ak={self.ak!r}, sk=<hidden>)"

    def headers(
        self, *, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> dict[str, str]:
        from huaweicloudsdkcore.sdk_request import SdkRequest

        parts = urlsplit(url)
        extra = {}
        if body is None:
            # The signer uses the header as the payload's hash only when there is a body.
            extra, body = {"X-Sdk-Content-Sha256": UNSIGNED_PAYLOAD}, b"streamed"
        request = SdkRequest(
            method=method.upper(),
            schema=parts.scheme,
            host=parts.netloc,
            resource_path=parts.path or "/",
            query_params=parse_qsl(parts.query, keep_blank_values=True),
            # Setting the date here keeps the signer off its deprecated utcnow() and lets
            # tests move the clock.
            header_params={
                **headers,
                **extra,
                "X-Sdk-Date": self._clock().strftime("%Y%m%dT%H%M%SZ"),
            },
            body=body,
        )
        signed = self._credentials.sign_request(request).header_params
        return {name: signed[name] for name in SIGNED_OUTPUT if name in signed}

    def invalidate(self) -> None:
        """A signature has nothing cached to forget; the repeated call is signed afresh."""

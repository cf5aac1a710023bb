"""SDK-HMAC-SHA256 signing as the Huawei SDKs do it, written from API-NOTES and independent of the
Rust signer: used by the e2e tests and by the load benchmark."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote, urlsplit

import requests

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _enc(s: str) -> str:
    return quote(s, safe="~")


def canonical_request(method, path, query, headers, signed, body: bytes) -> str:
    uri = "/".join(_enc(seg) for seg in unquote(path).split("/"))
    if not uri.endswith("/"):
        uri += "/"
    pairs = []
    for part in filter(None, query.split("&")):
        k, _, v = part.partition("=")
        pairs.append((unquote(k), unquote(v)))
    q = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(pairs))
    lower = {k.lower(): str(v).strip() for k, v in headers.items()}
    hdrs = "".join(f"{h}:{lower.get(h, '')}\n" for h in signed)
    return "\n".join([method.upper(), uri, q, hdrs, ";".join(signed), hashlib.sha256(body).hexdigest()])


def signature(sk: str, date: str, canonical: str) -> str:
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def sdk_date(delta: timedelta = timedelta()) -> str:
    return (datetime.now(timezone.utc) + delta).strftime("%Y%m%dT%H%M%SZ")


class Signed:
    """Builds SDK-style signed requests, then lets a test change any part after signing."""

    def __init__(self, base_url: str, ak: str, sk: str, project_id: str | None):
        self.base = base_url
        self.host = urlsplit(base_url).netloc
        self.ak, self.sk, self.project_id = ak, sk, project_id

    def prepare(self, method, path, query="", body=None, date=None, extra=None, unsigned=()):
        raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        headers = {
            "Host": self.host,
            "Content-Type": "application/json",
            "User-Agent": "huaweicloud-usdk-python/3.0; os/Linux##1_SMP_PREEMPT_DYNAMIC_@0#x86_64 python/3.11.7",
            "X-Sdk-Date": date or sdk_date(),
        }
        if self.project_id:
            headers["X-Project-Id"] = self.project_id
        headers.update(extra or {})
        signed = sorted(k.lower() for k in headers if k.lower() not in unsigned)
        canonical = canonical_request(method, path, query, headers, signed, raw)
        headers["Authorization"] = (f"SDK-HMAC-SHA256 Access={self.ak}, SignedHeaders={';'.join(signed)}, "
                                    f"Signature={signature(self.sk, headers['X-Sdk-Date'], canonical)}")
        return {"method": method, "path": path, "query": query, "headers": headers, "body": raw}

    def send(self, p):
        url = f"{self.base}{p['path']}" + (f"?{p['query']}" if p["query"] else "")
        return requests.request(p["method"], url, headers=p["headers"], data=p["body"], timeout=60)

    def call(self, method, path, query="", body=None, **kw):
        return self.send(self.prepare(method, path, query, body, **kw))

//! AK/SK credentials for the CodeArts API, checked with [`crate::signing`].
//!
//! Nothing secret is stored. A secret key is derived from its access key with the Worker secret
//! `CREDENTIALS_KEY`: `SK = hex(HMAC-SHA256(CREDENTIALS_KEY, AK))[..40]`. The store only records
//! which project an access key belongs to (`cred/{AK}` → `{project_id, created_ms}`, the same as
//! key metadata `{p, ms}` so a listing reads keys only); revoking deletes that record. Rotating
//! `CREDENTIALS_KEY` invalidates every issued secret key.
//!
//! **Access keys carry their own seal.** An access key is 20 characters of Huawei's alphabet (upper
//! case letters and digits): `V`, 11 random characters and 8 of a MAC of the first 12 under
//! `CREDENTIALS_KEY` (base32, RFC 4648 alphabet). A key whose seal does not match was never issued:
//! it is refused without a lookup. Keys issued before carry no seal (20 upper-case hex digits,
//! [`KeyForm::Unsealed`]); they are looked up as before, unless the Worker is told to refuse them
//! (`LEGACY_ACCESS_KEYS=refuse`, once every client has a sealed key).
//!
//! Every failure to authenticate is the same [`AuthFailure::Invalid`] whether or not the access
//! key exists, and every key costs the same work: one seal check, one secret derivation and one
//! signature verification (against a stand-in secret where there is no real one), and no KV read
//! decides that a key was never issued, so neither the answer nor its timing says which keys
//! exist. A date too far from the server clock is [`AuthFailure::Expired`], checked before the
//! signature, for known and unknown keys alike.

use crate::error::{ApiError, AuthFailure};
use crate::http::Request;
use crate::signing::{self, SignableRequest, SigningError};
use crate::store::{Store, StoreError};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Length of an access key (Huawei's AKs are 20 upper-case letters and digits).
pub const ACCESS_KEY_LEN: usize = 20;
/// The first character of a sealed access key (never a hex digit, so never an unsealed key's).
const SEALED_MARK: u8 = b'V';
/// A sealed key's characters before its seal: the mark and 11 random ones.
const SEALED_BODY: usize = 12;
use crate::ids::BASE32;

/// The forms an access key can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyForm {
    /// `V`, 11 random characters and an 8-character seal (issued now).
    Sealed,
    /// 20 upper-case hex digits (issued before keys were sealed): looked up to be checked.
    Unsealed,
    /// Anything else: names no key.
    Other,
}

impl KeyForm {
    pub fn of(access_key: &str) -> KeyForm {
        let b = access_key.as_bytes();
        if b.len() != ACCESS_KEY_LEN {
            KeyForm::Other
        } else if b[0] == SEALED_MARK && b.iter().all(|c| BASE32.contains(c)) {
            KeyForm::Sealed
        } else if b
            .iter()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
        {
            KeyForm::Unsealed
        } else {
            KeyForm::Other
        }
    }
}

/// The seal of a sealed key's first [`SEALED_BODY`] characters: 8 base32 characters (40 bits) of
/// HMAC-SHA256 under the master key.
fn seal(master_key: &str, body: &[u8]) -> [u8; ACCESS_KEY_LEN - SEALED_BODY] {
    let mut out = [b'A'; ACCESS_KEY_LEN - SEALED_BODY];
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(master_key.as_bytes()) else {
        return out; // HMAC takes keys of any length
    };
    mac.update(b"deploy-edge access key seal\n");
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let bits = u64::from_be_bytes([0, 0, 0, tag[0], tag[1], tag[2], tag[3], tag[4]]);
    for (i, c) in out.iter_mut().enumerate() {
        *c = BASE32[((bits >> (35 - 5 * i)) & 31) as usize];
    }
    out
}

/// True when `access_key` carries the seal of its first characters (whatever its form: the
/// check costs the same for every key).
fn sealed_by(master_key: &str, access_key: &str) -> bool {
    let b = access_key.as_bytes();
    let (body, given) = b.split_at(SEALED_BODY.min(b.len()));
    let expected = seal(master_key, body);
    given.len() == expected.len() && bool::from(given.ct_eq(&expected))
}
/// Length of a derived secret key (hex).
pub const SECRET_KEY_LEN: usize = 40;

/// What the store keeps per access key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRecord {
    pub project_id: String,
    pub created_ms: u64,
}

/// What `POST /admin/v1/projects/{project_id}/credentials` answers, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedCredential {
    pub access_key: String,
    pub secret_key: String,
    pub project_id: String,
}

/// An access key as the admin list shows it: never its secret key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialSummary {
    pub access_key: String,
    pub project_id: String,
    /// When it was issued (Heat's time format).
    pub creation_time: String,
    #[serde(skip)]
    pub created_ms: u64,
}

/// True for a string of a form access keys were issued in (sealed or not). Anything else is
/// refused before any storage read: it can name no key, and as a KV key it could pass KV's
/// 512-byte key limit.
pub fn is_access_key(s: &str) -> bool {
    KeyForm::of(s) != KeyForm::Other
}

/// The store key of an access key's record.
pub use crate::keys::credential as credential_key;

/// The secret key of `access_key` under the master key.
pub fn derive_secret(master_key: &str, access_key: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(master_key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(access_key.as_bytes());
            let mut hex = hex::encode(mac.finalize().into_bytes());
            hex.truncate(SECRET_KEY_LEN);
            hex
        }
        // HMAC takes keys of any length.
        Err(_) => String::new(),
    }
}

fn master(key: Option<&str>) -> Result<&str, ApiError> {
    key.filter(|k| !k.is_empty()).ok_or_else(|| {
        ApiError::Forbidden(
            "AK/SK credentials are disabled: the CREDENTIALS_KEY secret is not set".into(),
        )
    })
}

/// Issues an access key for `project_id` and returns it with its secret key.
pub async fn issue<S: Store + ?Sized>(
    store: &S,
    project_id: &str,
    master_key: Option<&str>,
    now_ms: u64,
) -> Result<IssuedCredential, ApiError> {
    let master_key = master(master_key)?;
    let random = crate::ids::issue(|| crate::ids::random_base32(SEALED_BODY - 1))?;
    let mut key = vec![SEALED_MARK];
    key.extend_from_slice(random.as_bytes());
    let sealed = seal(master_key, &key);
    key.extend_from_slice(&sealed);
    let access_key = String::from_utf8(key).map_err(|e| StoreError::Backend(e.to_string()))?;
    let record = CredentialRecord {
        project_id: project_id.to_owned(),
        created_ms: now_ms,
    };
    let text = serde_json::to_string(&record).map_err(|e| StoreError::Backend(e.to_string()))?;
    let metadata = serde_json::json!({ "p": project_id, "ms": now_ms });
    store
        .put(&credential_key(&access_key), &text, Some(&metadata))
        .await?;
    Ok(IssuedCredential {
        secret_key: derive_secret(master_key, &access_key),
        access_key,
        project_id: project_id.to_owned(),
    })
}

async fn record<S: Store + ?Sized>(
    store: &S,
    access_key: &str,
) -> Result<Option<CredentialRecord>, ApiError> {
    let key = credential_key(access_key);
    match store.get(&key).await? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            StoreError::Corrupt {
                key,
                reason: e.to_string(),
            }
            .into()
        }),
    }
}

/// A project's access keys, newest first, without secrets. Access keys are not stored per project,
/// so this lists every `cred/` key (one `list` per 1,000 credentials of the service) and keeps the
/// project's by their metadata; a record written before it carried metadata is read (one bulk
/// read per 100 such records).
pub async fn list<S: Store + ?Sized>(
    store: &S,
    project_id: &str,
) -> Result<Vec<CredentialSummary>, ApiError> {
    let prefix = credential_key("");
    let mut out = Vec::new();
    let mut legacy = Vec::new();
    for key in crate::store::list_all(store, &prefix).await? {
        let access_key = key.name[prefix.len()..].to_owned();
        match key
            .metadata
            .as_ref()
            .and_then(|m| m.parse::<serde_json::Value>())
            .map(|m| (m["p"].as_str().map(str::to_owned), m["ms"].as_u64()))
        {
            Some((Some(p), Some(ms))) => {
                if p == project_id {
                    out.push(summary(access_key, project_id, ms));
                }
            }
            _ => legacy.push((key.name, access_key)),
        }
    }
    let keys: Vec<String> = legacy.iter().map(|(k, _)| k.clone()).collect();
    let records = crate::store::get_all(store, &keys).await?;
    for ((_, access_key), text) in legacy.into_iter().zip(records) {
        let record = text.and_then(|t| serde_json::from_str::<CredentialRecord>(&t).ok());
        if let Some(r) = record.filter(|r| r.project_id == project_id) {
            out.push(summary(access_key, project_id, r.created_ms));
        }
    }
    out.sort_by(|a, b| {
        b.created_ms
            .cmp(&a.created_ms)
            .then(a.access_key.cmp(&b.access_key))
    });
    Ok(out)
}

fn summary(access_key: String, project_id: &str, ms: u64) -> CredentialSummary {
    CredentialSummary {
        access_key,
        project_id: project_id.to_owned(),
        creation_time: crate::clock::heat_time(ms),
        created_ms: ms,
    }
}

/// Revokes an access key of `project_id`; 404 when the project has no such key.
pub async fn revoke<S: Store + ?Sized>(
    store: &S,
    project_id: &str,
    access_key: &str,
) -> Result<(), ApiError> {
    let found = if is_access_key(access_key) {
        record(store, access_key).await?
    } else {
        None
    };
    match found {
        Some(r) if r.project_id == project_id => {
            store.delete(&credential_key(access_key)).await?;
            Ok(())
        }
        _ => Err(ApiError::NotFound(format!(
            "Access key {access_key} not found in project {project_id}"
        ))),
    }
}

/// The parts of a request that SDK-HMAC-SHA256 signs, as received.
pub fn signable(req: &Request) -> SignableRequest<'_> {
    SignableRequest {
        method: &req.method,
        path: &req.path,
        query: &req.query,
        headers: &req.headers,
        body: &req.body,
    }
}

/// True when the request carries an `SDK-HMAC-SHA256` Authorization header.
pub fn is_signed(req: &Request) -> bool {
    req.header_value("authorization")
        .is_some_and(|v| v.trim_start().starts_with(signing::ALGORITHM))
}

/// Which access keys a signed request may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsealed {
    /// Keys issued before keys were sealed are looked up (a KV read for one not seen lately).
    Accept,
    /// Only sealed keys: no key is ever looked up before its seal is checked.
    Refuse,
}

/// The project of a signed request's access key, or 401 (`Invalid`, or `Expired` for a date
/// more than `max_skew_secs` off).
pub async fn authenticate<S: Store + ?Sized>(
    store: &S,
    req: &Request,
    master_key: Option<&str>,
    unsealed: Unsealed,
    now_ms: u64,
    max_skew_secs: i64,
) -> Result<String, ApiError> {
    let invalid = ApiError::Unauthenticated(AuthFailure::Invalid);
    let header = req
        .header_value("authorization")
        .ok_or(ApiError::Unauthenticated(AuthFailure::Missing))?;
    let auth = signing::parse_authorization(header)
        .map_err(|_| ApiError::Unauthenticated(AuthFailure::Invalid))?;
    let master = master_key.unwrap_or("");
    // Every key costs one seal check, one derivation and one verification, and gets the same
    // answer; only a key that could have been issued is looked up.
    let sealed = sealed_by(master, &auth.access_key);
    let look_up = match KeyForm::of(&auth.access_key) {
        KeyForm::Sealed => sealed,
        KeyForm::Unsealed => unsealed == Unsealed::Accept,
        KeyForm::Other => false,
    };
    let found = if look_up {
        record(store, &auth.access_key).await?
    } else {
        None
    };
    let secret = derive_secret(master, &auth.access_key);
    let signable = signable(req);
    let now_unix = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    let verdict = signing::verify(&signable, secret.as_bytes(), &auth, now_unix, max_skew_secs);
    match (verdict, found) {
        _ if !is_access_key(&auth.access_key) => Err(invalid),
        (Err(SigningError::DateSkew), _) => Err(ApiError::Unauthenticated(AuthFailure::Expired)),
        (Ok(()), Some(r)) if !master.is_empty() => Ok(r.project_id),
        _ => Err(invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::{format_sdk_date, sign, DEFAULT_MAX_SKEW_SECS};
    use crate::store::MemoryStore;
    use futures::executor::block_on;
    use serde_json::json;

    const P: &str = "0123456789abcdef0123456789abcdef";
    const MASTER: &str = "master-key";
    const NOW_MS: u64 = 1_700_000_000_000;

    fn signed(ak: &str, sk: &str, date_unix: i64, body: &str) -> Request {
        let date = format_sdk_date(date_unix);
        let mut req = Request::new("POST", "/v1/applications/list?x=a%20b")
            .header("host", "127.0.0.1:8787")
            .header("content-type", "application/json")
            .header("x-project-id", P)
            .header("x-sdk-date", &date)
            .raw_body(body.as_bytes().to_vec());
        let names: Vec<String> = ["content-type", "host", "x-project-id", "x-sdk-date"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let signable = signable(&req);
        let value = sign(&signable, ak, sk.as_bytes(), &date, &names);
        req.headers.push(("authorization".into(), value));
        req
    }

    fn auth(store: &MemoryStore, req: &Request) -> Result<String, ApiError> {
        block_on(authenticate(
            store,
            req,
            Some(MASTER),
            Unsealed::Accept,
            NOW_MS,
            DEFAULT_MAX_SKEW_SECS,
        ))
    }

    /// An access key as issued before keys were sealed: its record, and its secret key.
    fn issued_unsealed(store: &MemoryStore, access_key: &str) -> String {
        let record = json!({"project_id": P, "created_ms": 1});
        let meta = json!({"p": P, "ms": 1});
        block_on(store.put(
            &credential_key(access_key),
            &record.to_string(),
            Some(&meta),
        ))
        .unwrap();
        derive_secret(MASTER, access_key)
    }

    fn failure(r: Result<String, ApiError>) -> AuthFailure {
        match r {
            Err(ApiError::Unauthenticated(f)) => f,
            other => panic!("expected a 401, got {other:?}"),
        }
    }

    #[test]
    fn an_issued_key_signs_requests_for_its_project_and_nothing_secret_is_stored() {
        let store = MemoryStore::new();
        let issued = block_on(issue(&store, P, Some(MASTER), NOW_MS)).unwrap();
        assert_eq!(issued.access_key.len(), ACCESS_KEY_LEN);
        assert_eq!(issued.secret_key.len(), SECRET_KEY_LEN);
        for (k, v) in store.snapshot() {
            assert!(!k.contains(&issued.secret_key) && !v.contains(&issued.secret_key));
        }
        let req = signed(&issued.access_key, &issued.secret_key, 1_700_000_000, "{}");
        assert_eq!(auth(&store, &req).unwrap(), P);
    }

    #[test]
    fn tampering_wrong_keys_and_revocation_are_all_invalid() {
        let store = MemoryStore::new();
        let issued = block_on(issue(&store, P, Some(MASTER), NOW_MS)).unwrap();
        let good = signed(&issued.access_key, &issued.secret_key, 1_700_000_000, "{}");
        let mut body = good.clone();
        body.body = b"{ }".to_vec();
        let mut query = good.clone();
        query.query = "x=a%20c".into();
        let mut path = good.clone();
        path.path = "/v1/applications/lisT".into();
        let mut method = good.clone();
        method.method = "PUT".into();
        let mut header = good.clone();
        header.headers[2].1 = "f".repeat(32);
        let wrong_sk = signed(&issued.access_key, &"0".repeat(40), 1_700_000_000, "{}");
        let unknown = signed("NOSUCHKEY", &issued.secret_key, 1_700_000_000, "{}");
        for req in [&body, &query, &path, &method, &header, &wrong_sk, &unknown] {
            assert_eq!(failure(auth(&store, req)), AuthFailure::Invalid);
        }
        block_on(revoke(&store, P, &issued.access_key)).unwrap();
        assert_eq!(failure(auth(&store, &good)), AuthFailure::Invalid);
        assert_eq!(
            block_on(revoke(&store, P, &issued.access_key))
                .unwrap_err()
                .status(),
            404
        );
    }

    #[test]
    fn issued_keys_are_sealed_in_huaweis_alphabet_and_a_forged_one_is_refused_unread() {
        let store = MemoryStore::new();
        let issued = block_on(issue(&store, P, Some(MASTER), NOW_MS)).unwrap();
        let ak = &issued.access_key;
        assert_eq!(KeyForm::of(ak), KeyForm::Sealed);
        assert!(ak
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert!(sealed_by(MASTER, ak));
        assert!(!sealed_by("another master", ak));
        let counted = crate::store::CountingStore::new(&store);
        let auth_counted = |req: &Request| {
            block_on(authenticate(
                &counted,
                req,
                Some(MASTER),
                Unsealed::Accept,
                NOW_MS,
                DEFAULT_MAX_SKEW_SECS,
            ))
        };
        // Forged keys of the issued form: one character of the random part or of the seal changed.
        for at in [5, 15] {
            let mut forged = ak.clone().into_bytes();
            forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
            let forged = String::from_utf8(forged).unwrap();
            assert_eq!(KeyForm::of(&forged), KeyForm::Sealed);
            let req = signed(
                &forged,
                &derive_secret(MASTER, &forged),
                1_700_000_000,
                "{}",
            );
            assert_eq!(failure(auth_counted(&req)), AuthFailure::Invalid);
        }
        assert_eq!(
            counted.ops(),
            0,
            "a key without its seal is never looked up"
        );
        let good = signed(ak, &issued.secret_key, 1_700_000_000, "{}");
        assert_eq!(auth_counted(&good).unwrap(), P);
        assert_eq!(counted.ops(), 1);
    }

    #[test]
    fn keys_issued_before_keys_were_sealed_still_work_unless_refused() {
        let store = MemoryStore::new();
        let old = "0123456789ABCDEF0123";
        assert_eq!(KeyForm::of(old), KeyForm::Unsealed);
        let secret = issued_unsealed(&store, old);
        let req = signed(old, &secret, 1_700_000_000, "{}");
        assert_eq!(auth(&store, &req).unwrap(), P);
        let counted = crate::store::CountingStore::new(&store);
        let refused = block_on(authenticate(
            &counted,
            &req,
            Some(MASTER),
            Unsealed::Refuse,
            NOW_MS,
            DEFAULT_MAX_SKEW_SECS,
        ));
        assert_eq!(failure(refused), AuthFailure::Invalid);
        assert_eq!(counted.ops(), 0, "refused without a lookup");
        // Listed and revoked like any other.
        assert_eq!(block_on(list(&store, P)).unwrap()[0].access_key, old);
        block_on(revoke(&store, P, old)).unwrap();
        assert_eq!(failure(auth(&store, &req)), AuthFailure::Invalid);
    }

    #[test]
    fn a_date_more_than_15_minutes_off_is_expired() {
        let store = MemoryStore::new();
        let issued = block_on(issue(&store, P, Some(MASTER), NOW_MS)).unwrap();
        let ok = signed(
            &issued.access_key,
            &issued.secret_key,
            1_700_000_000 - 899,
            "{}",
        );
        assert!(auth(&store, &ok).is_ok());
        for off in [-901, 901] {
            let req = signed(
                &issued.access_key,
                &issued.secret_key,
                1_700_000_000 + off,
                "{}",
            );
            assert_eq!(failure(auth(&store, &req)), AuthFailure::Expired);
        }
        let unknown = signed("0123456789ABCDEF0123", "x", 1_700_000_000 + 901, "{}");
        assert_eq!(failure(auth(&store, &unknown)), AuthFailure::Expired);
    }

    #[test]
    fn a_malformed_access_key_is_invalid_before_any_storage_read_whatever_its_date() {
        let store = MemoryStore::new();
        let counted = crate::store::CountingStore::new(&store);
        let over_long = "%2F".repeat(170);
        for (ak, date) in [
            ("NOSUCHKEY", 1_700_000_000),
            (over_long.as_str(), 1_700_000_000 - 5_000),
            ("0123456789abcdef0123", 1_700_000_000),
        ] {
            let req = signed(ak, "x", date, "{}");
            let got = block_on(authenticate(
                &counted,
                &req,
                Some(MASTER),
                Unsealed::Accept,
                NOW_MS,
                DEFAULT_MAX_SKEW_SECS,
            ));
            assert_eq!(failure(got), AuthFailure::Invalid, "{ak}");
        }
        assert_eq!(counted.ops(), 0);
        let revoked = block_on(revoke(&counted, P, &over_long));
        assert_eq!(revoked.unwrap_err().status(), 404);
        assert_eq!(counted.ops(), 0);
    }

    #[test]
    fn another_projects_key_cannot_be_revoked_and_a_missing_master_key_disables_issuing() {
        let store = MemoryStore::new();
        let issued = block_on(issue(&store, P, Some(MASTER), NOW_MS)).unwrap();
        let other = "f".repeat(32);
        assert_eq!(
            block_on(revoke(&store, &other, &issued.access_key))
                .unwrap_err()
                .status(),
            404
        );
        assert_eq!(
            block_on(issue(&store, P, None, NOW_MS))
                .unwrap_err()
                .status(),
            403
        );
        let req = signed(&issued.access_key, &issued.secret_key, 1_700_000_000, "{}");
        assert_eq!(
            failure(block_on(authenticate(
                &store,
                &req,
                None,
                Unsealed::Accept,
                NOW_MS,
                900
            ))),
            AuthFailure::Invalid
        );
    }

    #[test]
    fn a_projects_access_keys_are_listed_newest_first_without_secrets_old_records_too() {
        let store = MemoryStore::new();
        let first = block_on(issue(&store, P, Some(MASTER), 1_000)).unwrap();
        let second = block_on(issue(&store, P, Some(MASTER), 2_000)).unwrap();
        let other = block_on(issue(&store, &"f".repeat(32), Some(MASTER), 3_000)).unwrap();
        // A record as written before it carried metadata.
        let key = credential_key(&first.access_key);
        let text = block_on(store.get(&key)).unwrap().unwrap();
        block_on(store.put(&key, &text, None)).unwrap();
        let listed = block_on(list(&store, P)).unwrap();
        let keys: Vec<&str> = listed.iter().map(|c| c.access_key.as_str()).collect();
        assert_eq!(
            keys,
            [second.access_key.as_str(), first.access_key.as_str()]
        );
        assert_eq!(listed[1].creation_time, crate::clock::heat_time(1_000));
        let json = serde_json::to_string(&listed).unwrap();
        assert!(!json.contains(&first.secret_key) && !json.contains(&other.access_key));
        block_on(revoke(&store, P, &second.access_key)).unwrap();
        assert_eq!(block_on(list(&store, P)).unwrap().len(), 1);
    }

    #[test]
    fn malformed_authorization_is_invalid() {
        let store = MemoryStore::new();
        let req = Request::new("GET", "/v1/applications/exist")
            .header("authorization", "SDK-HMAC-SHA256 Access=x");
        assert_eq!(failure(auth(&store, &req)), AuthFailure::Invalid);
    }
}

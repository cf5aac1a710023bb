//! Agent URLs are capabilities, stored nowhere. A metadata URL is
//! `{origin}/agent/v1/{project_id}/{server_ref}/{secret}` where `secret` is
//! `base64url(HMAC-SHA256(CREDENTIALS_KEY, project, server_ref, epoch))`, and `epoch` is a random
//! value in the server record, replaced on revocation. A signal URL is the metadata URL plus
//! `/signal/{derived_id}`. Checking one is one HMAC and a constant-time comparison; an unknown
//! server costs the same HMAC, and unknown, revoked and wrong URLs get the same 404.

use crate::error::ApiError;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Length of a server reference in keys and URLs (hex digits).
const SERVER_REF_LEN: usize = 32;
/// Length of a URL secret (base64url of a 32-byte HMAC, unpadded).
const SECRET_LEN: usize = 43;

/// The 32-hex-digit reference of a server id used in keys and URLs: any server id makes a short,
/// safe key.
pub fn server_ref(server_id: &str) -> String {
    let mut hex = hex::encode(Sha256::digest(server_id.as_bytes()));
    hex.truncate(SERVER_REF_LEN);
    hex
}

/// True for a string that can be a server reference (never read from the store otherwise).
pub fn is_server_ref(s: &str) -> bool {
    s.len() == SERVER_REF_LEN
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The same 404 for every URL that is not a current one.
pub fn no_such_url() -> ApiError {
    ApiError::NotFound("No agent URL here (unknown or revoked)".into())
}

/// The URL secret of a project's server for an epoch.
fn secret(key: &str, project: &str, server_ref: &str, epoch: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length.
        Err(_) => return String::new(),
    };
    for part in ["deploy-edge agent", project, server_ref, epoch] {
        mac.update(part.as_bytes());
        mac.update(b"\n");
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The metadata URL of a server for its current epoch (`None` without a key or an epoch).
pub fn metadata_url(
    key: Option<&str>,
    origin: &str,
    project: &str,
    server_id: &str,
    epoch: Option<&str>,
) -> Option<String> {
    let (key, epoch) = (key?, epoch?);
    let server_ref = server_ref(server_id);
    let secret = secret(key, project, &server_ref, epoch);
    Some(format!("{origin}/agent/v1/{project}/{server_ref}/{secret}"))
}

/// True when an arrived URL's parts have the shapes issued URLs have (checked before any read).
pub fn well_formed(project: &str, server_ref: &str, secret: &str) -> bool {
    crate::auth::is_project_id(project) && is_server_ref(server_ref) && secret.len() == SECRET_LEN
}

/// True when `given` is the secret for `epoch`, compared in constant time. Called with a
/// stand-in epoch for unknown and revoked servers, so every URL costs the same HMAC.
pub fn secret_matches(
    key: &str,
    project: &str,
    server_ref: &str,
    epoch: &str,
    given: &str,
) -> bool {
    let expected = secret(key, project, server_ref, epoch);
    expected.as_bytes().ct_eq(given.as_bytes()).into()
}

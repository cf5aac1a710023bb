//! When a server's agent last polled: recorded in its project's object (`p/{project}/seen/{server_ref}`,
//! never published), sent there off the poll's path about once per [`CONTACT_RESOLUTION_MS`].

use super::capability::is_server_ref;
use crate::error::ApiError;
use crate::http::After;
use crate::keys::ProjectKeys;
use crate::service::decode;
use crate::store::{ReadCache, Store};
use serde_json::{json, Value};

/// How often agents are told to poll (seconds).
pub const POLLING_INTERVAL_S: u64 = 30;
/// A server's last poll is sent to its project's object about once per this period (10 minutes;
/// see [`contact_due`]), so a fleet polling every 30 s costs about one Durable Object request and
/// one SQLite row per server per 10 minutes, not one per poll.
pub const CONTACT_RESOLUTION_MS: u64 = 10 * 60 * 1000;

/// True when `now_ms` falls in the server's contact slot: the polling interval starting at a phase
/// of [`CONTACT_RESOLUTION_MS`] drawn from its reference.
fn in_contact_slot(server_ref: &str, now_ms: u64) -> bool {
    let phase = contact_phase(server_ref);
    (now_ms + CONTACT_RESOLUTION_MS - phase) % CONTACT_RESOLUTION_MS < POLLING_INTERVAL_S * 1000
}

/// Where in each period a server's contact slot starts.
pub fn contact_phase(server_ref: &str) -> u64 {
    u64::from_str_radix(server_ref.get(..8).unwrap_or("0"), 16).unwrap_or(0) % CONTACT_RESOLUTION_MS
}

/// The contact to send the server's object, when one is due: in the server's own slot of each
/// [`CONTACT_RESOLUTION_MS`] (a window one polling interval wide at a phase drawn from its
/// reference, so a server polling every 30 s is recorded about once per period whichever
/// isolates serve it), and on the first poll an isolate sees of it (so a new agent shows at
/// once). The first rule needs no memory, so a fleet of any size stays within it; the second is
/// bounded by the isolate's memory (`isolate`; `None`: every poll is a first), and skipped once
/// that is full.
pub fn contact_due(
    isolate: Option<&ReadCache>,
    project: &str,
    sref: &str,
    now_ms: u64,
) -> Option<After> {
    let key = ProjectKeys::new(project).contact(sref);
    let first_here = isolate.is_none_or(|cache| cache.note_if_due(&key, now_ms, u64::MAX));
    (first_here || in_contact_slot(sref, now_ms)).then(|| After::Contact {
        project: project.to_owned(),
        server_ref: sref.to_owned(),
        ms: now_ms,
    })
}

/// When a server's agent last polled, as its object recorded it.
pub async fn last_contact_ms<S: Store + ?Sized>(
    store: &S,
    project: &str,
    sref: &str,
) -> Result<Option<u64>, ApiError> {
    let key = ProjectKeys::new(project).contact(sref);
    Ok(match store.get(&key).await? {
        Some(text) => decode::<Value>(&key, &text)?
            .get("ms")
            .and_then(Value::as_u64),
        None => None,
    })
}

/// Records that a server's agent polled at `ms` (in its project's object): moves the server's
/// contact time forward, never back. A reference that cannot be a server's is ignored.
pub async fn record_contact<S: Store + ?Sized>(
    store: &S,
    project: &str,
    sref: &str,
    ms: u64,
) -> Result<(), ApiError> {
    if !is_server_ref(sref) || last_contact_ms(store, project, sref).await? >= Some(ms) {
        return Ok(());
    }
    let key = ProjectKeys::new(project).contact(sref);
    store
        .put(&key, &json!({ "ms": ms }).to_string(), None)
        .await?;
    Ok(())
}

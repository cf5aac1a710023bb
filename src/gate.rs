//! Serialising the writes that check what is stored, one scope (a project) at a time.
//!
//! Workers KV has no transactions: two writers that read, check and write can both pass their
//! check. A checked write (see [`crate::operations::Operation::is_checked_write`]) therefore runs
//! through a [`WriteGate`], which lets one write of a scope run at a time. On Cloudflare the gate
//! sends the write to the scope's Durable Object, whose [`LocalGate`] runs the writes it receives
//! one after another (`src/cloudflare/writes.rs`); natively a [`LocalGate`] does the same in
//! process. Reads never pass the gate.

use crate::error::ApiError;
use crate::http::{Request, Response};
use async_trait::async_trait;
use futures::future::LocalBoxFuture;
use futures::lock::Mutex;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// Runs checked writes so that no two of one scope interleave.
#[async_trait(?Send)]
pub trait WriteGate {
    /// Answers a checked write of `scope`: runs `write` with no other write of the scope in
    /// progress, or has the request answered where that holds (and then drops `write` unpolled).
    /// An error means the write could not be run at all (nothing was written): a 5xx to retry.
    async fn serialise<'a>(
        &self,
        scope: &str,
        req: &Request,
        write: LocalBoxFuture<'a, Response>,
    ) -> Result<Response, ApiError>;
}

/// A per-scope lock in this process: the writes of a scope run one after another, in the order
/// they arrived.
#[derive(Default)]
pub struct LocalGate {
    locks: RefCell<HashMap<String, Rc<Mutex<()>>>>,
}

impl LocalGate {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock_of(&self, scope: &str) -> Rc<Mutex<()>> {
        self.locks
            .borrow_mut()
            .entry(scope.to_owned())
            .or_default()
            .clone()
    }
}

#[async_trait(?Send)]
impl WriteGate for LocalGate {
    async fn serialise<'a>(
        &self,
        scope: &str,
        _req: &Request,
        write: LocalBoxFuture<'a, Response>,
    ) -> Result<Response, ApiError> {
        let lock = self.lock_of(scope);
        let _turn = lock.lock().await;
        Ok(write.await)
    }
}

/// The gate [`crate::api::Settings`] carries.
#[derive(Clone)]
pub struct Gate(pub Rc<dyn WriteGate>);

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Gate")
    }
}

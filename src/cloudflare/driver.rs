//! Runs the core's answer to a request with `worker.js` awaiting the platform for it: a poll
//! that stops at a platform promise ([`Awaited`]) hands that promise out with a ticket, and
//! `worker.js` awaits it and gives the outcome back ([`resume`]), which polls again. No
//! wasm-bindgen-futures task, closure or microtask is made for a request on this path; a KV read
//! costs one `await` in JavaScript and one call into the wasm.
//!
//! The core's handlers await one thing at a time, so at most one promise is outstanding per
//! request. An answer that waits on anything else (in a project's object: its turn at the lock,
//! or a store write another request is making) is handed to wasm-bindgen-futures from then on
//! (`future_to_promise`, which polls it again with a real waker), where an [`Awaited`] becomes a
//! `JsFuture`.

use js_sys::Promise;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// An answer being made: its value crosses to `worker.js` (an [`super::Answer`], a project's id,
/// or whatever else the call answers).
type Answering = Pin<Box<dyn Future<Output = JsValue>>>;

/// How a platform promise settled: its value, or what it was rejected with.
type Outcome = Result<JsValue, JsValue>;

/// Where `worker.js` puts a handed-out promise's outcome, for the [`Awaited`] to take.
type OutcomeSlot = Rc<RefCell<Option<Outcome>>>;

/// An answer stopped at a platform promise.
struct Suspended {
    answering: Answering,
    promise: Option<Promise>,
    outcome: OutcomeSlot,
}

thread_local! {
    /// Answers waiting on a promise `worker.js` awaits, by ticket.
    static SUSPENDED: RefCell<Vec<Option<Suspended>>> = const { RefCell::new(Vec::new()) };
    /// True while this driver polls: an [`Awaited`] then hands its promise out.
    static DRIVING: Cell<bool> = const { Cell::new(false) };
    /// The promise (and where its outcome goes) an [`Awaited`] handed out during this poll.
    static HANDED: RefCell<Option<(Promise, OutcomeSlot)>> = const { RefCell::new(None) };
}

/// A platform promise the core awaits: under this driver, `worker.js` awaits it; under any
/// other executor, it is a `JsFuture`.
pub(super) enum Awaited {
    Fresh(Promise),
    Handed(OutcomeSlot),
    Js(JsFuture),
}

impl Awaited {
    pub(super) fn new(promise: Promise) -> Self {
        Awaited::Fresh(promise)
    }
}

impl Future for Awaited {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let this = &mut *self;
        loop {
            match this {
                Awaited::Fresh(promise) => {
                    // One promise out per poll (the core awaits one at a time; any other is a
                    // JsFuture, and the answer goes to wasm-bindgen-futures if it is left waiting).
                    if DRIVING.get() && HANDED.with_borrow(Option::is_none) {
                        let outcome = Rc::new(RefCell::new(None));
                        HANDED.replace(Some((promise.clone(), outcome.clone())));
                        *this = Awaited::Handed(outcome);
                        return Poll::Pending;
                    }
                    *this = Awaited::Js(JsFuture::from(promise.clone()));
                }
                Awaited::Handed(outcome) => {
                    return match outcome.borrow_mut().take() {
                        Some(done) => Poll::Ready(done),
                        None => Poll::Pending,
                    };
                }
                Awaited::Js(future) => return Pin::new(future).poll(cx),
            }
        }
    }
}

/// Polls `answering` once under this driver: its [`Answer`]; or, stopped at a platform promise,
/// its ticket (a number: `worker.js` awaits [`awaited`] and calls [`resume`]); or, waiting on
/// anything else, a promise of its answer.
pub(super) fn drive(mut answering: Answering) -> JsValue {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    DRIVING.set(true);
    let polled = answering.as_mut().poll(&mut cx);
    DRIVING.set(false);
    let handed = HANDED.take();
    match (polled, handed) {
        (Poll::Ready(answer), _) => answer,
        (Poll::Pending, Some((promise, outcome))) => {
            let suspended = Suspended {
                answering,
                promise: Some(promise),
                outcome,
            };
            SUSPENDED.with_borrow_mut(|all| {
                let ticket = match all.iter().position(Option::is_none) {
                    Some(free) => {
                        all[free] = Some(suspended);
                        free
                    }
                    None => {
                        all.push(Some(suspended));
                        all.len() - 1
                    }
                };
                JsValue::from(ticket as u32)
            })
        }
        (Poll::Pending, None) => {
            wasm_bindgen_futures::future_to_promise(async move { Ok(answering.await) }).into()
        }
    }
}

/// The promise the answer with this ticket waits on (once; undefined for an unknown ticket).
#[wasm_bindgen]
pub fn awaited(ticket: u32) -> Option<Promise> {
    SUSPENDED.with_borrow_mut(|all| {
        all.get_mut(ticket as usize)
            .and_then(Option::as_mut)
            .and_then(|s| s.promise.take())
    })
}

/// Gives the answer with this ticket the outcome of its promise (`value`, or the rejection when
/// `rejected`) and polls it again: as [`drive`] answers. Undefined for an unknown ticket (the
/// instance was reset since: `worker.js` answers it as a trap).
#[wasm_bindgen]
pub fn resume(ticket: u32, value: JsValue, rejected: bool) -> JsValue {
    let Some(suspended) = SUSPENDED.with_borrow_mut(|all| all.get_mut(ticket as usize)?.take())
    else {
        return JsValue::UNDEFINED;
    };
    suspended
        .outcome
        .replace(Some(if rejected { Err(value) } else { Ok(value) }));
    drive(suspended.answering)
}

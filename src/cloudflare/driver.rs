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

/// The driver as `worker.js` runs it (`run`), in Node: `wasm-bindgen-test` in ES-module mode
/// (bindings.js, which the crate imports, is one), `bash scripts/test-worker-driver.sh`. A
/// promise handed out is never awaited here: a test hands its outcome back itself, as
/// `worker.js` does once it settles. Tickets are compared, never expected to have a value: the
/// tests share the instance's table.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_node_experimental);

    /// A promise that never settles: only what a test hands back reaches the answer.
    fn pending() -> Promise {
        Promise::new(&mut |_, _| {})
    }

    /// What an answer stopped at a platform promise gives: its ticket.
    fn ticket(driven: &JsValue) -> u32 {
        let number = driven
            .as_f64()
            .unwrap_or_else(|| panic!("not a ticket: {driven:?}"));
        assert!(
            number >= 0.0 && number.fract() == 0.0,
            "not a ticket: {number}"
        );
        number as u32
    }

    /// Awaits `promise` through the driver: `ok:<value>` or `err:<reason>`.
    async fn outcome(promise: Promise) -> String {
        match Awaited::new(promise).await {
            Ok(v) => format!("ok:{}", v.as_string().unwrap_or_default()),
            Err(e) => format!("err:{}", e.as_string().unwrap_or_default()),
        }
    }

    fn text(driven: &JsValue) -> String {
        driven
            .as_string()
            .unwrap_or_else(|| panic!("not an answer: {driven:?}"))
    }

    fn same(a: &JsValue, b: &JsValue) -> bool {
        js_sys::Object::is(a, b)
    }

    #[wasm_bindgen_test]
    fn an_answer_that_awaits_nothing_is_answered_at_once() {
        let driven = drive(Box::pin(async {
            // Made but not awaited: nothing is handed out for it.
            let _unused = Awaited::new(pending());
            JsValue::from_str("ready")
        }));
        assert_eq!(text(&driven), "ready");
        assert!(!DRIVING.get());
    }

    #[wasm_bindgen_test]
    fn a_promise_is_handed_out_once_with_a_ticket_and_its_value_resumes_the_answer() {
        let promise = pending();
        let driven = drive(Box::pin({
            let promise = promise.clone();
            async move { JsValue::from_str(&outcome(promise).await) }
        }));
        let t = ticket(&driven);
        assert!(!DRIVING.get());
        let handed = awaited(t).expect("the promise of the ticket");
        assert!(
            same(&handed, &promise),
            "the answer's own promise is handed out"
        );
        assert!(awaited(t).is_none(), "a promise is handed out once");
        assert_eq!(text(&resume(t, JsValue::from_str("v"), false)), "ok:v");
        assert!(
            resume(t, JsValue::from_str("again"), false).is_undefined(),
            "a ticket is spent"
        );
    }

    #[wasm_bindgen_test]
    fn a_rejection_reaches_the_answer_as_an_error() {
        let driven = drive(Box::pin(async {
            JsValue::from_str(&outcome(pending()).await)
        }));
        let t = ticket(&driven);
        assert!(awaited(t).is_some());
        assert_eq!(
            text(&resume(t, JsValue::from_str("refused"), true)),
            "err:refused"
        );
    }

    #[wasm_bindgen_test]
    fn promises_awaited_in_sequence_are_handed_out_one_after_the_other() {
        let (first, second) = (pending(), pending());
        let driven = drive(Box::pin({
            let (first, second) = (first.clone(), second.clone());
            async move {
                let a = outcome(first).await;
                let b = outcome(second).await;
                JsValue::from_str(&format!("{a} {b}"))
            }
        }));
        let t1 = ticket(&driven);
        assert!(same(&awaited(t1).unwrap(), &first));
        let driven = resume(t1, JsValue::from_str("1"), false);
        let t2 = ticket(&driven);
        assert!(
            same(&awaited(t2).unwrap(), &second),
            "the second promise, once the first settled"
        );
        assert_eq!(
            text(&resume(t2, JsValue::from_str("2"), true)),
            "ok:1 err:2"
        );
    }

    #[wasm_bindgen_test]
    fn answers_waiting_at_once_have_their_own_tickets_and_resume_in_any_order() {
        let (p, q) = (pending(), pending());
        let one = ticket(&drive(Box::pin({
            let p = p.clone();
            async move { JsValue::from_str(&format!("one {}", outcome(p).await)) }
        })));
        let two = ticket(&drive(Box::pin({
            let q = q.clone();
            async move { JsValue::from_str(&format!("two {}", outcome(q).await)) }
        })));
        assert_ne!(one, two);
        assert!(same(&awaited(two).unwrap(), &q));
        assert!(same(&awaited(one).unwrap(), &p));
        assert_eq!(
            text(&resume(two, JsValue::from_str("b"), false)),
            "two ok:b"
        );
        assert_eq!(
            text(&resume(one, JsValue::from_str("a"), false)),
            "one ok:a"
        );
    }

    /// Two promises awaited together in one poll: one is handed out; the other is a `JsFuture`,
    /// and the answer, still waiting on it when resumed, goes on under wasm-bindgen-futures (a
    /// promise of the answer), where a promise awaited later is a `JsFuture` too.
    #[wasm_bindgen_test]
    async fn two_promises_in_one_poll_move_the_answer_to_wasm_bindgen_futures() {
        let first = pending();
        let second = Promise::resolve(&JsValue::from_str("2"));
        let driven = drive(Box::pin({
            let first = first.clone();
            async move {
                let (a, b) = futures::join!(outcome(first), outcome(second));
                let c = outcome(Promise::resolve(&JsValue::from_str("3"))).await;
                JsValue::from_str(&format!("{a} {b} {c}"))
            }
        }));
        let t = ticket(&driven);
        assert!(
            same(&awaited(t).unwrap(), &first),
            "the first promise polled is handed out"
        );
        let driven = resume(t, JsValue::from_str("1"), false);
        let promise = driven
            .dyn_into::<Promise>()
            .expect("a promise of the answer, not a ticket");
        let answer = JsFuture::from(promise).await.expect("the answer");
        assert_eq!(text(&answer), "ok:1 ok:2 ok:3");
    }

    /// What `worker.js` relies on after a reset (`__wbg_reset_state`): the new instance's table
    /// is empty, so a ticket of the old one resumes nothing and its promise is not handed out
    /// (`run` does not even ask: the new instance may have given the number to another answer,
    /// see tests/js/worker.test.mjs).
    #[wasm_bindgen_test]
    fn a_ticket_the_instance_never_gave_resumes_nothing() {
        let unknown = 1_000_000;
        assert!(awaited(unknown).is_none());
        assert!(resume(unknown, JsValue::from_str("v"), false).is_undefined());
    }
}

#![doc = "deploy-edge: the Heat/RTS software-configuration API and the CodeArts Deploy application API on Cloudflare Workers KV, with the same validation compiled to an npm package."]
//!
//! Layout: a pure core ([`validate`], [`domain`], [`service`], [`store`], [`api`]) that builds and
//! tests natively, and two thin edges: `cloudflare` (the Worker, feature `worker`) and `wasm`
//! (the npm package, feature `wasm`).

pub mod api;
pub mod auth;
pub mod clock;
pub mod credentials;
pub mod domain;
pub mod error;
pub mod http;
pub mod ids;
pub mod operations;
pub mod payload;
pub mod rules;
pub mod service;
pub mod signing;
pub mod store;
pub mod validate;

#[cfg(feature = "worker")]
mod cloudflare;

#[cfg(feature = "wasm")]
mod wasm;

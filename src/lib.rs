#![doc = "deploy-edge: the Heat/RTS software-configuration API and the CodeArts Deploy application API on Cloudflare Workers KV, with the same validation compiled to an npm package."]
//!
//! Layout: a pure core (`validate`, `domain`, `service`, [`store`], [`api`], with every operation
//! in [`operations`]) that builds and tests natively, and two thin edges: `cloudflare` (the
//! Worker, feature `worker`) and `wasm` (the npm package, feature `wasm`).
//!
//! The public surface is what an embedder or a test needs: [`api::handle`] over a [`store::Store`]
//! and a [`clock::Clock`], the [`http`] values, the request kinds ([`payload`], [`operations`]),
//! validation reports ([`validate`]) and AK/SK signing ([`signing`]).

pub mod api;
pub(crate) mod auth;
pub mod clock;
pub(crate) mod credentials;
pub(crate) mod domain;
pub(crate) mod error;
pub mod http;
pub(crate) mod ids;
pub mod keys;
pub mod object;
pub mod operations;
pub mod payload;
pub mod rules;
pub(crate) mod service;
pub mod signing;
pub mod sql;
pub mod store;
pub mod validate;

#[cfg(feature = "worker")]
mod cloudflare;

#[cfg(feature = "wasm")]
mod wasm;

//! The npm package's wasm-bindgen API (issue 4).

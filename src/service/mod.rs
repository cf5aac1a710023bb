//! Service logic over a [`Store`](crate::store::Store): what each API operation reads and writes,
//! and in which order. HTTP-free; errors are [`ApiError`](crate::error::ApiError)s.

pub mod codearts;
pub mod heat;

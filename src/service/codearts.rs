//! CodeArts Deploy applications on a key-value store (issue 3).

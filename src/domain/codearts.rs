//! CodeArts Deploy applications (issue 3).

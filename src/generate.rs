//! Example-site generator (work in progress).

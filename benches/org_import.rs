//! Benchmark of the org chart import (being written).
fn main() {}

//! Cross-department coordination (全方位协调机制): requests filed on a
//! ticket to one or more departments, their same-day answers, settlement.
//! The morning digest, the weekly meeting and the HTTP API build on this.

pub mod digest;
pub mod entity;
pub mod meeting;
pub mod service;

pub use service::{
    Answer, NewRequest, RequestView, TargetView, answer, answer_by, file, open_for_department,
    withdraw,
};

/// Why a coordination operation failed: the service error every room shares.
pub use crate::error::ServiceError;

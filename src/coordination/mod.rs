//! Cross-department coordination (全方位协调机制): requests filed on a
//! ticket to one or more departments, their same-day answers, settlement.
//! The morning digest, the weekly meeting and the HTTP API build on this.

pub mod commands;
pub mod digest;
pub mod entity;
pub mod forms;
pub mod meeting;
pub mod rules;
pub mod settings;
pub mod views;

pub use commands::{NewRequest, answer, file, withdraw};
pub use rules::{Answer, Attachment, answer_by, check_attachments, is_overdue, overdue_at};
pub use views::{
    RequestView, TargetView, by_department, by_ticket, find, open_for_department, view,
};

/// Why a coordination operation failed: the service error every room shares.
pub use crate::error::ServiceError;

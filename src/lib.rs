//! yekuo (业扩): large-customer connection work orders to deadline.
//!
//! Rooms (see ../shared/DESIGN.md): `calendar` and `sla` are pure; `tickets`
//! holds the domain, persistence and service functions; `http` is thin.

#[macro_use]
mod named;

pub mod app;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod clock;
pub mod config;
pub mod coordination;
pub mod db;
pub mod demo;
pub mod error;
pub mod escalation;
pub mod http;
pub mod ical;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod org;
pub mod reports;
pub mod scheduler;
pub mod sla;
pub mod tickets;
pub mod validate;

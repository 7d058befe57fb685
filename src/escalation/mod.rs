//! The escalation sweep: finds tickets whose next ladder level is due and
//! applies each escalation exactly once, with its event and outbox mails, in
//! one transaction (see `sweep`).

mod decide;
pub mod entity;
mod hand_back;
mod notify;
pub mod sweep;

pub use decide::{Decision, decide};
pub use hand_back::hand_back;
pub use sweep::{Applied, BATCH, SweepReport, sweep};

//! Reports for auditors, heads and directors. Each is a pure computation
//! over loaded rows (`at` rebuilds a ticket at a past instant) with a thin
//! loader, over a scope the caller may read, and says how it counted
//! (口径: which tickets, which instant, which calendar).

pub mod at;
pub mod csv;
pub mod overdue;

use serde::Serialize;
use utoipa::ToSchema;

/// The tickets a report covers: a bureau's, a service center's, or those a
/// customer manager manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ReportScope {
    Bureau(i64),
    Center(i64),
    Manager(i64),
}

impl ReportScope {
    /// The condition on tickets.
    pub fn condition(self) -> sea_orm::Condition {
        use crate::tickets::entity::ticket::Column as C;
        use sea_orm::ColumnTrait;
        sea_orm::Condition::all().add(match self {
            ReportScope::Bureau(id) => C::BureauId.eq(id),
            ReportScope::Center(id) => C::ServiceCenterId.eq(id),
            ReportScope::Manager(id) => C::ManagerId.eq(id),
        })
    }
}

//! Who may read which tickets, as ways into the ticket indexes: a scope
//! is a union of anchors, each an equality on the leading column of an
//! index ordered by due date.

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

use crate::tickets::entity::{ticket, ticket_department};

/// An indexed way into the tickets: an equality on its leading column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Bureau(i64),
    Center(i64),
    Owner(i64),
    Manager(i64),
    /// Tickets a department was asked about (through `ticket_departments`).
    Department(i64),
}

impl Anchor {
    /// Whether the anchor reaches many tickets (a unit's rather than a
    /// person's or a department's).
    pub(super) fn broad(self) -> bool {
        matches!(self, Anchor::Bureau(_) | Anchor::Center(_))
    }

    /// The anchor as a plain condition on `tickets` (to filter rows that
    /// came in another way).
    pub(super) fn condition(self) -> Condition {
        use ticket::Column as C;
        let c = match self {
            Anchor::Bureau(id) => C::BureauId.eq(id),
            Anchor::Center(id) => C::ServiceCenterId.eq(id),
            Anchor::Owner(id) => C::OwnerId.eq(id),
            Anchor::Manager(id) => C::ManagerId.eq(id),
            Anchor::Department(id) => C::Id.in_subquery(
                Query::select()
                    .column(ticket_department::Column::TicketId)
                    .from(ticket_department::Entity)
                    .and_where(ticket_department::Column::DepartmentId.eq(id))
                    .to_owned(),
            ),
        };
        Condition::all().add(c)
    }
}

/// The tickets a caller may read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every ticket (operators at the command line): every bureau's.
    #[default]
    All,
    /// The union of these anchors (none: nothing).
    Anchors(Vec<Anchor>),
}

impl Scope {
    pub(super) fn broad(&self) -> bool {
        match self {
            Scope::All => true,
            Scope::Anchors(a) => a.iter().any(|a| a.broad()),
        }
    }

    /// The scope as a condition on `tickets` rows (`None`: no restriction).
    pub(super) fn condition(&self) -> Option<Condition> {
        match self {
            Scope::All => None,
            Scope::Anchors(anchors) => Some(
                anchors
                    .iter()
                    .fold(Condition::any(), |any, a| any.add(a.condition())),
            ),
        }
    }
}

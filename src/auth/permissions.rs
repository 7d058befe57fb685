//! Who may do what: the one place permissions are decided.
//!
//! - manager: tickets they manage or currently own; create in their center;
//! - center_director: every ticket of their service center;
//! - deputy_head, head: every ticket of their bureau;
//! - any current owner: that ticket;
//! - auditor: read-only over their bureau (tickets, events, explain);
//!   records accountability (问责、约谈、通报) on its tickets, which its
//!   head, deputy head, the ticket's center director and the persons named
//!   read;
//! - department: coordination requests of their department, and reading
//!   the tickets it was asked about;
//! - admin: org, people, calendars, configuration; no ticket access unless
//!   also holding a ticket role.
//!
//! Reading outside one's scope answers 404 (existence is not confirmed);
//! acting outside one's role answers 403.

use super::Principal;
use crate::app::App;
use crate::error::ServiceError;
use crate::org::Role;
use crate::org::service::Grant;
use crate::tickets::entity::ticket;
use crate::tickets::list::{Anchor, Scope};

/// What a principal may do with one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TicketAccess {
    None,
    Read,
    Write,
}

/// Whether `p` may `need` ticket `t`, as an answer: out of scope reads as
/// not found (existence is not confirmed), read-only where writing is needed
/// is forbidden. A department member reads the tickets their department
/// was asked about (looked up only when nothing else grants access).
pub async fn check_ticket(
    app: &App,
    p: &Principal,
    t: &ticket::Model,
    need: TicketAccess,
) -> Result<(), ServiceError> {
    let mut access = ticket_access(p, t);
    if access == TicketAccess::None {
        let mine = p.units_with(Role::Department);
        if !mine.is_empty() && crate::tickets::store::asked_of_any(app, t.id, &mine).await? {
            access = TicketAccess::Read;
        }
    }
    match access {
        TicketAccess::None => Err(ServiceError::NotFound(format!("ticket {}", t.id))),
        have if have < need => Err(ServiceError::Forbidden(
            "your role may read this ticket but not change it".into(),
        )),
        _ => Ok(()),
    }
}

/// Whether `p` may read a coordination request on ticket `t` that asked
/// `departments`: one of them is theirs, or they may read the ticket.
pub fn reads_request(p: &Principal, t: &ticket::Model, departments: &[i64]) -> bool {
    let mine = p.units_with(Role::Department);
    departments.iter().any(|d| mine.contains(d)) || ticket_access(p, t) != TicketAccess::None
}

/// Whether `p` may read what waits on department `department_id` of bureau
/// `bureau_id`: its members, and the bureau's auditors, deputy head and head.
pub fn reads_department(p: &Principal, department_id: i64, bureau_id: i64) -> bool {
    p.units_with(Role::Department).contains(&department_id)
        || p.bureaus_with(&[Role::Auditor, Role::DeputyHead, Role::Head])
            .contains(&bureau_id)
}

/// Whether `p` may record accountability on a ticket of bureau
/// `bureau_id`, and the completion of its entries: the bureau's auditors.
pub fn records_accountability(p: &Principal, bureau_id: i64) -> bool {
    p.bureaus_with(&[Role::Auditor]).contains(&bureau_id)
}

/// Whether `p` may read an accountability entry on a ticket of
/// `bureau_id` and service center `center_id` naming `persons`: the
/// bureau's auditors, deputy head and head, the center's director, and
/// the persons named.
pub fn reads_accountability(
    p: &Principal,
    bureau_id: i64,
    center_id: i64,
    persons: &[i64],
) -> bool {
    p.bureaus_with(&[Role::Auditor, Role::DeputyHead, Role::Head])
        .contains(&bureau_id)
        || p.units_with(Role::CenterDirector).contains(&center_id)
        || persons.contains(&p.person.id)
}

/// Access of `p` to ticket `t` by role alone.
pub fn ticket_access(p: &Principal, t: &ticket::Model) -> TicketAccess {
    let me = p.person.id;
    let write = t.owner_id == me
        || (t.manager_id == me && p.has(Role::Manager))
        || p.units_with(Role::CenterDirector)
            .contains(&t.service_center_id)
        || p.bureaus_with(&[Role::DeputyHead, Role::Head])
            .contains(&t.bureau_id);
    if write {
        TicketAccess::Write
    } else if p.bureaus_with(&[Role::Auditor]).contains(&t.bureau_id) {
        TicketAccess::Read
    } else {
        TicketAccess::None
    }
}

/// The tickets `p` may read: those they own; as a manager, those they
/// manage; their service centers' and bureaus' by role; and, for a
/// department member, those the department was asked about.
pub fn ticket_scope(p: &Principal) -> Scope {
    let me = p.person.id;
    let mut anchors = vec![Anchor::Owner(me)];
    if p.has(Role::Manager) {
        anchors.push(Anchor::Manager(me));
    }
    anchors.extend(
        p.units_with(Role::CenterDirector)
            .into_iter()
            .map(Anchor::Center),
    );
    anchors.extend(
        p.bureaus_with(&[Role::DeputyHead, Role::Head, Role::Auditor])
            .into_iter()
            .map(Anchor::Bureau),
    );
    anchors.extend(
        p.units_with(Role::Department)
            .into_iter()
            .map(Anchor::Department),
    );
    anchors.sort_unstable_by_key(|a| format!("{a:?}"));
    anchors.dedup();
    Scope::Anchors(anchors)
}

/// Whether `p` may hand ticket `t` to a person holding `to` (as its new
/// owner): the bureau's deputy head and head hand over within the bureau,
/// to anyone holding a ticket role there; everyone else (managers, center
/// directors, an owner by escalation) within the ticket's service center,
/// to one of its managers or its director.
pub fn may_hand_to(p: &Principal, t: &ticket::Model, to: &[Grant]) -> bool {
    let bureau_wide = p
        .bureaus_with(&[Role::DeputyHead, Role::Head])
        .contains(&t.bureau_id);
    to.iter().any(|g| match g.role {
        Role::Manager | Role::CenterDirector => {
            g.unit_id == Some(t.service_center_id)
                || (bureau_wide && g.bureau_id == Some(t.bureau_id))
        }
        Role::DeputyHead | Role::Head => bureau_wide && g.bureau_id == Some(t.bureau_id),
        Role::Department | Role::Auditor | Role::Admin => false,
    })
}

/// The tickets a report for `p` covers: `unit` (a bureau or service center
/// the caller oversees), or by default the widest they have: their bureau
/// (head, deputy head, auditor), their service center (director), the
/// tickets they manage (manager).
pub fn report_scope(
    p: &Principal,
    unit: Option<&crate::org::entity::unit::Model>,
) -> Result<crate::reports::ReportScope, ServiceError> {
    use crate::reports::ReportScope;
    let overseen = p.bureaus_with(&[Role::DeputyHead, Role::Head, Role::Auditor]);
    let directed = p.units_with(Role::CenterDirector);
    let outside =
        || ServiceError::Forbidden("that unit is outside what your roles let you report on".into());
    match unit {
        Some(u) => match ReportScope::of_unit(u).map_err(|m| ServiceError::invalid("unit", m))? {
            ReportScope::Bureau(b) if overseen.contains(&b) => Ok(ReportScope::Bureau(b)),
            ReportScope::Center(c)
                if directed.contains(&c) || overseen.contains(&u.parent_id.unwrap_or(c)) =>
            {
                Ok(ReportScope::Center(c))
            }
            _ => Err(outside()),
        },
        None => {
            if let Some(b) = overseen.first() {
                Ok(ReportScope::Bureau(*b))
            } else if let Some(c) = directed.first() {
                Ok(ReportScope::Center(*c))
            } else if p.has(Role::Manager) {
                Ok(ReportScope::Manager(p.person.id))
            } else {
                Err(ServiceError::Forbidden(
                    "reports are for managers, directors, deputy heads, heads and auditors".into(),
                ))
            }
        }
    }
}

/// Whether `p` may create tickets in service center `center_id`.
pub fn can_create_in(p: &Principal, center_id: i64) -> bool {
    p.units_with(Role::Manager).contains(&center_id)
}

/// Whether `p` administers bureau `bureau_id` (`None`: installation-wide
/// matters, which only an installation-wide admin may touch).
pub fn administers(p: &Principal, bureau_id: Option<i64>) -> bool {
    p.grants.iter().any(|g| {
        g.role == Role::Admin
            && (g.unit_id.is_none() || (bureau_id.is_some() && g.bureau_id == bureau_id))
    })
}

/// Whether `p` may give someone a place and roles in the bureaus given
/// (one per unit touched; `None`: installation-wide): only an admin of
/// every one of them. An admin of one bureau cannot make anyone head, or
/// admin, of another.
pub fn may_grant(p: &Principal, bureaus: &[Option<i64>]) -> bool {
    bureaus.iter().all(|b| administers(p, *b))
}

/// Whether `p` is an admin anywhere.
pub fn is_admin(p: &Principal) -> bool {
    p.has(Role::Admin)
}

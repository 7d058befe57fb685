//! Requests that change tickets, parsed from JSON into domain values.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::org::Username;
use crate::sla::{PowerSources, SlaPolicy, VoltageLevel};
use crate::validate::{self, Errors, FieldError};

/// A ticket number: 1–40 letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketNo(String);

impl TicketNo {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = (1..=40).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(TicketNo(s.to_string()))
        } else {
            Err("must be 1–40 letters, digits, - or _".into())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Body of `POST /api/v1/tickets`, turned into a [`NewTicket`] by
/// [`NewTicket::parse`]. Every field is an `Option` so that a body with
/// some bad fields is still read for the others: one answer names them all.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTicketBody {
    /// Optional; generated (YK-<year>-<id>) when absent.
    pub ticket_no: Option<String>,
    #[schema(required = true)]
    pub customer_name: Option<String>,
    #[schema(required = true)]
    pub customer_account_no: Option<String>,
    #[schema(required = true)]
    pub address: Option<String>,
    #[schema(example = "10kV")]
    #[schema(required = true)]
    pub voltage_level: Option<String>,
    #[schema(example = "single")]
    #[schema(required = true)]
    pub power_sources: Option<String>,
    #[schema(required = true)]
    pub new_line: Option<bool>,
    #[schema(required = true)]
    pub capacity_kva: Option<i64>,
    /// Code of the service center (org unit), e.g. `GZ-TH`.
    #[schema(required = true)]
    pub service_center: Option<String>,
    #[schema(format = Date, example = "2026-03-02")]
    #[schema(required = true)]
    pub accepted_on: Option<String>,
    /// Username of the customer manager (a manager of that service center);
    /// the caller by default. The manager is the first owner.
    pub manager: Option<String>,
    /// Optional category key; derived from voltage, sources and new line when absent.
    pub category: Option<String>,
    /// Optional initial stage (for tickets imported mid-way); the first stage by default.
    pub stage: Option<String>,
}

/// A validated new ticket.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub ticket_no: Option<TicketNo>,
    pub customer_name: String,
    pub customer_account_no: String,
    pub address: String,
    pub voltage_level: VoltageLevel,
    pub power_sources: PowerSources,
    pub new_line: bool,
    pub capacity_kva: i64,
    /// Service center code, resolved by the service.
    pub service_center: String,
    pub accepted_on: NaiveDate,
    /// Manager username, resolved by the service (`None`: the caller).
    pub manager: Option<String>,
    pub category: String,
    pub stage: String,
}

fn capacity(c: i64) -> Result<i64, String> {
    if (1..=100_000_000).contains(&c) {
        Ok(c)
    } else {
        Err("must be between 1 and 100000000 kVA".into())
    }
}

/// An acceptance day: a date of this era, not after `today`.
fn accepted(s: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let a = validate::date(s)?;
    if a > today {
        return Err(format!("{a} is in the future (today is {today})"));
    }
    Ok(a)
}

/// A configured category key.
fn category_key(policy: &SlaPolicy, key: &str) -> Result<String, String> {
    if policy.category(key).is_some() {
        return Ok(key.to_string());
    }
    let known: Vec<_> = policy.categories.iter().map(|c| c.key.as_str()).collect();
    Err(format!("`{key}` is not one of {}", known.join(", ")))
}

/// The first configured category matching the ticket.
fn derived_category(
    policy: &SlaPolicy,
    v: VoltageLevel,
    p: PowerSources,
    n: bool,
) -> Result<String, String> {
    policy
        .categorize(v, p, n)
        .map(|c| c.key.to_string())
        .ok_or_else(|| {
            format!(
                "no configured category matches {} / {} / new line {n}",
                v.as_str(),
                p.as_str()
            )
        })
}

impl NewTicket {
    /// Parses a create request; `today` is the local date (acceptance may
    /// not lie in the future).
    pub fn parse(
        body: &Value,
        policy: &SlaPolicy,
        today: NaiveDate,
    ) -> Result<NewTicket, Vec<FieldError>> {
        let (b, mut e) = validate::dto_partial::<CreateTicketBody>(body)?;
        let ticket_no = e.opt("ticket_no", b.ticket_no.as_deref(), TicketNo::parse);
        let line = |max| move |s: &str| validate::line(s, max);
        let customer_name = e.req("customer_name", b.customer_name.as_deref(), line(200));
        let customer_account_no = e.req(
            "customer_account_no",
            b.customer_account_no.as_deref(),
            line(64),
        );
        let address = e.req("address", b.address.as_deref(), |s| validate::text(s, 500));
        let voltage_level = e.req(
            "voltage_level",
            b.voltage_level.as_deref(),
            VoltageLevel::parse,
        );
        let power_sources = e.req(
            "power_sources",
            b.power_sources.as_deref(),
            PowerSources::parse,
        );
        let capacity_kva = b
            .capacity_kva
            .and_then(|c| e.take("capacity_kva", capacity(c)));
        let service_center = e.req("service_center", b.service_center.as_deref(), line(100));
        let accepted_on = e.req("accepted_on", b.accepted_on.as_deref(), |s| {
            accepted(s, today)
        });
        let manager = e.opt("manager", b.manager.as_deref(), |m| {
            Username::parse(m).map(String::from)
        });
        let category = match (
            b.category.as_deref().map(str::trim),
            voltage_level,
            power_sources,
            b.new_line,
        ) {
            (Some(key), _, _, _) if !key.is_empty() => {
                e.take("category", category_key(policy, key))
            }
            (_, Some(v), Some(p), Some(n)) => e.take("category", derived_category(policy, v, p, n)),
            _ => None,
        };
        let stage = match b.stage.as_deref().map(str::trim) {
            None | Some("") => Some(policy.first_stage().key.to_string()),
            Some(s) if policy.stage(s).is_some() => Some(s.to_string()),
            Some(s) => e.take("stage", Err(format!("`{s}` is not a configured stage"))),
        };
        let value = (|| {
            Some(NewTicket {
                ticket_no: ticket_no?,
                customer_name: customer_name?,
                customer_account_no: customer_account_no?,
                address: address?,
                voltage_level: voltage_level?,
                power_sources: power_sources?,
                new_line: b.new_line?,
                capacity_kva: capacity_kva?,
                service_center: service_center?,
                accepted_on: accepted_on?,
                manager: manager?,
                category: category?,
                stage: stage?,
            })
        })();
        e.finish(value)
    }
}

/// Body of `PATCH /api/v1/tickets/{id}`: any subset of these fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTicketBody {
    pub customer_name: Option<String>,
    pub customer_account_no: Option<String>,
    pub address: Option<String>,
    pub voltage_level: Option<String>,
    pub power_sources: Option<String>,
    pub new_line: Option<bool>,
    pub capacity_kva: Option<i64>,
    #[schema(format = Date, example = "2026-03-02")]
    pub accepted_on: Option<String>,
    pub category: Option<String>,
    /// Why the change was made (kept on the event).
    pub note: Option<String>,
}

/// A validated partial update.
#[derive(Debug, Clone, Default)]
pub struct TicketPatch {
    pub customer_name: Option<String>,
    pub customer_account_no: Option<String>,
    pub address: Option<String>,
    pub voltage_level: Option<VoltageLevel>,
    pub power_sources: Option<PowerSources>,
    pub new_line: Option<bool>,
    pub capacity_kva: Option<i64>,
    pub accepted_on: Option<NaiveDate>,
    pub category: Option<String>,
    pub note: Option<String>,
}

impl TicketPatch {
    pub fn parse(
        body: &Value,
        policy: &SlaPolicy,
        today: NaiveDate,
    ) -> Result<TicketPatch, Vec<FieldError>> {
        let (b, mut e) = validate::dto_partial::<UpdateTicketBody>(body)?;
        let line = |max| move |s: &str| validate::line(s, max);
        let customer_name = e.opt("customer_name", b.customer_name.as_deref(), line(200));
        let customer_account_no = e.opt(
            "customer_account_no",
            b.customer_account_no.as_deref(),
            line(64),
        );
        let address = e.opt("address", b.address.as_deref(), |s| validate::text(s, 500));
        let voltage_level = e.opt(
            "voltage_level",
            b.voltage_level.as_deref(),
            VoltageLevel::parse,
        );
        let power_sources = e.opt(
            "power_sources",
            b.power_sources.as_deref(),
            PowerSources::parse,
        );
        let capacity_kva = match b.capacity_kva {
            None => Some(None),
            Some(c) => e.take("capacity_kva", capacity(c)).map(Some),
        };
        let accepted_on = e.opt("accepted_on", b.accepted_on.as_deref(), |s| {
            accepted(s, today)
        });
        let category = e.opt("category", b.category.as_deref(), |k| {
            category_key(policy, k)
        });
        let note = e.opt("note", b.note.as_deref(), |s| validate::text(s, 2000));
        let p = (|| {
            Some(TicketPatch {
                customer_name: customer_name?,
                customer_account_no: customer_account_no?,
                address: address?,
                voltage_level: voltage_level?,
                power_sources: power_sources?,
                new_line: b.new_line,
                capacity_kva: capacity_kva?,
                accepted_on: accepted_on?,
                category: category?,
                note: note?,
            })
        })();
        e.finish(p)
    }
}

/// Body of the state-changing actions (advance, pause, resume, close, cancel, reopen).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ActionBody {
    /// advance: the stage to move to (the next one by default; skippable stages may be jumped).
    pub to: Option<String>,
    /// pause: one of the configured pause reasons (required for pause).
    pub reason: Option<String>,
    /// A free note kept on the event (required for cancel and reopen).
    pub note: Option<String>,
}

impl ActionBody {
    pub fn parse(body: &Value) -> Result<ActionBody, Vec<FieldError>> {
        if body.is_null() {
            return Ok(ActionBody::default());
        }
        let b: ActionBody = validate::dto(body)?;
        let mut e = Errors::default();
        let to = e.opt("to", b.to.as_deref(), |s| validate::line(s, 64));
        let reason = e.opt("reason", b.reason.as_deref(), |s| validate::line(s, 64));
        let note = e.opt("note", b.note.as_deref(), |s| validate::text(s, 2000));
        let value = (|| {
            Some(ActionBody {
                to: to?,
                reason: reason?,
                note: note?,
            })
        })();
        e.finish(value)
    }
}

/// Body of `POST /api/v1/tickets/{id}/reassign`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ReassignBody {
    /// Username of the new owner.
    pub owner: Option<String>,
    /// Username of the new customer manager (a manager of the ticket's center).
    pub manager: Option<String>,
    /// Why (required; kept on the `reassigned` event).
    pub note: Option<String>,
}

impl ReassignBody {
    pub fn parse(body: &Value) -> Result<ReassignBody, Vec<FieldError>> {
        let b: ReassignBody = validate::dto(body)?;
        let mut e = Errors::default();
        let username = |s: &str| Username::parse(s).map(String::from);
        let owner = e.opt("owner", b.owner.as_deref(), username);
        let manager = e.opt("manager", b.manager.as_deref(), username);
        let note = match b.note.as_deref() {
            None => e.take("note", Err("is required".into())),
            Some(n) => e.take("note", validate::text(n, 2000)),
        };
        if matches!((&owner, &manager), (Some(None), Some(None))) {
            e.add("owner", "give a new owner, a new manager, or both");
        }
        let value = (|| {
            Some(ReassignBody {
                owner: owner?,
                manager: manager?,
                note: Some(note?),
            })
        })();
        e.finish(value)
    }
}

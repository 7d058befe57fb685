//! Requests that change tickets, parsed from JSON into domain values.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::sla::{PowerSources, SlaPolicy, VoltageLevel};
use crate::validate::{FieldError, Fields};

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

use crate::validate::date;

/// Body of `POST /api/v1/tickets` (documentation schema; parsing is
/// field-by-field by [`NewTicket::parse`]).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CreateTicketBody {
    /// Optional; generated (YK-<year>-<id>) when absent.
    ticket_no: Option<String>,
    customer_name: String,
    customer_account_no: String,
    address: String,
    #[schema(example = "10kV")]
    voltage_level: String,
    #[schema(example = "single")]
    power_sources: String,
    new_line: bool,
    capacity_kva: i64,
    /// Code of the service center (org unit), e.g. `GZ-TH`.
    service_center: String,
    #[schema(example = "2026-03-02")]
    accepted_on: NaiveDate,
    /// Username of the customer manager (a manager of that service center);
    /// the caller by default. The manager is the first owner.
    manager: Option<String>,
    /// Optional category key; derived from voltage, sources and new line when absent.
    category: Option<String>,
    /// Optional initial stage (for tickets imported mid-way); the first stage by default.
    stage: Option<String>,
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

const CREATE_FIELDS: &[&str] = &[
    "ticket_no",
    "customer_name",
    "customer_account_no",
    "address",
    "voltage_level",
    "power_sources",
    "new_line",
    "capacity_kva",
    "service_center",
    "accepted_on",
    "manager",
    "category",
    "stage",
];

fn capacity(f: &mut Fields, v: Option<i64>) -> Option<i64> {
    match v {
        Some(c) if !(1..=100_000_000).contains(&c) => {
            f.error("capacity_kva", "must be between 1 and 100000000 kVA");
            None
        }
        other => other,
    }
}

/// Picks the category: the explicit key if given (must exist), else the
/// first configured category matching the ticket.
fn category(
    f: &mut Fields,
    policy: &SlaPolicy,
    explicit: Option<String>,
    v: Option<VoltageLevel>,
    p: Option<PowerSources>,
    n: Option<bool>,
) -> Option<String> {
    if let Some(key) = explicit {
        if policy.category(&key).is_none() {
            let known: Vec<_> = policy.categories.iter().map(|c| c.key.as_str()).collect();
            f.error(
                "category",
                format!("`{key}` is not one of {}", known.join(", ")),
            );
            return None;
        }
        return Some(key);
    }
    let (v, p, n) = (v?, p?, n?);
    match policy.categorize(v, p, n) {
        Some(c) => Some(c.key.clone()),
        None => {
            f.error(
                "category",
                format!(
                    "no configured category matches {} / {} / new line {n}",
                    v.as_str(),
                    p.as_str()
                ),
            );
            None
        }
    }
}

impl NewTicket {
    /// Parses a create request; `today` is the local date (acceptance may
    /// not lie in the future).
    pub fn parse(
        body: &Value,
        policy: &SlaPolicy,
        today: NaiveDate,
    ) -> Result<NewTicket, Vec<FieldError>> {
        let mut f = Fields::new(body);
        let raw_no = f.opt_text("ticket_no", 40);
        let ticket_no = f.parse_with("ticket_no", raw_no, TicketNo::parse);
        let customer_name = f.text("customer_name", 200);
        let customer_account_no = f.text("customer_account_no", 64);
        let address = f.text("address", 500);
        let raw = f.text("voltage_level", 16);
        let voltage_level = f.parse_with("voltage_level", raw, VoltageLevel::parse);
        let raw = f.text("power_sources", 16);
        let power_sources = f.parse_with("power_sources", raw, PowerSources::parse);
        let new_line: Option<bool> = f.req("new_line", "true or false");
        let cap = f.req("capacity_kva", "an integer number of kVA");
        let capacity_kva = capacity(&mut f, cap);
        let service_center = f.text("service_center", 100);
        let raw = f.text("accepted_on", 10);
        let accepted_on = f.parse_with("accepted_on", raw, date);
        if let Some(a) = accepted_on
            && a > today
        {
            f.error(
                "accepted_on",
                format!("{a} is in the future (today is {today})"),
            );
        }
        let manager = f.opt_text("manager", 100);
        let explicit = f.opt_text("category", 64);
        let category = category(
            &mut f,
            policy,
            explicit,
            voltage_level,
            power_sources,
            new_line,
        );
        let stage = match f.opt_text("stage", 64) {
            Some(s) if policy.stage(&s).is_none() => {
                f.error("stage", format!("`{s}` is not a configured stage"));
                None
            }
            Some(s) => Some(s),
            None => Some(policy.first_stage().key.clone()),
        };
        f.reject_unknown(CREATE_FIELDS);
        f.finish(|| {
            Some(NewTicket {
                ticket_no,
                customer_name: customer_name?,
                customer_account_no: customer_account_no?,
                address: address?,
                voltage_level: voltage_level?,
                power_sources: power_sources?,
                new_line: new_line?,
                capacity_kva: capacity_kva?,
                service_center: service_center?,
                accepted_on: accepted_on?,
                manager,
                category: category?,
                stage: stage?,
            })
        })
    }
}

/// Body of `PATCH /api/v1/tickets/{id}`: any subset of these fields.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct UpdateTicketBody {
    customer_name: Option<String>,
    customer_account_no: Option<String>,
    address: Option<String>,
    voltage_level: Option<String>,
    power_sources: Option<String>,
    new_line: Option<bool>,
    capacity_kva: Option<i64>,
    accepted_on: Option<NaiveDate>,
    category: Option<String>,
    /// Why the change was made (kept on the event).
    note: Option<String>,
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
        let mut f = Fields::new(body);
        let mut p = TicketPatch {
            customer_name: f.opt_text("customer_name", 200),
            customer_account_no: f.opt_text("customer_account_no", 64),
            address: f.opt_text("address", 500),
            ..Default::default()
        };
        let raw = f.opt_text("voltage_level", 16);
        p.voltage_level = f.parse_with("voltage_level", raw, VoltageLevel::parse);
        let raw = f.opt_text("power_sources", 16);
        p.power_sources = f.parse_with("power_sources", raw, PowerSources::parse);
        p.new_line = f.opt("new_line", "true or false");
        let cap = f.opt("capacity_kva", "an integer number of kVA");
        p.capacity_kva = capacity(&mut f, cap);
        let raw = f.opt_text("accepted_on", 10);
        p.accepted_on = f.parse_with("accepted_on", raw, date);
        if let Some(a) = p.accepted_on
            && a > today
        {
            f.error(
                "accepted_on",
                format!("{a} is in the future (today is {today})"),
            );
        }
        if let Some(key) = f.opt_text("category", 64) {
            p.category = category(&mut f, policy, Some(key), None, None, None);
        }
        p.note = f.opt_text("note", 2000);
        let mut known: Vec<&str> = CREATE_FIELDS
            .iter()
            .copied()
            .filter(|k| !matches!(*k, "ticket_no" | "stage" | "service_center" | "manager"))
            .collect();
        known.push("note");
        f.reject_unknown(&known);
        f.finish(|| Some(p))
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
        let mut f = Fields::new(body);
        let to = f.opt_text("to", 64);
        let reason = f.opt_text("reason", 64);
        let note = f.opt_text("note", 2000);
        f.reject_unknown(&["to", "reason", "note"]);
        f.finish(|| Some(ActionBody { to, reason, note }))
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
        let mut f = Fields::new(body);
        let owner = f.opt_text("owner", 100);
        let manager = f.opt_text("manager", 100);
        let note = f.text("note", 2000);
        if owner.is_none() && manager.is_none() && f.errors.is_empty() {
            f.error("owner", "give a new owner, a new manager, or both");
        }
        f.reject_unknown(&["owner", "manager", "note"]);
        f.finish(|| {
            Some(ReassignBody {
                owner,
                manager,
                note,
            })
        })
    }
}

//! A year of work for `yekuo demo --year`: tickets accepted over the twelve
//! months before `as_of` (fewer around the Spring Festival), each moved
//! through the policy's stages by the same pure transitions the service
//! applies ([`actions::apply`]), escalated at the ladder's instants as the
//! sweep would, some paused, cancelled, closed late, some with a
//! coordination request to departments; the recent ones still open.
//!
//! Everything follows from the seed, the number of tickets, the number of
//! centers and `as_of`: each ticket draws from its own stream of a small
//! PRNG (splitmix64), so the same inputs write the same rows. Tickets are
//! simulated and written a chunk at a time, one write transaction per
//! chunk, with multi-row inserts; events are hash-chained as
//! `tickets::chain` computes. No mail is queued, and no accountability
//! entries are written.

use std::collections::HashMap;

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, DatabaseTransaction, EntityTrait, Iterable,
    QueryFilter, QuerySelect, Set,
};
use serde_json::{Value, json};

use super::{ensure_org, person, unit};
use crate::app::App;
use crate::coordination::Answer;
use crate::coordination::entity::{request, target};
use crate::escalation::entity as escalation;
use crate::org::service::{
    Vacancy, create_person, create_unit, holders, person_by_username, unit_by_code, unit_by_id,
};
use crate::org::{Role, UnitKind};
use crate::sla::{CountedFrom, Due, Ladder, Level, Offset, PowerSources, SlaPolicy, VoltageLevel};
use crate::tickets::Actor;
use crate::tickets::actions::{self, Action, History, Tracked};
use crate::tickets::chain::event_hash;
use crate::tickets::entity::ticket::Status;
use crate::tickets::entity::{event, pause, stage_visit, ticket, ticket_department};

/// The seed when none is given.
pub const DEFAULT_SEED: u64 = 2026;

/// How many tickets, from which seed, ending when, over how many centers.
#[derive(Debug, Clone)]
pub struct YearSpec {
    pub tickets: u64,
    pub seed: u64,
    /// The end of the year: nothing happens after it.
    pub as_of: DateTime<Utc>,
    pub centers: u32,
}

/// What the year holds at `as_of`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearSummary {
    pub tickets: u64,
    pub closed_on_time: u64,
    pub closed_late: u64,
    pub cancelled: u64,
    pub open: u64,
    pub paused: u64,
    pub escalations: u64,
    pub requests: u64,
}

/// The number of the `i`th ticket of the year written with `seed`.
pub fn ticket_no(seed: u64, i: u64) -> String {
    format!("DEMO-{seed}-{i:07}")
}

/// Tickets simulated and written per write transaction.
const CHUNK: u64 = 500;
/// Bound parameters per statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_PARAMS: usize = 30_000;
/// Office hours: from 08:30, nine hours.
const OPEN_MINUTES: i64 = 8 * 60 + 30;
const OFFICE_MINUTES: f64 = 540.0;
/// Shares of tickets.
const P_CANCEL: f64 = 0.015;
const P_LATE: f64 = 0.04;
const P_PAUSE: f64 = 0.12;
const P_COORDINATION: f64 = 0.15;
/// Share of limited stage visits left after their limit.
const P_STAGE_LATE: f64 = 0.06;

/// Writes the year; refuses a seed already written to this database.
pub async fn seed_year(app: &App, spec: &YearSpec) -> anyhow::Result<YearSummary> {
    refuse_repeat(app, spec).await?;
    let org = ensure_year_org(app, spec).await?;
    let ctx = Ctx {
        app,
        spec,
        days: AcceptanceDays::new(app, spec.as_of)?,
        org,
    };
    let mut summary = YearSummary::default();
    let mut start = 0;
    while start < spec.tickets {
        let end = (start + CHUNK).min(spec.tickets);
        let plans = (start..end)
            .map(|i| simulate(&ctx, i))
            .collect::<anyhow::Result<Vec<_>>>()?;
        summary.add(&plans);
        write_chunk(app, plans).await?;
        start = end;
    }
    Ok(summary)
}

async fn refuse_repeat(app: &App, spec: &YearSpec) -> anyhow::Result<()> {
    let first = ticket_no(spec.seed, 0);
    let exists = ticket::Entity::find()
        .filter(ticket::Column::TicketNo.eq(first.as_str()))
        .one(&app.db)
        .await?
        .is_some();
    anyhow::ensure!(
        !exists,
        "a demo year with seed {} is already in this database ({first}): use another --seed or a fresh database",
        spec.seed
    );
    Ok(())
}

impl std::fmt::Display for YearSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a year of {} demo tickets: {} closed on time, {} late, {} cancelled, {} open, {} paused; {} escalations, {} coordination requests",
            self.tickets,
            self.closed_on_time,
            self.closed_late,
            self.cancelled,
            self.open,
            self.paused,
            self.escalations,
            self.requests
        )
    }
}

impl YearSummary {
    fn add(&mut self, plans: &[Plan]) {
        for p in plans {
            let t = &p.ticket;
            self.tickets += 1;
            match (t.status, t.closed_at) {
                (Status::Closed, Some(at)) if at < t.due_at => self.closed_on_time += 1,
                (Status::Closed, _) => self.closed_late += 1,
                (Status::Cancelled, _) => self.cancelled += 1,
                (Status::Open, _) => self.open += 1,
                (Status::Paused, _) => self.paused += 1,
            }
            self.escalations += p.escalations.len() as u64;
            self.requests += u64::from(p.request.is_some());
        }
    }
}

// ---------------------------------------------------------------------------
// A small deterministic PRNG: one stream per ticket.

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// The organisation: the demo bureau, more managers per center for larger
// years, departments to coordinate with, and who holds each ladder role.

#[derive(Debug, Clone)]
struct Someone {
    id: i64,
    username: String,
}

struct Center {
    id: i64,
    code: String,
    managers: Vec<Someone>,
}

struct Department {
    id: i64,
    code: String,
    member: Someone,
}

struct YearOrg {
    bureau_id: i64,
    centers: Vec<Center>,
    departments: Vec<Department>,
    /// The holder of each ladder role per unit as the sweep finds it
    /// (`None`: vacant).
    holders: HashMap<(Role, i64), Option<Someone>>,
    /// Code and name of the bureau and centers (for vacancies).
    units: HashMap<i64, (String, String)>,
}

const DEPARTMENTS: [(&str, &str); 5] = [
    ("MKT", "市场部"),
    ("PLAN", "规划发展部"),
    ("DIST", "配网管理部"),
    ("DISP", "电力调度控制中心"),
    ("OPS", "运维部"),
];

async fn ensure_year_org(app: &App, spec: &YearSpec) -> anyhow::Result<YearOrg> {
    let base = ensure_org(app, spec.centers.max(1)).await?;
    let bureau_id = base
        .first()
        .map(|c| c.1)
        .ok_or_else(|| anyhow::anyhow!("the demo org has no center"))?;
    let per = managers_per_center(spec);
    let mut centers = Vec::new();
    for (n, (id, _, _)) in base.iter().enumerate() {
        let c = n as u32 + 1;
        centers.push(Center {
            id: *id,
            code: format!("DEMO-{c:02}"),
            managers: ensure_managers(app, c, per).await?,
        });
    }
    let departments = ensure_departments(app).await?;
    let holders = ladder_holders(app, bureau_id, &centers).await?;
    let mut units = HashMap::new();
    for id in centers.iter().map(|c| c.id).chain([bureau_id]) {
        let u = unit_by_id(&app.db, id).await?;
        units.insert(id, (u.code, u.name));
    }
    Ok(YearOrg {
        bureau_id,
        centers,
        departments,
        holders,
        units,
    })
}

/// About 400 tickets a year per customer manager, at most 25 per center.
fn managers_per_center(spec: &YearSpec) -> u32 {
    let per_center = spec.tickets.div_ceil(u64::from(spec.centers.max(1)));
    per_center.div_ceil(400).clamp(1, 25) as u32
}

async fn ensure_person(
    app: &App,
    username: &str,
    unit_code: &str,
    role: Role,
) -> anyhow::Result<Someone> {
    let p = match person_by_username(&app.writer, username).await? {
        Some(p) => p,
        None => {
            let new = person(username, unit_code, role);
            create_person(&app.writer, new, None, app.now()).await?
        }
    };
    Ok(Someone {
        id: p.id,
        username: p.username,
    })
}

/// Center `c`'s managers: `demo-mgr-01` (made with the center), then
/// `demo-mgr-01-02`, ….
async fn ensure_managers(app: &App, c: u32, per: u32) -> anyhow::Result<Vec<Someone>> {
    let code = format!("DEMO-{c:02}");
    let mut out = Vec::new();
    for k in 1..=per {
        let username = if k == 1 {
            format!("demo-mgr-{c:02}")
        } else {
            format!("demo-mgr-{c:02}-{k:02}")
        };
        out.push(ensure_person(app, &username, &code, Role::Manager).await?);
    }
    Ok(out)
}

/// The bureau's departments (`DEMO-MKT`, …), one member each (`demo-dept-mkt`, …).
async fn ensure_departments(app: &App) -> anyhow::Result<Vec<Department>> {
    let mut out = Vec::new();
    for (suffix, name) in DEPARTMENTS {
        let code = format!("DEMO-{suffix}");
        let u = match unit_by_code(&app.writer, &code).await? {
            Some(u) => u,
            None => {
                let new = unit(&code, name, UnitKind::Department, Some("DEMO"));
                create_unit(&app.writer, new, app.now()).await?
            }
        };
        let username = format!("demo-dept-{}", suffix.to_ascii_lowercase());
        let member = ensure_person(app, &username, &code, Role::Department).await?;
        out.push(Department {
            id: u.id,
            code,
            member,
        });
    }
    Ok(out)
}

/// Every role some ladder escalates to.
fn ladder_roles(app: &App) -> Vec<Role> {
    let mut roles: Vec<Role> = std::iter::once(&app.ladder.default)
        .chain(app.ladder.by_category.values())
        .flat_map(|l| l.levels.iter().map(|l| l.role))
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// The first holder (oldest assignment) of each ladder role: a center
/// director per center, the others per bureau, as the sweep looks them up.
async fn ladder_holders(
    app: &App,
    bureau_id: i64,
    centers: &[Center],
) -> anyhow::Result<HashMap<(Role, i64), Option<Someone>>> {
    let mut out = HashMap::new();
    for role in ladder_roles(app) {
        let units: Vec<i64> = match role {
            Role::Manager => continue,
            Role::CenterDirector => centers.iter().map(|c| c.id).collect(),
            _ => vec![bureau_id],
        };
        for u in units {
            let first = holders(&app.db, role, u).await?.into_iter().next();
            let someone = first.map(|p| Someone {
                id: p.id,
                username: p.username,
            });
            out.insert((role, u), someone);
        }
    }
    Ok(out)
}

impl YearOrg {
    fn manager(&self, id: i64) -> Option<Someone> {
        self.centers
            .iter()
            .flat_map(|c| &c.managers)
            .find(|m| m.id == id)
            .cloned()
    }

    /// Who holds `role` for ticket `t`.
    fn holder(&self, role: Role, t: &ticket::Model) -> (Option<Someone>, i64) {
        match role {
            Role::Manager => (self.manager(t.manager_id), t.service_center_id),
            Role::CenterDirector => (self.held(role, t.service_center_id), t.service_center_id),
            _ => (self.held(role, t.bureau_id), t.bureau_id),
        }
    }

    fn held(&self, role: Role, unit: i64) -> Option<Someone> {
        self.holders.get(&(role, unit)).cloned().flatten()
    }

    fn vacancy(&self, role: Role, unit_id: i64) -> String {
        let (code, name) = self.units.get(&unit_id).cloned().unwrap_or_default();
        Vacancy {
            role,
            unit_id,
            unit_code: code,
            unit_name: name,
        }
        .to_string()
    }

    /// The level applied when `due_level` is due (walking up past vacant
    /// roles), its new owner and the vacancies passed, as the sweep decides.
    fn escalation(
        &self,
        ladder: &Ladder,
        due_level: u32,
        t: &ticket::Model,
    ) -> (u32, Option<Someone>, Vec<String>) {
        let mut vacancies = Vec::new();
        for level in ladder.levels.iter().filter(|l| l.level >= due_level) {
            match self.holder(level.role, t) {
                (Some(p), _) => return (level.level, Some(p), vacancies),
                (None, unit) => vacancies.push(self.vacancy(level.role, unit)),
            }
        }
        (due_level, None, vacancies)
    }
}

/// The rule an escalation cites (the sweep's wording).
fn rule_text(l: &Level) -> String {
    let offset = match l.before_due {
        Offset::Months(n) => format!("{n} month(s) before due"),
        Offset::Days(0) | Offset::WorkingDays(0) => "at due (overdue)".to_string(),
        Offset::Days(n) => format!("{n} day(s) before due"),
        Offset::WorkingDays(n) => format!("{n} working day(s) before due"),
    };
    format!("level {} {} {offset}", l.level, l.role.as_str())
}

// ---------------------------------------------------------------------------
// Days and instants.

/// Working days of the year, weighted (fewer around the Spring Festival),
/// from which acceptance days are drawn by quantile: ticket `i` of `n` is
/// accepted at quantile `(i + u) / n`, so numbers follow acceptance.
struct AcceptanceDays {
    days: Vec<NaiveDate>,
    cumulative: Vec<f64>,
    today: NaiveDate,
    /// The latest office-hours fraction of today before `as_of`.
    today_fraction: f64,
}

impl AcceptanceDays {
    fn new(app: &App, as_of: DateTime<Utc>) -> anyhow::Result<AcceptanceDays> {
        let sla = app.sla();
        let today = sla.local_date(as_of);
        let first = today - Days::new(364);
        let festival = spring_festival(app, first, today);
        let opened = sla.start_of(today) + Duration::minutes(OPEN_MINUTES);
        let today_fraction = ((as_of - opened).num_minutes() as f64 / OFFICE_MINUTES).min(0.95);
        let (mut days, mut cumulative, mut total) = (Vec::new(), Vec::new(), 0.0);
        for d in first.iter_days().take_while(|d| *d <= today) {
            let working = app.calendar.is_working_day_provisional(d).0;
            if !working || (d == today && today_fraction < 0.02) {
                continue;
            }
            total += weight(d, festival);
            days.push(d);
            cumulative.push(total);
        }
        anyhow::ensure!(
            !days.is_empty(),
            "no working day in the year before {today}"
        );
        Ok(AcceptanceDays {
            days,
            cumulative,
            today,
            today_fraction,
        })
    }

    /// The day at quantile `q` in [0, 1).
    fn at(&self, q: f64) -> NaiveDate {
        let x = q * self.cumulative.last().copied().unwrap_or(0.0);
        let i = self.cumulative.partition_point(|c| *c <= x);
        self.days[i.min(self.days.len() - 1)]
    }

    /// The latest fraction of office hours an acceptance on `d` may have.
    fn latest_fraction(&self, d: NaiveDate) -> f64 {
        if d == self.today {
            self.today_fraction
        } else {
            0.95
        }
    }
}

/// Fewer applications in the weeks around the festival.
fn weight(d: NaiveDate, festival: Option<(NaiveDate, NaiveDate)>) -> f64 {
    match festival {
        Some((from, to)) if d + Days::new(14) >= from && d <= to + Days::new(10) => 0.3,
        _ => 1.0,
    }
}

/// The Spring Festival holiday in `[first, last]`: the first run of at
/// least seven rest days starting between January 15 and February 25.
fn spring_festival(app: &App, first: NaiveDate, last: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    use chrono::Datelike;
    let mut run: Option<NaiveDate> = None;
    for d in first.iter_days().take_while(|d| *d <= last) {
        if !app.calendar.is_working_day_provisional(d).0 {
            run.get_or_insert(d);
            continue;
        }
        if let Some(start) = run.take() {
            let md = (start.month(), start.day());
            let long = (d - start).num_days() >= 7;
            if long && ((1, 15)..=(2, 25)).contains(&md) {
                return Some((start, d.pred_opt()?));
            }
        }
    }
    None
}

/// The instant at working-day position `pos` after `accepted_on`: the
/// whole part counts working days after it, the fraction runs through the
/// office hours, to the minute.
fn instant(app: &App, accepted_on: NaiveDate, pos: f64) -> DateTime<Utc> {
    let sla = app.sla();
    let pos = pos.max(0.0);
    let day = pos.floor();
    let date = app.calendar.add_provisional(accepted_on, day as u32).date;
    let minutes = OPEN_MINUTES + ((pos - day) * OFFICE_MINUTES) as i64;
    sla.start_of(date) + Duration::minutes(minutes)
}

// ---------------------------------------------------------------------------
// One ticket: who and what it is.

struct Ctx<'a> {
    app: &'a App,
    spec: &'a YearSpec,
    days: AcceptanceDays,
    org: YearOrg,
}

struct Profile {
    center: usize,
    manager: usize,
    voltage: VoltageLevel,
    sources: PowerSources,
    new_line: bool,
    /// Design review and mid-construction inspection apply (skippable stages visited).
    important: bool,
    capacity: i64,
    customer: u64,
    accepted_on: NaiveDate,
    /// The acceptance instant's fraction of the office day.
    p0: f64,
    /// Closed after its deadline.
    late: bool,
}

fn profile(ctx: &Ctx, i: u64, rng: &mut Rng) -> Profile {
    let center = rng.below(ctx.org.centers.len());
    let manager = rng.below(ctx.org.centers[center].managers.len());
    let voltage = voltage(rng);
    let sources = if rng.chance(0.3) {
        PowerSources::Dual
    } else {
        PowerSources::Single
    };
    let important = rng.chance(if sources == PowerSources::Dual || voltage.kv() >= 35 {
        0.7
    } else {
        0.3
    });
    let accepted_on = ctx
        .days
        .at((i as f64 + rng.unit()) / ctx.spec.tickets as f64);
    Profile {
        center,
        manager,
        voltage,
        sources,
        new_line: rng.chance(0.35),
        important,
        capacity: capacity(voltage, rng),
        // About one application in eight is a customer's second.
        customer: if rng.chance(0.12) {
            rng.below(i as usize + 1) as u64
        } else {
            i
        },
        accepted_on,
        p0: rng.between(0.0, ctx.days.latest_fraction(accepted_on)),
        late: rng.chance(P_LATE),
    }
}

/// 10 kV mostly, now and then 20, 35 or 110 kV.
fn voltage(rng: &mut Rng) -> VoltageLevel {
    match rng.below(10) {
        0..=5 => VoltageLevel::Kv10,
        6 | 7 => VoltageLevel::Kv20,
        8 => VoltageLevel::Kv35,
        _ => VoltageLevel::Kv110,
    }
}

/// kVA, rounded to 5, by voltage.
fn capacity(v: VoltageLevel, rng: &mut Rng) -> i64 {
    let (lo, hi) = match v.kv() {
        10 => (315.0, 8_000.0),
        20 => (2_000.0, 20_000.0),
        35 => (5_000.0, 40_000.0),
        110 => (20_000.0, 100_000.0),
        _ => (100_000.0, 300_000.0),
    };
    (rng.between(lo, hi) / 5.0).round() as i64 * 5
}

const DISTRICTS: [&str; 11] = [
    "天河", "越秀", "海珠", "荔湾", "白云", "黄埔", "番禺", "花都", "南沙", "从化", "增城",
];
const BRAND: [&str; 20] = [
    "华", "粤", "南", "宏", "恒", "鑫", "盛", "泰", "嘉", "信", "达", "丰", "远", "创", "瑞", "星",
    "德", "隆", "新", "康",
];
const TRADES: [&str; 16] = [
    "电子科技",
    "精密制造",
    "数据科技",
    "医药",
    "食品",
    "物流",
    "新材料",
    "汽车零部件",
    "置业",
    "酒店管理",
    "纺织",
    "化工",
    "冷链仓储",
    "半导体",
    "生物科技",
    "建材",
];
const ROADS: [&str; 10] = [
    "中山",
    "黄埔大道",
    "科学",
    "环市",
    "广园",
    "工业",
    "新港",
    "迎宾",
    "开创",
    "云城",
];

/// Customer `c`'s name and address (its own stream: the same customer
/// always reads the same).
fn customer(seed: u64, c: u64) -> (String, String) {
    let mut rng = Rng::new(seed ^ 0x00C0_FFEE, c);
    let district = rng.pick(&DISTRICTS);
    let name = format!(
        "广州{}{}{}{}有限公司",
        rng.pick(&BRAND),
        rng.pick(&BRAND),
        rng.pick(&TRADES),
        if rng.chance(0.2) { "股份" } else { "" },
    );
    let address = format!(
        "广州市{district}区{}路{}号",
        rng.pick(&ROADS),
        1 + rng.below(800)
    );
    (name, address)
}

/// The category of the connection and its limit (the first configured
/// category when none matches).
fn categorize(policy: &SlaPolicy, p: &Profile) -> (String, u32) {
    let c = policy
        .categorize(p.voltage, p.sources, p.new_line)
        .unwrap_or(&policy.categories[0]);
    (c.key.to_string(), c.limit_working_days.get())
}

// ---------------------------------------------------------------------------
// One ticket: what happens to it, as working-day positions after its
// acceptance (whole part: working days after it; fraction: office hours).

enum Step {
    /// A change of the ticket, applied as the service applies it.
    Act(Action),
    File,
    Answer(usize, Answer),
}

fn advance_step(policy: &SlaPolicy, stage: usize) -> Step {
    Step::Act(Action::Advance {
        to: Some(policy.stages[stage].key.to_string()),
        note: None,
    })
}

fn close_step() -> Step {
    Step::Act(Action::Close {
        note: Some("已送电".into()),
    })
}

/// Pausing at `start` for `reason`, resuming at `stop`.
fn pause_steps(policy: &SlaPolicy, (start, stop, reason): (f64, f64, usize)) -> [(f64, Step); 2] {
    let reason = Some(policy.pause_reasons[reason].key.clone());
    [
        (start, Step::Act(Action::Pause { reason, note: None })),
        (stop, Step::Act(Action::Resume { note: None })),
    ]
}

fn cancel_step() -> Step {
    Step::Act(Action::Cancel {
        note: Some("客户撤回用电申请".into()),
    })
}

/// The request a ticket files: category index and department indexes.
struct Coordination {
    category: usize,
    departments: Vec<usize>,
}

struct Schedule {
    steps: Vec<(f64, Step)>,
    coordination: Option<Coordination>,
}

fn schedule(ctx: &Ctx, p: &Profile, limit: u32, rng: &mut Rng) -> Schedule {
    let policy = &ctx.app.policy;
    let visited = visited_stages(policy, p.important);
    let (mut leave, tail) = leave_positions(policy, &visited, p, limit, rng);
    let pause = plan_pause(policy, &visited, tail, p.voltage, &mut leave, rng);
    let end = leave.last().copied().unwrap_or(p.p0);
    let cancel = rng
        .chance(P_CANCEL)
        .then(|| p.p0 + rng.between(0.05, 0.95) * (end - p.p0));
    let mut steps: Vec<(f64, Step)> = leave
        .iter()
        .enumerate()
        .map(|(k, pos)| match visited.get(k + 1) {
            Some(next) => (*pos, advance_step(policy, *next)),
            None => (*pos, close_step()),
        })
        .collect();
    if let Some(pause) = pause {
        steps.extend(pause_steps(policy, pause));
    }
    let coordination = plan_coordination(ctx, p.p0, cancel.unwrap_or(end), &mut steps, rng);
    if let Some(c) = cancel {
        // Departments may still answer; the ticket does nothing more.
        steps.retain(|(pos, s)| *pos < c || matches!(s, Step::Answer(..)));
        steps.push((c, cancel_step()));
    }
    steps.sort_by(|a, b| a.0.total_cmp(&b.0));
    Schedule {
        steps,
        coordination,
    }
}

/// The stages a ticket goes through: skippable ones only for important customers.
fn visited_stages(policy: &SlaPolicy, important: bool) -> Vec<usize> {
    let last = policy.stages.len() - 1;
    (0..policy.stages.len())
        .filter(|&i| important || i == 0 || i == last || !policy.stages[i].skippable)
        .collect()
}

/// The limit of a stage counted from the acceptance day, if it has one.
fn acceptance_limit(policy: &SlaPolicy, stage: usize, v: VoltageLevel) -> Option<u32> {
    let s = &policy.stages[stage];
    (s.counted_from == CountedFrom::Acceptance)
        .then(|| s.limit_for(v))
        .flatten()
}

/// When each visited stage is left (the last: closed), and where the tail
/// begins: the stages after the last one limited from acceptance.
fn leave_positions(
    policy: &SlaPolicy,
    visited: &[usize],
    p: &Profile,
    limit: u32,
    rng: &mut Rng,
) -> (Vec<f64>, usize) {
    let mut leave = vec![0.0; visited.len()];
    let (mut pos, mut from) = (p.p0, 0);
    // A stage limited from acceptance fixes when it is left; the stages
    // before it are left at random moments before that.
    for k in 0..visited.len() {
        let Some(l) = acceptance_limit(policy, visited[k], p.voltage) else {
            continue;
        };
        let at = anchored_leave(l, pos + 0.05 * (k - from + 1) as f64, rng);
        spread(&mut leave[from..k], pos, at, rng);
        leave[k] = at;
        (pos, from) = (at, k + 1);
    }
    let target = if p.late {
        f64::from(limit) + rng.between(1.0, 12.0)
    } else {
        f64::from(limit) * rng.between(0.45, 0.92)
    };
    let durations = tail_durations(policy, &visited[from..], p.voltage, target - pos, rng);
    for (k, d) in durations.into_iter().enumerate() {
        pos += d;
        leave[from + k] = pos;
    }
    (leave, from)
}

/// Leaving a stage limited to `limit` working days from acceptance: by
/// the end of that day, or a few days late now and then.
fn anchored_leave(limit: u32, earliest: f64, rng: &mut Rng) -> f64 {
    let l = f64::from(limit);
    if rng.chance(P_STAGE_LATE) {
        (l + 1.0 + rng.between(0.0, 3.0)).max(earliest)
    } else if earliest < l + 0.95 {
        rng.between(earliest, l + 0.95)
    } else {
        earliest
    }
}

/// Sorted random positions in `(from, to)` for `slots`.
fn spread(slots: &mut [f64], from: f64, to: f64, rng: &mut Rng) {
    for s in slots.iter_mut() {
        *s = rng.between(from, to);
    }
    slots.sort_by(f64::total_cmp);
}

/// How long each tail stage lasts: a stage limited from its start takes
/// its own time (mostly within it); the others share what is left of
/// `budget` (at least a few hours each).
fn tail_durations(
    policy: &SlaPolicy,
    stages: &[usize],
    v: VoltageLevel,
    budget: f64,
    rng: &mut Rng,
) -> Vec<f64> {
    let own: Vec<Option<f64>> = stages
        .iter()
        .map(|&i| policy.stages[i].limit_for(v).map(|l| own_duration(l, rng)))
        .collect();
    let free = own.iter().filter(|d| d.is_none()).count();
    let weights: Vec<f64> = (0..free).map(|_| rng.between(0.6, 1.4)).collect();
    let sum: f64 = weights.iter().sum();
    let taken: f64 = own.iter().flatten().sum();
    let shared = (budget - taken).max(0.4 * free as f64);
    let mut w = weights.into_iter();
    own.into_iter()
        .map(|d| d.unwrap_or_else(|| shared * w.next().unwrap_or(1.0) / sum))
        .map(|d| d.max(0.05))
        .collect()
}

fn own_duration(limit: u32, rng: &mut Rng) -> f64 {
    let l = f64::from(limit);
    if rng.chance(P_STAGE_LATE) {
        l + 1.0 + rng.between(0.0, 4.0)
    } else {
        rng.between(0.3, (l - 0.1).max(0.35))
    }
}

/// One pause in a tail stage without a limit (the customer designing or
/// building), a few working days to weeks; later steps move by its length.
fn plan_pause(
    policy: &SlaPolicy,
    visited: &[usize],
    tail: usize,
    v: VoltageLevel,
    leave: &mut [f64],
    rng: &mut Rng,
) -> Option<(f64, f64, usize)> {
    if !rng.chance(P_PAUSE) || policy.pause_reasons.is_empty() {
        return None;
    }
    let candidates: Vec<usize> = (tail.max(1)..visited.len())
        .filter(|&k| policy.stages[visited[k]].limit_for(v).is_none())
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let k = *rng.pick(&candidates);
    let enter = leave[k - 1];
    let start = enter + (leave[k] - enter) * rng.between(0.2, 0.7);
    let length = (3 + rng.below(26)) as f64 + rng.between(-0.3, 0.3);
    for l in &mut leave[k..] {
        *l += length;
    }
    let reason = pause_reason(policy, policy.stages[visited[k]].key.as_str(), rng);
    Some((start, start + length, reason))
}

/// The reason fitting the stage (design, construction, documents), or now
/// and then any configured one.
fn pause_reason(policy: &SlaPolicy, stage: &str, rng: &mut Rng) -> usize {
    let fitting = if stage.contains("design") {
        "customer_design"
    } else if stage.contains("inspection") || stage.contains("completion") {
        "customer_construction"
    } else {
        "customer_documents"
    };
    let found = policy.pause_reasons.iter().position(|r| r.key == fitting);
    match found {
        Some(i) if !rng.chance(0.25) => i,
        _ => rng.below(policy.pause_reasons.len()),
    }
}

/// A request to one or two departments while the ticket is live; most
/// answer the same day, most agree.
fn plan_coordination(
    ctx: &Ctx,
    from: f64,
    to: f64,
    steps: &mut Vec<(f64, Step)>,
    rng: &mut Rng,
) -> Option<Coordination> {
    let categories = ctx.app.config.raw.coordination.categories.len();
    let depts = ctx.org.departments.len();
    if !rng.chance(P_COORDINATION) || categories == 0 || depts == 0 {
        return None;
    }
    let filed = from + rng.between(0.1, 0.9) * (to - from);
    let first = rng.below(depts);
    let mut departments = vec![first];
    if depts > 1 && rng.chance(0.3) {
        departments.push((first + 1 + rng.below(depts - 1)) % depts);
    }
    steps.push((filed, Step::File));
    for k in 0..departments.len() {
        if rng.chance(0.9) {
            let answer = match rng.unit() {
                x if x < 0.8 => Answer::Agree,
                x if x < 0.92 => Answer::NeedInfo,
                _ => Answer::Disagree,
            };
            steps.push((filed + rng.between(0.02, 0.4), Step::Answer(k, answer)));
        }
    }
    Some(Coordination {
        category: rng.below(categories),
        departments,
    })
}

fn answer_text(a: Answer) -> &'static str {
    match a {
        Answer::Agree => "同意，按计划安排。",
        Answer::NeedInfo => "请补充负荷清单和用电性质说明。",
        Answer::Disagree => "近期不具备条件，建议提交周协调会。",
    }
}

// ---------------------------------------------------------------------------
// One ticket: played forward to `as_of` with the service's transitions.

/// An event to append (ticket id, sequence and hashes come when written).
struct Draft {
    at: DateTime<Utc>,
    actor: Actor,
    kind: &'static str,
    payload: Value,
    /// `payload.request_id` is the ticket's request's id.
    request: bool,
}

struct RequestPlan {
    row: request::Model,
    targets: Vec<target::Model>,
    departments: Vec<usize>,
}

/// Everything written for one ticket (ids filled in when written).
struct Plan {
    ticket: ticket::Model,
    history: History,
    drafts: Vec<Draft>,
    escalations: Vec<escalation::Model>,
    request: Option<RequestPlan>,
}

fn simulate(ctx: &Ctx, i: u64) -> anyhow::Result<Plan> {
    let mut rng = Rng::new(ctx.spec.seed, i);
    let p = profile(ctx, i, &mut rng);
    let (category, limit) = categorize(&ctx.app.policy, &p);
    let s = schedule(ctx, &p, limit, &mut rng);
    let mut sim = Sim::create(ctx, i, &p, category, s.coordination);
    sim.run(s.steps)?;
    Ok(sim.plan)
}

struct Sim<'c> {
    ctx: &'c Ctx<'c>,
    plan: Plan,
    manager: Actor,
    coordination: Option<Coordination>,
    last_at: DateTime<Utc>,
}

impl<'c> Sim<'c> {
    /// The ticket as the service creates it, with its `created` event.
    fn create(
        ctx: &'c Ctx<'c>,
        i: u64,
        p: &Profile,
        category: String,
        coordination: Option<Coordination>,
    ) -> Sim<'c> {
        let app = ctx.app;
        let at = instant(app, p.accepted_on, p.p0).min(ctx.spec.as_of);
        let center = &ctx.org.centers[p.center];
        let manager = &center.managers[p.manager];
        let mut t = new_ticket(ctx, i, p, category, at);
        let mut history = History::default();
        history.visits.push(Tracked::new(stage_visit::Model {
            id: 0,
            ticket_id: 0,
            stage: t.stage.clone(),
            entered_at: at,
            left_at: None,
        }));
        actions::recompute(app, &mut t, &history, at);
        let limit = app
            .policy
            .category(&t.category)
            .map(|c| c.limit_working_days.get());
        let payload = json!({
            "ticket_no": t.ticket_no, "category": t.category, "limit_working_days": limit,
            "accepted_on": t.accepted_on, "due_date": t.due_date, "provisional": t.provisional,
            "stage": t.stage, "service_center": center.code, "manager": manager.username,
            "calendar_version": t.calendar_version,
        });
        let actor = Actor::person(manager.id, &manager.username);
        let mut sim = Sim {
            ctx,
            plan: Plan {
                ticket: t,
                history,
                drafts: Vec::new(),
                escalations: Vec::new(),
                request: None,
            },
            manager: actor.clone(),
            coordination,
            last_at: at,
        };
        sim.push(at, actor, "created", payload, false);
        sim
    }

    fn push(
        &mut self,
        at: DateTime<Utc>,
        actor: Actor,
        kind: &'static str,
        payload: Value,
        request: bool,
    ) {
        self.plan.drafts.push(Draft {
            at,
            actor,
            kind,
            payload,
            request,
        });
    }

    /// Plays the steps up to `as_of`, with the sweep's escalations between them.
    fn run(&mut self, steps: Vec<(f64, Step)>) -> anyhow::Result<()> {
        let as_of = self.ctx.spec.as_of;
        for (pos, step) in steps {
            let at = instant(self.ctx.app, self.plan.ticket.accepted_on, pos).max(self.last_at);
            if at > as_of {
                break;
            }
            self.escalate_until(at, false);
            self.step(at, step)?;
            self.last_at = at;
        }
        self.escalate_until(as_of, true);
        Ok(())
    }

    fn step(&mut self, at: DateTime<Utc>, step: Step) -> anyhow::Result<()> {
        match step {
            Step::Act(action) => return self.act(at, action),
            Step::File => self.file(at),
            Step::Answer(k, a) => self.answer(at, k, a),
        }
        Ok(())
    }

    fn act(&mut self, at: DateTime<Utc>, action: Action) -> anyhow::Result<()> {
        let t = &mut self.plan.ticket;
        let draft = actions::apply(self.ctx.app, t, &mut self.plan.history, action, at)
            .map_err(|e| anyhow::anyhow!("demo ticket {}: {e}", t.ticket_no))?;
        if let Some((kind, payload)) = draft {
            self.push(at, self.manager.clone(), kind, payload, false);
        }
        Ok(())
    }

    /// The sweep runs every minute: an open ticket escalates at its next
    /// ladder instant, or the minute after the action that made it due.
    /// Up to `limit` (excluded unless `inclusive`).
    fn escalate_until(&mut self, limit: DateTime<Utc>, inclusive: bool) {
        loop {
            let t = &self.plan.ticket;
            if t.status != Status::Open {
                return;
            }
            let Some(next) = t.next_escalation_at else {
                return;
            };
            let at = next.max(self.last_at + Duration::minutes(1));
            if at > limit || (at == limit && !inclusive) || !self.escalate(at) {
                return;
            }
            self.last_at = at;
        }
    }

    /// One escalation as the sweep applies it at `at`; `false` when no
    /// level above the current one is due.
    fn escalate(&mut self, at: DateTime<Utc>) -> bool {
        let app = self.ctx.app;
        let t = &self.plan.ticket;
        let ladder = app.ladder.for_category(&t.category);
        let instants = ladder.instants(&stored_due(t), &app.sla());
        let current = t.escalation_level.max(0) as u32;
        let due_level = ladder.due_level(&instants, at);
        if due_level <= current {
            return false;
        }
        let (to_level, owner, vacancies) = self.ctx.org.escalation(ladder, due_level, t);
        let skipped: Vec<u32> = ladder
            .levels
            .iter()
            .map(|l| l.level)
            .filter(|l| *l > current && *l < due_level)
            .collect();
        let rule = rule_text(ladder.level(due_level).unwrap_or(&ladder.levels[0]));
        let to_owner = owner.as_ref().map_or(t.owner_id, |p| p.id);
        let payload = json!({
            "from_level": current, "to_level": to_level, "due_level": due_level, "rule": rule,
            "from_owner_id": t.owner_id, "to_owner_id": to_owner,
            "to_owner": owner.map(|p| p.username),
            "due_at": t.due_at, "as_of": at, "skipped_levels": skipped,
            "vacancies": vacancies,
        });
        self.plan.escalations.push(escalation::Model {
            id: 0,
            ticket_id: 0,
            round: t.escalation_round,
            level: to_level as i32,
            from_owner_id: t.owner_id,
            to_owner_id: to_owner,
            rule,
            due_at: t.due_at,
            as_of: at,
            created_at: at,
        });
        let next = ladder.next_after(&instants, to_level);
        let t = &mut self.plan.ticket;
        t.owner_id = to_owner;
        t.escalation_level = to_level as i32;
        t.next_escalation_at = next;
        t.updated_at = at;
        self.push(at, Actor::system(), "escalated", payload, false);
        true
    }

    /// Files the ticket's coordination request.
    fn file(&mut self, at: DateTime<Utc>) {
        let Some(c) = &self.coordination else {
            return;
        };
        let app = self.ctx.app;
        let cat = &app.config.raw.coordination.categories[c.category];
        let t = &self.plan.ticket;
        let answer_by = crate::coordination::answer_by(app, at);
        let codes: Vec<&str> = c
            .departments
            .iter()
            .map(|&d| self.ctx.org.departments[d].code.as_str())
            .collect();
        let payload = json!({"request_id": Value::Null, "subject": cat.name_zh, "departments": codes, "answer_by": answer_by});
        let row = request::Model {
            id: 0,
            ticket_id: 0,
            author_id: self.manager.person_id.unwrap_or_default(),
            subject: cat.name_zh.clone(),
            question: format!(
                "{}（{}）：{}，请协助确认。",
                t.customer_name, t.ticket_no, cat.name_zh
            ),
            category: cat.key.clone(),
            attachments: "[]".into(),
            answer_by,
            filed_at: at,
            state: request::State::Open,
            settled_how: None,
            settled_at: None,
        };
        let targets = c
            .departments
            .iter()
            .map(|&d| target::Model {
                id: 0,
                request_id: 0,
                department_id: self.ctx.org.departments[d].id,
                answer: None,
                answer_text: None,
                answered_by: None,
                answered_at: None,
            })
            .collect();
        let departments = c.departments.clone();
        self.plan.request = Some(RequestPlan {
            row,
            targets,
            departments,
        });
        self.push(
            at,
            self.manager.clone(),
            "coordination_filed",
            payload,
            true,
        );
    }

    /// Department `k` of the request answers; every department agreeing
    /// settles it.
    fn answer(&mut self, at: DateTime<Utc>, k: usize, a: Answer) {
        let org = &self.ctx.org;
        let Some(r) = self.plan.request.as_mut() else {
            return;
        };
        if r.row.state != request::State::Open {
            return;
        }
        let dept = &org.departments[r.departments[k]];
        let text = answer_text(a);
        let target = &mut r.targets[k];
        target.answer = Some(a.as_str().into());
        target.answer_text = Some(text.into());
        target.answered_by = Some(dept.member.id);
        target.answered_at = Some(at);
        let settled = r
            .targets
            .iter()
            .all(|t| t.answer.as_deref() == Some("agree"));
        if settled {
            r.row.state = request::State::Settled;
            r.row.settled_how = Some("answers".into());
            r.row.settled_at = Some(at);
        }
        let actor = Actor::person(dept.member.id, &dept.member.username);
        let payload = json!({"request_id": Value::Null, "department": dept.code, "answer": a.as_str(), "text": text});
        self.push(at, actor, "coordination_answered", payload, true);
        if settled {
            let payload = json!({"request_id": Value::Null, "how": "every department agreed"});
            self.push(at, Actor::system(), "coordination_settled", payload, true);
        }
    }
}

/// The ticket row before its first recompute.
fn new_ticket(
    ctx: &Ctx,
    i: u64,
    p: &Profile,
    category: String,
    at: DateTime<Utc>,
) -> ticket::Model {
    let center = &ctx.org.centers[p.center];
    let manager = center.managers[p.manager].id;
    let (customer_name, address) = customer(ctx.spec.seed, p.customer);
    ticket::Model {
        id: 0,
        ticket_no: ticket_no(ctx.spec.seed, i),
        customer_name,
        customer_account_no: format!("{:010}", 8_000_000_000 + p.customer),
        address,
        voltage_level: p.voltage.as_str().into(),
        power_sources: p.sources.as_str().into(),
        new_line: p.new_line,
        category,
        capacity_kva: p.capacity,
        service_center_id: center.id,
        bureau_id: ctx.org.bureau_id,
        manager_id: manager,
        accepted_on: p.accepted_on,
        stage: ctx.app.policy.first_stage().key.to_string(),
        stage_entered_at: at,
        stage_due_date: None,
        stage_due_at: None,
        status: Status::Open,
        owner_id: manager,
        escalation_level: 0,
        next_escalation_at: None,
        escalation_round: 0,
        due_date: p.accepted_on,
        due_at: at,
        provisional: false,
        calendar_version: String::new(),
        closed_at: None,
        created_at: at,
        updated_at: at,
    }
}

/// The deadline as stored on the ticket (what the sweep reads).
fn stored_due(t: &ticket::Model) -> Due {
    Due {
        due_date: t.due_date,
        due_at: t.due_at,
        provisional: t.provisional,
        paused_working_days: 0,
    }
}

// ---------------------------------------------------------------------------
// Writing a chunk: tickets first (for their ids), requests (for theirs),
// then every row that points at them, in one write transaction.

async fn write_chunk(app: &App, plans: Vec<Plan>) -> anyhow::Result<()> {
    let txn = app.begin_write().await?;
    let ids = insert_tickets(&txn, &plans).await?;
    let requests = insert_requests(&txn, &plans, &ids).await?;
    insert_targets(&txn, &plans, &requests).await?;
    insert_asked(&txn, &plans, &ids).await?;
    insert_history(&txn, &plans, &ids).await?;
    insert_escalations(&txn, &plans, &ids).await?;
    insert_events(&txn, plans, &ids, &requests).await?;
    txn.commit().await?;
    Ok(())
}

/// Multi-row inserts of `rows`, as many per statement as the bound
/// parameters allow.
async fn insert_rows<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per = (MAX_PARAMS / columns.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Inserts the tickets; their ids, in the order of `plans`.
async fn insert_tickets(txn: &DatabaseTransaction, plans: &[Plan]) -> anyhow::Result<Vec<i64>> {
    let rows: Vec<ticket::ActiveModel> = plans
        .iter()
        .map(|p| {
            let mut am: ticket::ActiveModel = p.ticket.clone().into();
            am = am.reset_all();
            am.id = NotSet;
            am
        })
        .collect();
    insert_rows(txn, rows).await?;
    let nos: Vec<String> = plans.iter().map(|p| p.ticket.ticket_no.clone()).collect();
    let found: HashMap<String, i64> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::TicketNo)
        .column(ticket::Column::Id)
        .filter(ticket::Column::TicketNo.is_in(nos))
        .into_tuple::<(String, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    plans
        .iter()
        .map(|p| {
            found
                .get(&p.ticket.ticket_no)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("{} was not written", p.ticket.ticket_no))
        })
        .collect()
}

/// Inserts the coordination requests; their ids by plan index.
async fn insert_requests(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<HashMap<usize, i64>> {
    let mut by_ticket = HashMap::new();
    let rows: Vec<request::ActiveModel> = plans
        .iter()
        .zip(ids)
        .enumerate()
        .filter_map(|(k, (p, id))| {
            let r = p.request.as_ref()?;
            by_ticket.insert(*id, k);
            let mut am: request::ActiveModel = r.row.clone().into();
            am = am.reset_all();
            am.id = NotSet;
            am.ticket_id = Set(*id);
            Some(am)
        })
        .collect();
    let mut out = HashMap::new();
    for chunk in rows.chunks(MAX_PARAMS / 12) {
        let saved = request::Entity::insert_many(chunk.to_vec())
            .exec_with_returning(txn)
            .await?;
        for r in saved {
            if let Some(k) = by_ticket.get(&r.ticket_id) {
                out.insert(*k, r.id);
            }
        }
    }
    Ok(out)
}

async fn insert_targets(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    requests: &HashMap<usize, i64>,
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for (k, p) in plans.iter().enumerate() {
        let (Some(r), Some(id)) = (&p.request, requests.get(&k)) else {
            continue;
        };
        for t in &r.targets {
            let mut am: target::ActiveModel = t.clone().into();
            am = am.reset_all();
            am.id = NotSet;
            am.request_id = Set(*id);
            rows.push(am);
        }
    }
    Ok(insert_rows(txn, rows).await?)
}

/// The departments asked about each ticket, with its due instant.
async fn insert_asked(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for (p, id) in plans.iter().zip(ids) {
        let Some(r) = &p.request else { continue };
        for t in &r.targets {
            rows.push(ticket_department::ActiveModel {
                department_id: Set(t.department_id),
                ticket_id: Set(*id),
                due_at: Set(p.ticket.due_at),
            });
        }
    }
    Ok(insert_rows(txn, rows).await?)
}

/// Stage visits and pauses.
async fn insert_history(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<()> {
    let mut visits = Vec::new();
    let mut pauses = Vec::new();
    for (p, id) in plans.iter().zip(ids) {
        for v in &p.history.visits {
            visits.push(stage_visit::ActiveModel {
                id: NotSet,
                ticket_id: Set(*id),
                stage: Set(v.row.stage.clone()),
                entered_at: Set(v.row.entered_at),
                left_at: Set(v.row.left_at),
            });
        }
        for x in &p.history.pauses {
            pauses.push(pause::ActiveModel {
                id: NotSet,
                ticket_id: Set(*id),
                reason: Set(x.row.reason.clone()),
                started_at: Set(x.row.started_at),
                ended_at: Set(x.row.ended_at),
            });
        }
    }
    insert_rows(txn, visits).await?;
    Ok(insert_rows(txn, pauses).await?)
}

async fn insert_escalations(
    txn: &DatabaseTransaction,
    plans: &[Plan],
    ids: &[i64],
) -> anyhow::Result<()> {
    let rows: Vec<escalation::ActiveModel> = plans
        .iter()
        .zip(ids)
        .flat_map(|(p, id)| {
            p.escalations.iter().map(|e| {
                let mut am: escalation::ActiveModel = e.clone().into();
                am = am.reset_all();
                am.id = NotSet;
                am.ticket_id = Set(*id);
                am
            })
        })
        .collect();
    Ok(insert_rows(txn, rows).await?)
}

/// Each ticket's events, numbered from 1 and hash-chained.
async fn insert_events(
    txn: &DatabaseTransaction,
    plans: Vec<Plan>,
    ids: &[i64],
    requests: &HashMap<usize, i64>,
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for (k, (p, id)) in plans.into_iter().zip(ids).enumerate() {
        chain(p.drafts, *id, requests.get(&k).copied(), &mut rows);
    }
    Ok(insert_rows(txn, rows).await?)
}

fn chain(
    drafts: Vec<Draft>,
    ticket_id: i64,
    request_id: Option<i64>,
    out: &mut Vec<event::ActiveModel>,
) {
    let mut prev = String::new();
    for (n, mut d) in drafts.into_iter().enumerate() {
        if d.request {
            d.payload["request_id"] = json!(request_id);
        }
        let payload = d.payload.to_string();
        let seq = n as i32 + 1;
        let hash = event_hash(
            &prev,
            ticket_id,
            seq,
            d.at,
            &d.actor.name,
            d.actor.person_id,
            d.kind,
            &payload,
        );
        out.push(event::ActiveModel {
            id: NotSet,
            ticket_id: Set(ticket_id),
            seq: Set(seq),
            at: Set(d.at),
            actor: Set(d.actor.name),
            actor_id: Set(d.actor.person_id),
            kind: Set(d.kind.into()),
            payload: Set(payload),
            prev_hash: Set(std::mem::take(&mut prev)),
            hash: Set(hash.clone()),
        });
        prev = hash;
    }
}

//! One ticket: who and what it is (customer, center, manager, voltage,
//! capacity, acceptance, whether it will run late).

use chrono::NaiveDate;

use super::Ctx;
use super::rng::Rng;
use crate::sla::{PowerSources, SlaPolicy, VoltageLevel};

/// Share of tickets closed after their deadline.
const P_LATE: f64 = 0.04;

pub(super) struct Profile {
    pub(super) center: usize,
    pub(super) manager: usize,
    pub(super) voltage: VoltageLevel,
    pub(super) sources: PowerSources,
    pub(super) new_line: bool,
    /// Design review and mid-construction inspection apply (skippable stages visited).
    pub(super) important: bool,
    pub(super) capacity: i64,
    pub(super) customer: u64,
    pub(super) accepted_on: NaiveDate,
    /// The acceptance instant's fraction of the office day.
    pub(super) p0: f64,
    /// Closed after its deadline.
    pub(super) late: bool,
}

pub(super) fn profile(ctx: &Ctx, i: u64, rng: &mut Rng) -> Profile {
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
pub(super) fn voltage(rng: &mut Rng) -> VoltageLevel {
    match rng.below(10) {
        0..=5 => VoltageLevel::Kv10,
        6 | 7 => VoltageLevel::Kv20,
        8 => VoltageLevel::Kv35,
        _ => VoltageLevel::Kv110,
    }
}

/// kVA, rounded to 5, by voltage.
pub(super) fn capacity(v: VoltageLevel, rng: &mut Rng) -> i64 {
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
pub(super) fn customer(seed: u64, c: u64) -> (String, String) {
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
pub(super) fn categorize(policy: &SlaPolicy, p: &Profile) -> (String, u32) {
    let c = policy
        .categorize(p.voltage, p.sources, p.new_line)
        .unwrap_or(&policy.categories[0]);
    (c.key.to_string(), c.limit_working_days.get())
}

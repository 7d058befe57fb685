//! The owner escalation ladder (主人升级): levels, the role that owns a
//! ticket at each level, and when each level falls due relative to the
//! ticket's deadline. Pure: instants are computed from (due, calendar, zone).

use std::collections::HashMap;

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::deadline::{Due, SlaClock};
use crate::config::ConfigError;
use crate::org::Role;

/// How long before the deadline a level falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "unit", content = "n", rename_all = "snake_case")]
pub enum Offset {
    /// Calendar months before `due_at` (same day-of-month, clamped).
    Months(u32),
    /// Calendar days before `due_at`.
    Days(u32),
    /// The end of the working day lying this many working days before the due date.
    WorkingDays(u32),
}

impl Offset {
    /// Parses `1 month`, `10 days`, `10 working days`, `0` (at the deadline).
    pub fn parse(s: &str) -> Result<Offset, String> {
        let t = s.trim().to_ascii_lowercase();
        if t == "0" {
            return Ok(Offset::Days(0));
        }
        let (n, unit) = t.split_once(' ').ok_or_else(|| {
            format!("`{s}` is not like `1 month`, `10 days` or `10 working days`")
        })?;
        let n: u32 = n
            .parse()
            .map_err(|_| format!("`{n}` is not a whole number"))?;
        match unit.trim() {
            "month" | "months" => Ok(Offset::Months(n)),
            "day" | "days" => Ok(Offset::Days(n)),
            "working day" | "working days" => Ok(Offset::WorkingDays(n)),
            other => Err(format!(
                "`{other}` is not one of months, days, working days"
            )),
        }
    }
}

/// One rung: at `level`, the holder of `role` owns the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Level {
    pub level: u32,
    pub role: Role,
    pub before_due: Offset,
}

/// A ladder: level 0 is the customer manager, then the configured levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Ladder {
    pub levels: Vec<Level>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LevelConfig {
    pub level: u32,
    pub role: String,
    pub before_due: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LadderConfig {
    pub levels: Vec<LevelConfig>,
    /// Category key → its own levels.
    #[serde(default)]
    pub categories: HashMap<String, Vec<LevelConfig>>,
}

/// The default ladder and the category-specific ones.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LadderPolicy {
    pub default: Ladder,
    pub by_category: HashMap<String, Ladder>,
}

fn ladder_from(levels: &[LevelConfig], key: &str) -> Result<Ladder, ConfigError> {
    let mut out: Vec<Level> = Vec::new();
    for (i, l) in levels.iter().enumerate() {
        let at = |f: &str| format!("{key}[{i}].{f}");
        let role = Role::parse(&l.role).map_err(|m| ConfigError::invalid(at("role"), m))?;
        let before_due =
            Offset::parse(&l.before_due).map_err(|m| ConfigError::invalid(at("before_due"), m))?;
        if l.level == 0 {
            return Err(ConfigError::invalid(
                at("level"),
                "level 0 is the customer manager; configured levels start at 1",
            ));
        }
        if out.last().is_some_and(|p| p.level >= l.level) {
            return Err(ConfigError::invalid(at("level"), "levels must increase"));
        }
        out.push(Level {
            level: l.level,
            role,
            before_due,
        });
    }
    if out.is_empty() {
        return Err(ConfigError::invalid(
            key.to_string(),
            "at least one level is needed",
        ));
    }
    Ok(Ladder { levels: out })
}

impl LadderPolicy {
    pub fn from_config(
        c: &LadderConfig,
        category_keys: &[String],
    ) -> Result<LadderPolicy, ConfigError> {
        let default = ladder_from(&c.levels, "ladder.levels")?;
        let mut by_category = HashMap::new();
        for (cat, levels) in &c.categories {
            if !category_keys.contains(cat) {
                return Err(ConfigError::invalid(
                    format!("ladder.categories.{cat}"),
                    "no such category in sla.categories",
                ));
            }
            by_category.insert(
                cat.clone(),
                ladder_from(levels, &format!("ladder.categories.{cat}"))?,
            );
        }
        Ok(LadderPolicy {
            default,
            by_category,
        })
    }

    pub fn for_category(&self, key: &str) -> &Ladder {
        self.by_category.get(key).unwrap_or(&self.default)
    }
}

/// A level and the instant it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct LevelDue {
    pub level: u32,
    pub at: DateTime<Utc>,
}

impl Ladder {
    pub fn level(&self, level: u32) -> Option<&Level> {
        self.levels.iter().find(|l| l.level == level)
    }

    pub fn top(&self) -> u32 {
        self.levels.last().map_or(0, |l| l.level)
    }

    /// When each level falls due for a ticket with deadline `due`.
    pub fn instants(&self, due: &Due, sla: &SlaClock) -> Vec<LevelDue> {
        self.levels
            .iter()
            .map(|l| LevelDue {
                level: l.level,
                at: level_instant(l.before_due, due, sla),
            })
            .collect()
    }

    /// The highest level due at `as_of` (0 when none).
    pub fn due_level(&self, instants: &[LevelDue], as_of: DateTime<Utc>) -> u32 {
        instants
            .iter()
            .filter(|l| l.at <= as_of)
            .map(|l| l.level)
            .max()
            .unwrap_or(0)
    }

    /// When the next level above `current` falls due.
    pub fn next_after(&self, instants: &[LevelDue], current: u32) -> Option<DateTime<Utc>> {
        instants
            .iter()
            .filter(|l| l.level > current)
            .map(|l| l.at)
            .min()
    }
}

/// The instant lying `offset` before the deadline `due`.
pub(crate) fn level_instant(offset: Offset, due: &Due, sla: &SlaClock) -> DateTime<Utc> {
    // `due_at` is 00:00 local of the day after the due date.
    let day_after: NaiveDate = due.due_date + Days::new(1);
    match offset {
        Offset::Months(n) => sla.start_of(
            day_after
                .checked_sub_months(Months::new(n))
                .unwrap_or(day_after),
        ),
        Offset::Days(n) => sla.start_of(day_after - Days::new(n.into())),
        Offset::WorkingDays(0) => due.due_at,
        Offset::WorkingDays(n) => {
            let mut d = due.due_date;
            let mut left = n;
            while left > 0 {
                d = d - Days::new(1);
                if sla.calendar.is_working_day_provisional(d).0 {
                    left -= 1;
                }
            }
            sla.end_of(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    fn at(s: &str) -> DateTime<Utc> {
        let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Shanghai
            .from_local_datetime(&n)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn ladder() -> Ladder {
        let c = LadderConfig {
            levels: vec![
                LevelConfig {
                    level: 1,
                    role: "center_director".into(),
                    before_due: "1 month".into(),
                },
                LevelConfig {
                    level: 2,
                    role: "deputy_head".into(),
                    before_due: "10 days".into(),
                },
                LevelConfig {
                    level: 3,
                    role: "head".into(),
                    before_due: "0".into(),
                },
            ],
            categories: HashMap::new(),
        };
        LadderPolicy::from_config(&c, &[]).unwrap().default
    }

    #[test]
    fn default_ladder_instants() {
        let cal = Calendar::builtin();
        let sla = SlaClock::new(&cal, Shanghai);
        // Accepted 2026-01-05, 80 working days: due 2026-05-07, due_at 05-08 00:00.
        let due = sla.ticket_due(
            "2026-01-05".parse().unwrap(),
            80,
            &[],
            at("2026-01-05 09:00"),
        );
        let l = ladder();
        let i = l.instants(&due, &sla);
        assert_eq!(i[0].at, at("2026-04-08 00:00"));
        assert_eq!(i[1].at, at("2026-04-28 00:00"));
        assert_eq!(i[2].at, at("2026-05-08 00:00"));
        assert_eq!(l.due_level(&i, at("2026-04-07 23:59")), 0);
        assert_eq!(l.due_level(&i, at("2026-04-08 00:00")), 1);
        assert_eq!(l.due_level(&i, at("2026-05-20 00:00")), 3);
        assert_eq!(l.next_after(&i, 1), Some(at("2026-04-28 00:00")));
        assert_eq!(l.next_after(&i, 3), None);
    }

    #[test]
    fn working_day_offsets_skip_rest_days() {
        let cal = Calendar::builtin();
        let sla = SlaClock::new(&cal, Shanghai);
        let due = sla.ticket_due(
            "2026-01-30".parse().unwrap(),
            20,
            &[],
            at("2026-01-30 09:00"),
        );
        assert_eq!(due.due_date, "2026-03-05".parse::<NaiveDate>().unwrap());
        // 10 working days before 03-05, across the Spring Festival (02-15..23)
        // and the make-up Saturdays 02-14 and 02-28: the end of 02-13, when
        // the ten working days 02-14 … 03-05 are all still ahead.
        let t = level_instant(Offset::WorkingDays(10), &due, &sla);
        assert_eq!(t, at("2026-02-14 00:00"));
        assert_eq!(
            cal.between("2026-02-13".parse().unwrap(), due.due_date)
                .unwrap(),
            10
        );
    }

    #[test]
    fn a_category_may_have_its_own_ladder() {
        let c = crate::config::Config::from_toml_overrides(
            "[[ladder.categories.mv_new_dual]]\nlevel = 1\nrole = \"deputy_head\"\nbefore_due = \"15 working days\"",
        )
        .unwrap();
        let p = c.ladder_policy();
        assert_eq!(p.for_category("mv_new_dual").levels.len(), 1);
        assert_eq!(
            p.for_category("mv_new_dual").levels[0].before_due,
            Offset::WorkingDays(15)
        );
        assert_eq!(
            p.for_category("mv_new_single").levels.len(),
            3,
            "the default ladder"
        );
        let e = crate::config::Config::from_toml_overrides(
            "[[ladder.categories.nope]]\nlevel = 1\nrole = \"head\"\nbefore_due = \"0\"",
        )
        .unwrap_err();
        assert!(e.to_string().contains("ladder.categories.nope"), "{e}");
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(Offset::parse("1 month"), Ok(Offset::Months(1)));
        assert_eq!(Offset::parse("10 days"), Ok(Offset::Days(10)));
        assert_eq!(
            Offset::parse("10 working days"),
            Ok(Offset::WorkingDays(10))
        );
        assert_eq!(Offset::parse("0"), Ok(Offset::Days(0)));
        assert!(Offset::parse("soon").is_err());
        assert!(Offset::parse("3 weeks").is_err());
    }
}

//! The SLA policy from configuration: ticket categories and their limits,
//! the ordered stages and their limits, and the pause reasons.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::{CategoryKey, StageKey, WorkingDays};
use crate::config::ConfigError;

/// Supply voltage of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum VoltageLevel {
    #[serde(rename = "10kV")]
    Kv10,
    #[serde(rename = "20kV")]
    Kv20,
    #[serde(rename = "35kV")]
    Kv35,
    #[serde(rename = "110kV")]
    Kv110,
    #[serde(rename = "220kV")]
    Kv220,
}

impl VoltageLevel {
    pub const ALL: [VoltageLevel; 5] = [
        VoltageLevel::Kv10,
        VoltageLevel::Kv20,
        VoltageLevel::Kv35,
        VoltageLevel::Kv110,
        VoltageLevel::Kv220,
    ];

    /// Accepts `10kV`, `10kv`, `10 kV` or `10`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase().replace(' ', "");
        let t = t.strip_suffix("kv").unwrap_or(&t);
        Self::ALL
            .into_iter()
            .find(|v| v.kv().to_string() == t)
            .ok_or_else(|| format!("`{s}` is not one of 10kV, 20kV, 35kV, 110kV, 220kV"))
    }

    pub fn kv(self) -> u32 {
        match self {
            VoltageLevel::Kv10 => 10,
            VoltageLevel::Kv20 => 20,
            VoltageLevel::Kv35 => 35,
            VoltageLevel::Kv110 => 110,
            VoltageLevel::Kv220 => 220,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VoltageLevel::Kv10 => "10kV",
            VoltageLevel::Kv20 => "20kV",
            VoltageLevel::Kv35 => "35kV",
            VoltageLevel::Kv110 => "110kV",
            VoltageLevel::Kv220 => "220kV",
        }
    }
}

/// Single or dual power source (单电源 / 双电源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PowerSources {
    Single,
    Dual,
}

impl PowerSources {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "single" => Ok(PowerSources::Single),
            "dual" => Ok(PowerSources::Dual),
            _ => Err(format!("`{s}` is not one of single, dual")),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PowerSources::Single => "single",
            PowerSources::Dual => "dual",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SlaConfig {
    pub categories: Vec<CategoryConfig>,
    pub stages: Vec<StageConfig>,
    pub pause_reasons: Vec<NamedConfig>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CategoryConfig {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub limit_working_days: u32,
    pub new_line: Option<bool>,
    pub power_sources: Option<String>,
    #[serde(default)]
    pub voltage_levels: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StageConfig {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub limit_working_days: Option<u32>,
    pub counted_from: Option<String>,
    #[serde(default)]
    pub skippable: bool,
    pub min_voltage_kv: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NamedConfig {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A ticket category with its limit and the tickets it applies to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Category {
    pub key: CategoryKey,
    pub name_zh: String,
    pub name_en: String,
    pub limit_working_days: WorkingDays,
    pub new_line: Option<bool>,
    pub power_sources: Option<PowerSources>,
    pub voltage_levels: Vec<VoltageLevel>,
}

impl Category {
    fn matches(&self, v: VoltageLevel, p: PowerSources, new_line: bool) -> bool {
        self.new_line.is_none_or(|n| n == new_line)
            && self.power_sources.is_none_or(|x| x == p)
            && (self.voltage_levels.is_empty() || self.voltage_levels.contains(&v))
    }
}

/// Where a stage's limit is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountedFrom {
    /// The ticket's acceptance day (day 0).
    Acceptance,
    /// The day the ticket entered this stage (day 0).
    StageStart,
}

/// One stage of the ordered stage list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stage {
    pub key: StageKey,
    pub name_zh: String,
    pub name_en: String,
    pub limit_working_days: Option<WorkingDays>,
    pub counted_from: CountedFrom,
    pub skippable: bool,
    pub min_voltage_kv: Option<u32>,
}

impl Stage {
    /// The limit in force for a ticket at `voltage`, if any.
    pub fn limit_for(&self, voltage: VoltageLevel) -> Option<u32> {
        match self.min_voltage_kv {
            Some(min) if voltage.kv() < min => None,
            _ => self.limit_working_days.map(WorkingDays::get),
        }
    }
}

/// A configured pause reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PauseReason {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

/// The validated SLA policy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaPolicy {
    pub categories: Vec<Category>,
    pub stages: Vec<Stage>,
    pub pause_reasons: Vec<PauseReason>,
}

fn bad(key: String, problem: impl Into<String>) -> ConfigError {
    ConfigError::invalid(key, problem)
}

/// A configured key, parsed by `parse`, once in its list.
fn check_key<K: PartialEq + Clone + std::fmt::Display>(
    raw: &str,
    parse: impl Fn(&str) -> Result<K, String>,
    at: String,
    seen: &mut Vec<K>,
) -> Result<K, ConfigError> {
    let key = parse(raw).map_err(|e| bad(at.clone(), e))?;
    if seen.contains(&key) {
        return Err(bad(at, format!("`{key}` appears twice")));
    }
    seen.push(key.clone());
    Ok(key)
}

impl SlaPolicy {
    /// Validates the configuration; errors name the offending key.
    pub fn from_config(c: &SlaConfig) -> Result<SlaPolicy, ConfigError> {
        if c.categories.is_empty() {
            return Err(bad(
                "sla.categories".into(),
                "at least one category is needed",
            ));
        }
        if c.stages.is_empty() {
            return Err(bad("sla.stages".into(), "at least one stage is needed"));
        }
        let mut seen = Vec::new();
        let mut categories = Vec::new();
        for (i, cat) in c.categories.iter().enumerate() {
            let at = |f: &str| format!("sla.categories[{i}].{f}");
            let key = check_key(&cat.key, CategoryKey::parse, at("key"), &mut seen)?;
            let limit = WorkingDays::new(cat.limit_working_days)
                .map_err(|e| bad(at("limit_working_days"), e))?;
            let power_sources = cat
                .power_sources
                .as_deref()
                .map(PowerSources::parse)
                .transpose()
                .map_err(|e| bad(at("power_sources"), e))?;
            let voltage_levels = cat
                .voltage_levels
                .iter()
                .map(|v| VoltageLevel::parse(v))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(at("voltage_levels"), e))?;
            categories.push(Category {
                key,
                name_zh: cat.name_zh.clone(),
                name_en: cat.name_en.clone(),
                limit_working_days: limit,
                new_line: cat.new_line,
                power_sources,
                voltage_levels,
            });
        }
        let mut seen = Vec::new();
        let mut stages = Vec::new();
        for (i, st) in c.stages.iter().enumerate() {
            let at = |f: &str| format!("sla.stages[{i}].{f}");
            let key = check_key(&st.key, StageKey::parse, at("key"), &mut seen)?;
            let counted_from = match st.counted_from.as_deref() {
                None | Some("stage_start") => CountedFrom::StageStart,
                Some("acceptance") => CountedFrom::Acceptance,
                Some(other) => {
                    return Err(bad(
                        at("counted_from"),
                        format!("`{other}` is not one of acceptance, stage_start"),
                    ));
                }
            };
            let limit = st
                .limit_working_days
                .map(WorkingDays::new)
                .transpose()
                .map_err(|e| {
                    bad(
                        at("limit_working_days"),
                        format!("{e} (omit for unlimited)"),
                    )
                })?;
            stages.push(Stage {
                key,
                name_zh: st.name_zh.clone(),
                name_en: st.name_en.clone(),
                limit_working_days: limit,
                counted_from,
                skippable: st.skippable,
                min_voltage_kv: st.min_voltage_kv,
            });
        }
        if stages[0].skippable {
            return Err(bad(
                "sla.stages[0].skippable".into(),
                "the first stage cannot be skipped",
            ));
        }
        let mut seen = Vec::new();
        let mut pause_reasons = Vec::new();
        for (i, r) in c.pause_reasons.iter().enumerate() {
            check_key(
                &r.key,
                super::words::key,
                format!("sla.pause_reasons[{i}].key"),
                &mut seen,
            )?;
            pause_reasons.push(PauseReason {
                key: r.key.clone(),
                name_zh: r.name_zh.clone(),
                name_en: r.name_en.clone(),
            });
        }
        Ok(SlaPolicy {
            categories,
            stages,
            pause_reasons,
        })
    }

    /// The first category whose filters match the ticket.
    pub fn categorize(
        &self,
        v: VoltageLevel,
        p: PowerSources,
        new_line: bool,
    ) -> Option<&Category> {
        self.categories.iter().find(|c| c.matches(v, p, new_line))
    }

    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }

    pub fn stage_index(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key == key)
    }

    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    pub fn first_stage(&self) -> &Stage {
        &self.stages[0]
    }

    pub fn last_stage(&self) -> &Stage {
        &self.stages[self.stages.len() - 1]
    }

    pub fn pause_reason(&self, key: &str) -> Option<&PauseReason> {
        self.pause_reasons.iter().find(|r| r.key == key)
    }

    /// Whether a ticket in stage `from` may advance to `to`: forward only,
    /// jumping over skippable stages only.
    pub fn can_advance(&self, from: &str, to: &str) -> Result<(), String> {
        let (Some(i), Some(j)) = (self.stage_index(from), self.stage_index(to)) else {
            return Err(format!("unknown stage `{to}`"));
        };
        if j <= i {
            return Err(format!(
                "stage `{to}` is not after `{from}`; stages only move forward"
            ));
        }
        if let Some(s) = self.stages[i + 1..j].iter().find(|s| !s.skippable) {
            return Err(format!("stage `{}` cannot be skipped", s.key));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn policy() -> SlaPolicy {
        Config::from_toml_overrides("").unwrap().sla_policy()
    }

    #[test]
    fn default_categories_match_the_domain_table() {
        let p = policy();
        let lim = |ps, nl| {
            p.categorize(VoltageLevel::Kv10, ps, nl)
                .map(|c| (c.key.to_string(), c.limit_working_days.get()))
        };
        assert_eq!(
            lim(PowerSources::Single, false),
            Some(("mv_existing_single".to_string(), 80))
        );
        assert_eq!(
            lim(PowerSources::Dual, false),
            Some(("mv_existing_dual".to_string(), 80))
        );
        assert_eq!(
            lim(PowerSources::Single, true),
            Some(("mv_new_single".to_string(), 80))
        );
        assert_eq!(
            lim(PowerSources::Dual, true),
            Some(("mv_new_dual".to_string(), 90))
        );
    }

    #[test]
    fn advancing_skips_only_skippable_stages() {
        let p = policy();
        assert!(p.can_advance("accept", "site_survey").is_ok());
        assert!(
            p.can_advance("supply_plan", "completion_acceptance")
                .is_ok()
        );
        assert!(p.can_advance("accept", "supply_plan").is_err());
        assert!(p.can_advance("supply_plan", "accept").is_err());
        assert!(p.can_advance("accept", "nowhere").is_err());
    }

    #[test]
    fn voltage_parses_loosely() {
        assert_eq!(VoltageLevel::parse("10kV"), Ok(VoltageLevel::Kv10));
        assert_eq!(VoltageLevel::parse("110 KV"), Ok(VoltageLevel::Kv110));
        assert_eq!(VoltageLevel::parse("35"), Ok(VoltageLevel::Kv35));
        assert!(VoltageLevel::parse("400V").is_err());
    }

    #[test]
    fn bad_stage_config_names_the_key() {
        let e = Config::from_toml_overrides(
            "[[sla.stages]]\nkey = \"a\"\nname_zh = \"a\"\nname_en = \"a\"\ncounted_from = \"moon\"",
        )
        .unwrap_err();
        assert!(e.to_string().contains("sla.stages[0].counted_from"), "{e}");
    }
}

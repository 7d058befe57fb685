//! Layered configuration: the built-in `config/default.toml` < a file given
//! with `--config` < environment variables `YEKUO__SECTION__KEY`.
//!
//! Everything is validated once at start-up into typed values; an invalid
//! setting stops start-up with a message naming the key and the problem.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

use crate::calendar::{Calendar, CalendarFile};
use crate::sla::SlaPolicy;

/// The defaults compiled into the binary, so it runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// A secret string (password): never printed by `Debug` or `Display`.
/// Reads numbers and booleans too, since an environment variable such as
/// `YEKUO__DATABASE__PASSWORD=123456` arrives typed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i128),
            Float(f64),
            Bool(bool),
        }
        Ok(Secret(match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Int(i) => i.to_string(),
            Raw::Float(f) => f.to_string(),
            Raw::Bool(b) => b.to_string(),
        }))
    }
}

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret value; call only where it is handed to a driver.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerConfig {
    pub bind: String,
    pub base_url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TimeConfig {
    pub zone: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CalendarConfig {
    #[serde(default)]
    pub files: Vec<PathBuf>,
    #[serde(default)]
    pub dir: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogConfig {
    pub filter: String,
    /// `text` or `json` (one object a line).
    #[serde(default)]
    pub format: crate::logging::LogFormat,
}

/// `[metrics]`: where Prometheus scrapes `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MetricsConfig {
    /// A separate listener (`127.0.0.1:9090`) serving `/metrics` without
    /// authentication (keep it inside the cluster); empty: none.
    #[serde(default)]
    pub bind: String,
    /// The bearer token `/metrics` on `server.bind` asks for; empty: not
    /// served there.
    #[serde(default)]
    pub token: Secret,
}

pub use crate::auth::settings::AuthConfig;
pub use crate::coordination::settings::{CoordinationConfig, CoordinationTimes};
pub use crate::db::{DatabaseConfig, redact_url};
pub use crate::mail::settings::MailConfig;
pub use crate::scheduler::SchedulerConfig;

/// The raw configuration as read from the layers.
#[derive(Debug, Clone, Deserialize)]
pub struct RawConfig {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub time: TimeConfig,
    pub calendar: CalendarConfig,
    pub mail: MailConfig,
    pub auth: AuthConfig,
    pub scheduler: SchedulerConfig,
    pub coordination: CoordinationConfig,
    pub log: LogConfig,
    pub sla: crate::sla::SlaConfig,
    pub ladder: crate::sla::LadderConfig,
    pub lights: crate::sla::LightsConfig,
    #[serde(default)]
    pub reports: ReportsConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub ical: crate::ical::IcalConfig,
}

/// `[reports]`.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportsConfig {
    /// The customers per customer manager a bureau aims for (1 : 50).
    #[serde(default = "fifty")]
    pub customers_per_manager: u32,
}

fn fifty() -> u32 {
    50
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            customers_per_manager: fifty(),
        }
    }
}

/// Validated configuration, ready to use: what requests read is parsed
/// into types here, at load, so nothing fails on it later.
#[derive(Debug, Clone)]
pub struct Config {
    pub raw: RawConfig,
    pub bind: SocketAddr,
    pub zone: chrono_tz::Tz,
    /// The coordination day: cut-off, end of day, digest and meeting.
    pub coordination: CoordinationTimes,
    /// Categories, stages and pause reasons.
    pub sla: SlaPolicy,
    /// The escalation ladders.
    pub ladder: crate::sla::LadderPolicy,
    /// When an open ticket turns yellow and red.
    pub lights: crate::sla::Lights,
}

/// A configuration problem, naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Read(String),
    #[error("configuration key `{key}`: {problem}")]
    Invalid { key: String, problem: String },
    /// Keys no setting reads: typos such as `[mail] smtp_hots` or
    /// `YEKUO__LOG__FORMT`, refused rather than silently ignored.
    #[error("unknown configuration key{}: {} (config/default.toml lists every key)", if .0.len() == 1 { "" } else { "s" }, .0.join(", "))]
    Unknown(Vec<String>),
}

impl ConfigError {
    pub fn invalid(key: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError::Invalid {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

/// The keys of the layers that no setting reads, as dotted paths
/// (`mail.smtp_hots`), sorted.
fn unknown_keys(fig: &Figment) -> Vec<String> {
    let Ok(value) = fig.extract::<figment::value::Value>() else {
        return Vec::new();
    };
    let mut unknown = Vec::new();
    // The settings were read already; this pass only notes what is left over.
    let _ = serde_ignored::deserialize(&value, |path| unknown.push(path.to_string()))
        .map(|_: RawConfig| ());
    unknown.sort();
    unknown.dedup();
    unknown
}

impl Config {
    /// Loads the layers: defaults, an optional file, then `YEKUO__*` env.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_with_env(file, true)
    }

    /// Like [`Config::load`]; `with_env = false` ignores the environment
    /// (tests build configs that must not see the developer's variables).
    pub fn load_with_env(file: Option<&Path>, with_env: bool) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Read(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            fig = fig.merge(Toml::file(path));
        }
        if with_env {
            fig = fig.merge(Env::prefixed("YEKUO__").split("__"));
        }
        Self::from_figment(fig)
    }

    /// Builds from defaults plus extra TOML text (used by tests).
    pub fn from_toml_overrides(extra: &str) -> Result<Config, ConfigError> {
        Self::from_toml_layers(&[extra])
    }

    /// Builds from defaults plus several TOML layers, later ones winning.
    pub fn from_toml_layers(layers: &[&str]) -> Result<Config, ConfigError> {
        let fig = layers
            .iter()
            .fold(Figment::from(Toml::string(DEFAULT_TOML)), |f, l| {
                f.merge(Toml::string(l))
            });
        Self::from_figment(fig)
    }

    fn from_figment(fig: Figment) -> Result<Config, ConfigError> {
        let raw: RawConfig = fig.extract().map_err(|e| {
            let key = e.path.join(".");
            if key.is_empty() {
                ConfigError::Read(e.to_string())
            } else {
                ConfigError::invalid(key, e.kind.to_string())
            }
        })?;
        let unknown = unknown_keys(&fig);
        if !unknown.is_empty() {
            return Err(ConfigError::Unknown(unknown));
        }
        Self::validate(raw)
    }

    fn validate(raw: RawConfig) -> Result<Config, ConfigError> {
        let bind: SocketAddr = raw.server.bind.parse().map_err(|_| {
            ConfigError::invalid(
                "server.bind",
                format!(
                    "`{}` is not an address like 127.0.0.1:8080",
                    raw.server.bind
                ),
            )
        })?;
        let zone: chrono_tz::Tz = raw.time.zone.parse().map_err(|_| {
            ConfigError::invalid(
                "time.zone",
                format!("`{}` is not an IANA time zone", raw.time.zone),
            )
        })?;
        let url = &raw.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::invalid(
                "database.url",
                "must start with sqlite: or postgres://",
            ));
        }
        if raw.database.max_connections == 0 || raw.database.sqlite_readers == 0 {
            return Err(ConfigError::invalid(
                "database.max_connections",
                "max_connections and sqlite_readers must be at least 1",
            ));
        }
        if raw.database.cache_kib < 256 {
            return Err(ConfigError::invalid(
                "database.cache_kib",
                "must be at least 256",
            ));
        }
        raw.mail.validate()?;
        if raw.auth.credential_cache_seconds > 5 {
            return Err(ConfigError::invalid(
                "auth.credential_cache_seconds",
                "must be 5 or less: a revocation on another instance takes effect within it",
            ));
        }
        if raw.auth.session_hours == 0 || raw.auth.max_failures == 0 {
            return Err(ConfigError::invalid(
                "auth",
                "session_hours and max_failures must be at least 1",
            ));
        }
        let coordination = raw.coordination.times()?;
        if raw.coordination.categories.is_empty() {
            return Err(ConfigError::invalid(
                "coordination.categories",
                "at least one category is needed",
            ));
        }
        if !raw.metrics.bind.is_empty() && raw.metrics.bind.parse::<SocketAddr>().is_err() {
            return Err(ConfigError::invalid(
                "metrics.bind",
                format!(
                    "`{}` is not an address like 127.0.0.1:9090",
                    raw.metrics.bind
                ),
            ));
        }
        let sla = SlaPolicy::from_config(&raw.sla)?;
        let keys: Vec<String> = sla.categories.iter().map(|c| c.key.to_string()).collect();
        let ladder = crate::sla::LadderPolicy::from_config(&raw.ladder, &keys)?;
        let lights = crate::sla::Lights::from_config(&raw.lights)?;
        Ok(Config {
            raw,
            bind,
            zone,
            coordination,
            sla,
            ladder,
            lights,
        })
    }

    /// The settings in force, for admins to look at: secrets are masked.
    pub fn public_view(&self) -> serde_json::Value {
        let r = &self.raw;
        let mask = |s: &Secret| if s.is_empty() { "" } else { "***" };
        serde_json::json!({
            "server": {"bind": r.server.bind, "base_url": r.server.base_url},
            "database": {
                "url": redact_url(&r.database.url), "password": mask(&r.database.password),
                "migrate_on_start": r.database.migrate_on_start, "max_connections": r.database.max_connections,
                "busy_timeout_seconds": r.database.busy_timeout_seconds, "cache_kib": r.database.cache_kib,
                "sqlite_readers": r.database.sqlite_readers,
            },
            "time": {"zone": r.time.zone},
            "calendar": {"dir": r.calendar.dir, "files": r.calendar.files},
            "mail": {
                "transport": r.mail.transport, "dir": r.mail.dir, "from": r.mail.from,
                "smtp_host": r.mail.smtp_host, "smtp_port": r.mail.smtp_port,
                "smtp_username": r.mail.smtp_username, "smtp_password": mask(&r.mail.smtp_password),
                "smtp_security": r.mail.smtp_security, "smtp_timeout_seconds": r.mail.smtp_timeout_seconds,
                "smtp_pool_size": r.mail.smtp_pool_size, "message_id_domain": r.mail.message_id_domain,
                "claim_seconds": r.mail.claim_seconds, "retry_base_seconds": r.mail.retry_base_seconds,
                "retry_max_seconds": r.mail.retry_max_seconds, "max_attempts": r.mail.max_attempts,
                "batch_size": r.mail.batch_size,
            },
            "scheduler": {
                "enabled": r.scheduler.enabled, "sweep_cron": r.scheduler.sweep_cron,
                "delivery_cron": r.scheduler.delivery_cron, "digest_cron": r.scheduler.digest_cron,
                "snapshot_cron": r.scheduler.snapshot_cron, "lease_seconds": r.scheduler.lease_seconds,
            },
            "coordination": {
                "office_start": r.coordination.office_start,
                "cutoff": r.coordination.cutoff, "end_of_day": r.coordination.end_of_day,
                "digest_time": r.coordination.digest_time, "meeting_weekday": r.coordination.meeting_weekday,
                "meeting_time": r.coordination.meeting_time, "meeting_participants": r.coordination.meeting_participants,
                "cross_bureau": r.coordination.cross_bureau,
            },
            "auth": {
                "session_hours": r.auth.session_hours, "max_failures": r.auth.max_failures,
                "failure_window_minutes": r.auth.failure_window_minutes, "lock_minutes": r.auth.lock_minutes,
                "failure_delay_ms": r.auth.failure_delay_ms, "trust_forwarded_for": r.auth.trust_forwarded_for,
            },
            "log": {"filter": r.log.filter, "format": format!("{:?}", r.log.format).to_lowercase()},
            "metrics": {"bind": r.metrics.bind, "token": mask(&r.metrics.token)},
            "ical": {"alarm_working_days": r.ical.alarm_working_days},
        })
    }

    /// The escalation ladders, validated.
    pub fn ladder_policy(&self) -> crate::sla::LadderPolicy {
        self.ladder.clone()
    }

    /// The SLA policy (categories, stages, pause reasons), validated.
    pub fn sla_policy(&self) -> SlaPolicy {
        self.sla.clone()
    }

    /// The working-day calendar: built-in years, overlaid by files in
    /// `calendar.dir` (same file name replaces a built-in one) and
    /// `calendar.files`.
    pub fn load_calendar(&self) -> Result<Calendar, ConfigError> {
        let mut texts: Vec<(String, String)> = Calendar::builtin_files()
            .into_iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let mut paths: Vec<PathBuf> = Vec::new();
        let dir = Path::new(&self.raw.calendar.dir);
        if !self.raw.calendar.dir.is_empty() && dir.is_dir() {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| ConfigError::invalid("calendar.dir", e.to_string()))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            paths.extend(found);
        }
        paths.extend(self.raw.calendar.files.iter().cloned());
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError::invalid("calendar.files", format!("{}: {e}", path.display()))
            })?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            texts.retain(|(n, _)| *n != name);
            texts.push((name, text));
        }
        let files = texts
            .iter()
            .map(|(n, t)| CalendarFile::parse(n, t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ConfigError::invalid("calendar", e.to_string()))?;
        Calendar::from_files(files).map_err(|e| ConfigError::invalid("calendar", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load_and_validate() {
        let c = Config::from_toml_overrides("").unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.zone, chrono_tz::Asia::Shanghai);
        assert_eq!(c.sla_policy().categories.len(), 4);
    }

    #[test]
    fn invalid_values_name_the_key() {
        let e = Config::from_toml_overrides("[time]\nzone = \"Mars/Base\"").unwrap_err();
        assert!(e.to_string().contains("time.zone"), "{e}");
        let e = Config::from_toml_overrides("[server]\nbind = \"nowhere\"").unwrap_err();
        assert!(e.to_string().contains("server.bind"), "{e}");
        let e = Config::from_toml_overrides("[database]\nmax_connections = \"many\"").unwrap_err();
        assert!(e.to_string().contains("database.max_connections"), "{e}");
    }

    #[test]
    fn numeric_passwords_read_as_text() {
        let c = Config::from_toml_overrides("[database]\npassword = 123456").unwrap();
        assert_eq!(c.raw.database.password.expose(), "123456");
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::from_toml_overrides(
            "[database]\nurl = \"postgres://u:hunter2@db/x\"\npassword = \"hunter3\"\n[mail]\nsmtp_username = \"yekuo\"\nsmtp_password = \"hunter4\"",
        )
        .unwrap();
        let shown = format!("{c:?}");
        for s in ["hunter2", "hunter3", "hunter4"] {
            assert!(!shown.contains(s), "{s} leaked in {shown}");
        }
    }
}

//! `[coordination]`: the coordination day (cut-off, end of day, digest,
//! weekly meeting) and the categories of requests, parsed into
//! [`CoordinationTimes`] when the configuration is loaded.

use serde::Deserialize;

use crate::config::ConfigError;

/// `[coordination]` as written.
#[derive(Debug, Clone, Deserialize)]
pub struct CoordinationConfig {
    /// When the working day starts (answer times count working hours from
    /// `office_start` to `end_of_day` of working days).
    #[serde(default = "office_start")]
    pub office_start: String,
    pub cutoff: String,
    pub end_of_day: String,
    pub digest_time: String,
    pub meeting_weekday: String,
    pub meeting_time: String,
    #[serde(default)]
    pub meeting_participants: Vec<String>,
    /// Whether a request may ask departments of another bureau than the
    /// ticket's (off: each bureau coordinates within itself).
    #[serde(default)]
    pub cross_bureau: bool,
    pub categories: Vec<crate::sla::NamedConfig>,
}

fn office_start() -> String {
    "08:30".into()
}

impl CoordinationConfig {
    /// The times, parsed (or the first key that is wrong).
    pub fn times(&self) -> Result<CoordinationTimes, ConfigError> {
        let times = CoordinationTimes {
            office_start: self.time("office_start")?,
            cutoff: self.time("cutoff")?,
            end_of_day: self.time("end_of_day")?,
            digest_time: self.time("digest_time")?,
            meeting_weekday: self.weekday()?,
            meeting_time: self.time("meeting_time")?,
        };
        if times.office_start >= times.end_of_day {
            return Err(ConfigError::invalid(
                "coordination.office_start",
                format!(
                    "`{}` is not before end_of_day ({})",
                    self.office_start, self.end_of_day
                ),
            ));
        }
        Ok(times)
    }

    /// A configured `HH:MM` time, or the key and problem.
    fn time(&self, key: &str) -> Result<chrono::NaiveTime, ConfigError> {
        let raw = match key {
            "office_start" => &self.office_start,
            "cutoff" => &self.cutoff,
            "end_of_day" => &self.end_of_day,
            "digest_time" => &self.digest_time,
            _ => &self.meeting_time,
        };
        chrono::NaiveTime::parse_from_str(raw, "%H:%M").map_err(|_| {
            ConfigError::invalid(
                format!("coordination.{key}"),
                format!("`{raw}` is not a time like 08:30"),
            )
        })
    }

    fn weekday(&self) -> Result<chrono::Weekday, ConfigError> {
        self.meeting_weekday.parse().map_err(|_| {
            ConfigError::invalid(
                "coordination.meeting_weekday",
                format!("`{}` is not a weekday like Mon", self.meeting_weekday),
            )
        })
    }
}

/// The times of the coordination day, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoordinationTimes {
    pub office_start: chrono::NaiveTime,
    pub cutoff: chrono::NaiveTime,
    pub end_of_day: chrono::NaiveTime,
    pub digest_time: chrono::NaiveTime,
    pub meeting_weekday: chrono::Weekday,
    pub meeting_time: chrono::NaiveTime,
}

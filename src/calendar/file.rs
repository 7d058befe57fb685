//! One calendar file (`config/calendars/*.toml`): parsing and the checks that
//! need only the file itself. Checks across files live in `build.rs`.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// Longest range accepted in one `"A..B"` entry, in days. The longest
/// statutory break so far is 9 days; a longer range is almost surely a typo
/// (e.g. a wrong year in the end date).
pub const MAX_RANGE_DAYS: i64 = 62;

/// Smallest and largest year a file may declare.
const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1900..=2999;

/// Whether a file defines a whole national year or adds local days on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Defines one whole year: every day of it is covered once loaded.
    National,
    /// Adds local rest days (and optionally make-up workdays) to a year that
    /// a national file already covers (e.g. an ethnic autonomous region).
    Regional,
}

impl FileKind {
    /// The value of the `kind` key: `"national"` or `"regional"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::National => "national",
            FileKind::Regional => "regional",
        }
    }
}

/// A parsed and self-consistent calendar file.
///
/// Dates are expanded (ranges become single days), sorted and deduplicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFile {
    pub(super) name: String,
    pub(super) kind: FileKind,
    pub(super) region: String,
    pub(super) year: i32,
    pub(super) source: String,
    pub(super) rest_days: Vec<NaiveDate>,
    pub(super) makeup_workdays: Vec<NaiveDate>,
}

/// The file as written, before checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    kind: String,
    region: String,
    year: i64,
    source: String,
    #[serde(default)]
    rest_days: Vec<toml::Value>,
    #[serde(default)]
    makeup_workdays: Vec<toml::Value>,
}

impl CalendarFile {
    /// Parses and checks one file. `name` identifies it in errors and in
    /// [`Calendar::version`](super::Calendar::version): pass the file stem
    /// (e.g. `"cn-2026"`).
    ///
    /// Checks: `kind` is `"national"` or `"regional"`; `year` is plausible;
    /// every entry is a date `YYYY-MM-DD` or an inclusive range
    /// `YYYY-MM-DD..YYYY-MM-DD` of at most [`MAX_RANGE_DAYS`] days, lying
    /// between 1 December of the year before and 31 January of the year
    /// after; every make-up workday is a Saturday or a Sunday; no date is both
    /// a rest day and a make-up workday.
    pub fn parse(name: &str, toml_text: &str) -> Result<CalendarFile, CalendarError> {
        let raw: RawFile = toml::from_str(toml_text).map_err(|e| CalendarError::Parse {
            file: name.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let invalid = |message: String| CalendarError::Invalid {
            file: name.to_string(),
            message,
        };

        let kind = match raw.kind.as_str() {
            "national" => FileKind::National,
            "regional" => FileKind::Regional,
            other => {
                return Err(invalid(format!(
                    "kind = {other:?}: expected \"national\" (a whole year) or \"regional\" \
                     (local days added to a covered year)"
                )));
            }
        };
        let region = raw.region.trim().to_string();
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(invalid(format!(
                "region = {:?}: expected a short lowercase code such as \"cn\" or \"xz\"",
                raw.region
            )));
        }
        let year = i32::try_from(raw.year)
            .ok()
            .filter(|y| YEAR_RANGE.contains(y))
            .ok_or_else(|| {
                invalid(format!(
                    "year = {}: expected a year between {} and {}",
                    raw.year,
                    YEAR_RANGE.start(),
                    YEAR_RANGE.end()
                ))
            })?;
        let source = raw.source.trim().to_string();
        if source.is_empty() {
            return Err(invalid(
                "source is empty: name the announcement the dates come from \
                 (e.g. 国务院办公厅关于2026年部分节假日安排的通知)"
                    .to_string(),
            ));
        }

        // Dates may spill into the neighbouring years (2024's New Year break
        // starts on 2023-12-30), but not further.
        let window = (
            NaiveDate::from_ymd_opt(year - 1, 12, 1).expect("valid date"),
            NaiveDate::from_ymd_opt(year + 1, 1, 31).expect("valid date"),
        );
        let rest_days =
            expand_entries("rest_days", &raw.rest_days, year, window).map_err(invalid)?;
        let makeup_workdays = expand_entries("makeup_workdays", &raw.makeup_workdays, year, window)
            .map_err(invalid)?;

        for d in &makeup_workdays {
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(invalid(format!(
                    "makeup_workdays entry {d} is a {}: a make-up workday (调休上班) must be a \
                     Saturday or a Sunday (ordinary weekdays are working days already)",
                    weekday_name(d.weekday())
                )));
            }
            if rest_days.binary_search(d).is_ok() {
                return Err(invalid(format!(
                    "{d} is listed both in rest_days and in makeup_workdays: keep it in one list"
                )));
            }
        }

        Ok(CalendarFile {
            name: name.to_string(),
            kind,
            region,
            year,
            source,
            rest_days,
            makeup_workdays,
        })
    }

    /// Name the file was parsed under (e.g. `"cn-2026"`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// National or regional.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// Region code (`"cn"` for the national calendar, e.g. `"xz"` for Tibet).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The year the file is about.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The announcement the dates come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Rest days, expanded, sorted, without duplicates (may include days of
    /// the neighbouring years).
    pub fn rest_days(&self) -> &[NaiveDate] {
        &self.rest_days
    }

    /// Make-up workdays (Saturdays/Sundays declared working), sorted.
    pub fn makeup_workdays(&self) -> &[NaiveDate] {
        &self.makeup_workdays
    }
}

/// English weekday name, for messages.
pub(super) fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Expands the entries of one list into sorted, unique dates.
fn expand_entries(
    key: &str,
    entries: &[toml::Value],
    year: i32,
    window: (NaiveDate, NaiveDate),
) -> Result<Vec<NaiveDate>, String> {
    let mut out = BTreeSet::new();
    for entry in entries {
        // Accept "2026-01-01" (a string, the documented form) and also a bare
        // TOML date 2026-01-01, which is easy to write by mistake.
        let text = match entry {
            toml::Value::String(s) => s.trim().to_string(),
            toml::Value::Datetime(dt) => dt.to_string(),
            other => {
                return Err(format!(
                    "{key} entry {other}: expected a string \"YYYY-MM-DD\" or \
                     \"YYYY-MM-DD..YYYY-MM-DD\""
                ));
            }
        };
        let (from, to) = parse_entry(&text).ok_or_else(|| {
            format!(
                "{key} entry {text:?} is not a date: expected \"YYYY-MM-DD\" or an \
                     inclusive range \"YYYY-MM-DD..YYYY-MM-DD\""
            )
        })?;
        if to < from {
            return Err(format!(
                "{key} entry {text:?}: the range ends before it starts"
            ));
        }
        let span = (to - from).num_days() + 1;
        if span > MAX_RANGE_DAYS {
            return Err(format!(
                "{key} entry {text:?} spans {span} days, more than the {MAX_RANGE_DAYS} allowed: \
                 check the years of both ends"
            ));
        }
        if from < window.0 || to > window.1 {
            return Err(format!(
                "{key} entry {text:?} is too far from the file's year {year}: dates must lie \
                 between {} and {}",
                window.0, window.1
            ));
        }
        let mut d = from;
        loop {
            out.insert(d);
            if d == to {
                break;
            }
            d = d.succ_opt().expect("inside the window");
        }
    }
    Ok(out.into_iter().collect())
}

/// `"YYYY-MM-DD"` or `"YYYY-MM-DD..YYYY-MM-DD"` (spaces around `..` allowed).
fn parse_entry(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    match text.split_once("..") {
        Some((a, b)) => Some((parse_date(a.trim())?, parse_date(b.trim())?)),
        None => {
            let d = parse_date(text)?;
            Some((d, d))
        }
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    // Strict shape: 4-digit year, 2-digit month and day.
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

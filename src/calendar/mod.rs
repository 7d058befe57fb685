//! Working-day calendar of mainland China (工作日历): which days are working
//! days, and deadline arithmetic in working days.
//!
//! This room is pure: no I/O, no clock, no global state except the embedded
//! default calendar. Its only input is TOML text handed in by the caller (or
//! embedded at compile time from `config/calendars/`). See `docs/calendar.md`.
//!
//! Conventions:
//! - a working day is Monday–Friday, minus statutory rest days, plus make-up
//!   workdays (调休上班: a Saturday or Sunday declared working);
//! - [`Calendar::add`]`(start, n)` is the `n`th working day strictly after
//!   `start` (the starting day is not counted, Civil Code art. 201);
//! - [`Calendar::between`]`(a, b)` counts working days in `(a, b]`;
//! - the calendar covers whole years, from 1 January of the first loaded
//!   national year to 31 December of the last. Exact queries needing any day
//!   outside fail with [`CalendarError::NotCovered`]; the `*_provisional`
//!   variants apply Monday–Friday there and say so.
//!
//! Inside coverage `add` and `between` are O(1): a prefix count of working
//! days per day and the list of working days are precomputed.

mod build;
mod error;
mod explain;
mod file;
#[cfg(test)]
mod load_tests;
mod plain;
#[cfg(test)]
mod proptests;
mod provisional;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

pub use error::CalendarError;
pub use explain::Explanation;
pub use file::{CalendarFile, FileKind, MAX_RANGE_DAYS};

/// The embedded national calendars, `(name, toml_text)`.
const BUILTIN_FILES: [(&str, &str); 3] = [
    (
        "cn-2024",
        include_str!("../../config/calendars/cn-2024.toml"),
    ),
    (
        "cn-2025",
        include_str!("../../config/calendars/cn-2025.toml"),
    ),
    (
        "cn-2026",
        include_str!("../../config/calendars/cn-2026.toml"),
    ),
];

/// A date computed by a provisional query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dated {
    /// The computed date.
    pub date: NaiveDate,
    /// True iff some day beyond the loaded calendar was needed (counted
    /// Monday–Friday): recompute once that year's calendar is loaded.
    pub provisional: bool,
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary Monday–Friday working day.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A statutory (or regional) rest day, on a weekday or a weekend.
    RestDay {
        /// File that declared it (e.g. `"cn-2026"`).
        file: String,
        /// Announcement named in that file.
        source: String,
        /// True if it comes from a regional file.
        regional: bool,
    },
    /// A Saturday or Sunday declared a working day (调休上班).
    MakeupWorkday {
        /// File that declared it.
        file: String,
        /// Announcement named in that file.
        source: String,
        /// True if it comes from a regional file.
        regional: bool,
    },
    /// Outside the loaded calendar.
    Uncovered {
        /// Whether it is a Saturday or Sunday.
        weekend: bool,
    },
}

/// Class of a covered day, one byte per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayClass {
    Workday,
    Weekend,
    Rest,
    Makeup,
}

impl DayClass {
    fn is_working(self) -> bool {
        matches!(self, DayClass::Workday | DayClass::Makeup)
    }
}

/// `origin` of a day no file mentions.
const NO_ORIGIN: u16 = u16::MAX;

/// What day kinds need to know about a loaded file.
#[derive(Debug)]
struct FileMeta {
    name: String,
    kind: FileKind,
    #[allow(dead_code)] // kept for diagnostics (Debug)
    region: String,
    source: String,
}

/// Loaded, immutable tables; shared by clones.
struct Inner {
    first: NaiveDate,
    last: NaiveDate,
    first_year: i32,
    last_year: i32,
    /// `first.num_days_from_ce()`.
    first_ce: i32,
    /// Day index of 1 January of each year `first_year..=last_year + 1`.
    year_start: Vec<u32>,
    /// Per day index (0 = `first`).
    class: Vec<DayClass>,
    /// Per day index: index into `files` of the file that set it, or
    /// [`NO_ORIGIN`].
    origin: Vec<u16>,
    /// `prefix[i]` = number of working days among day indices `0..i`
    /// (length = days + 1).
    prefix: Vec<u32>,
    /// `work_dates[k]` = the `k`th (0-based) working day of the calendar.
    work_dates: Vec<NaiveDate>,
    /// Sorted day indices of rest days and make-up workdays.
    specials: Vec<u32>,
    files: Vec<FileMeta>,
    version: String,
}

/// A loaded working-day calendar. Cheap to clone (shared, immutable).
#[derive(Clone)]
pub struct Calendar {
    inner: Arc<Inner>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner;
        f.debug_struct("Calendar")
            .field("version", &c.version)
            .field("first_covered", &c.first)
            .field("last_covered", &c.last)
            .field("working_days", &c.work_dates.len())
            .field("files", &c.files)
            .finish()
    }
}

impl Calendar {
    /// `(name, toml_text)` of the embedded national calendars (cn-2024 to
    /// cn-2026), compiled in from `config/calendars/`.
    pub fn builtin_files() -> Vec<(&'static str, &'static str)> {
        BUILTIN_FILES.to_vec()
    }

    /// The calendar built from [`Calendar::builtin_files`]. Built once and
    /// shared.
    ///
    /// # Panics
    ///
    /// If the embedded files were invalid, which a unit test rules out.
    pub fn builtin() -> Calendar {
        static BUILTIN: OnceLock<Calendar> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Calendar::from_texts(BUILTIN_FILES)
                    .unwrap_or_else(|e| panic!("embedded calendar files are invalid: {e}"))
            })
            .clone()
    }

    /// First covered day: 1 January of the first national year.
    pub fn first_covered(&self) -> NaiveDate {
        self.inner.first
    }

    /// Last covered day: 31 December of the last national year.
    pub fn last_covered(&self) -> NaiveDate {
        self.inner.last
    }

    /// Last loaded national year.
    pub fn last_covered_year(&self) -> i32 {
        self.inner.last_year
    }

    /// Loaded files and a hash of their contents, e.g.
    /// `"cn-2024+cn-2025+cn-2026#1a2b3c4d"`. Store it with computed
    /// deadlines: when it changes, they may need recomputing.
    pub fn version(&self) -> &str {
        &self.inner.version
    }

    /// The loaded files in load order: (name, kind, source), for operators.
    pub fn files(&self) -> Vec<(&str, FileKind, &str)> {
        self.inner
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.kind, f.source.as_str()))
            .collect()
    }

    /// Whether `d` is covered by the loaded calendar.
    pub fn covers(&self, d: NaiveDate) -> bool {
        d >= self.inner.first && d <= self.inner.last
    }

    /// Day index of `d` (0 = first covered day; may be negative or past the
    /// end). Fast path for covered years avoids a division.
    #[inline]
    fn index(&self, d: NaiveDate) -> i64 {
        let c = &*self.inner;
        let y = d.year();
        if y >= c.first_year && y <= c.last_year {
            i64::from(c.year_start[(y - c.first_year) as usize]) + i64::from(d.ordinal0())
        } else {
            i64::from(d.num_days_from_ce()) - i64::from(c.first_ce)
        }
    }

    fn len(&self) -> i64 {
        self.inner.class.len() as i64
    }

    fn not_covered(&self, date: NaiveDate) -> CalendarError {
        CalendarError::NotCovered {
            date,
            first_covered: self.inner.first,
            last_covered_year: self.inner.last_year,
        }
    }

    /// The day after the last covered day.
    fn after_last(&self) -> NaiveDate {
        self.inner.last.succ_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The day before the first covered day.
    fn before_first(&self) -> NaiveDate {
        self.inner.first.pred_opt().unwrap_or(NaiveDate::MIN)
    }

    /// Whether `d` is a working day. `Err(NotCovered)` outside the calendar.
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.index(d);
        if i < 0 || i >= self.len() {
            return Err(self.not_covered(d));
        }
        Ok(self.inner.class[i as usize].is_working())
    }

    /// The `n`th working day strictly after `start` (`start` itself is never
    /// counted, working day or not); `start` when `n == 0`.
    ///
    /// `Err(NotCovered)` if a day outside the calendar is needed: `start` may
    /// be the day before the first covered day, and the result must be
    /// covered. O(1).
    #[inline]
    pub fn add(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Ok(start);
        }
        let c = &*self.inner;
        let i = self.index(start);
        if i < -1 || i >= self.len() {
            return Err(self.not_covered(start.succ_opt().unwrap_or(start)));
        }
        // Working days on or before `start` (within coverage).
        let before = c.prefix[(i + 1) as usize] as usize;
        c.work_dates
            .get(before + n as usize - 1)
            .copied()
            .ok_or_else(|| self.not_covered(self.after_last()))
    }

    /// Number of working days in `(a, b]`; `-between(b, a)` if `b < a`; 0 if
    /// equal. `Err(NotCovered)` if a day of the interval is not covered. O(1).
    #[inline]
    pub fn between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        if b < a {
            return self.between(b, a).map(|v| -v);
        }
        if a == b {
            return Ok(0);
        }
        let (ia, ib) = (self.index(a), self.index(b));
        if ia < -1 {
            return Err(self.not_covered(a.succ_opt().unwrap_or(a)));
        }
        if ib >= self.len() {
            return Err(self.not_covered(self.after_last().max(a.succ_opt().unwrap_or(a))));
        }
        let p = &self.inner.prefix;
        Ok(i64::from(p[(ib + 1) as usize]) - i64::from(p[(ia + 1) as usize]))
    }

    /// What kind of day `d` is, with the file that declared it if any.
    pub fn day_kind(&self, d: NaiveDate) -> DayKind {
        let c = &*self.inner;
        let i = self.index(d);
        if i < 0 || i >= self.len() {
            return DayKind::Uncovered {
                weekend: !plain::is_weekday(d),
            };
        }
        let i = i as usize;
        let meta = c.files.get(usize::from(c.origin[i]));
        let fields = || {
            let m = meta.expect("rest and make-up days have an origin");
            (
                m.name.clone(),
                m.source.clone(),
                m.kind == FileKind::Regional,
            )
        };
        match c.class[i] {
            DayClass::Workday => DayKind::Workday,
            DayClass::Weekend => DayKind::Weekend,
            DayClass::Rest => {
                let (file, source, regional) = fields();
                DayKind::RestDay {
                    file,
                    source,
                    regional,
                }
            }
            DayClass::Makeup => {
                let (file, source, regional) = fields();
                DayKind::MakeupWorkday {
                    file,
                    source,
                    regional,
                }
            }
        }
    }

    /// Covered rest days and make-up workdays in `(a, b]`, in date order,
    /// as `(date, class, regional)`.
    fn specials_in(&self, a: NaiveDate, b: NaiveDate) -> Vec<(NaiveDate, DayClass, bool)> {
        let c = &*self.inner;
        let lo = self.index(a.max(self.before_first()));
        let hi = self.index(b.min(c.last));
        if lo >= hi {
            return Vec::new();
        }
        let from = c.specials.partition_point(|&i| i64::from(i) <= lo);
        let to = c.specials.partition_point(|&i| i64::from(i) <= hi);
        c.specials[from..to]
            .iter()
            .map(|&i| {
                let i = i as usize;
                let regional = c
                    .files
                    .get(usize::from(c.origin[i]))
                    .is_some_and(|m| m.kind == FileKind::Regional);
                (c.first + Days::new(i as u64), c.class[i], regional)
            })
            .collect()
    }
}

//! Errors of the working-day calendar: loading (parse, validation, coverage
//! shape) and querying outside the loaded years.

use chrono::{Datelike, NaiveDate};

/// What went wrong while loading calendar files or answering a query.
///
/// Every message names what to fix: the file and the entry for load errors,
/// the missing year for coverage errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The answer needs a day outside the loaded national years.
    ///
    /// `date` is the first day that was needed and is not covered. Callers
    /// that must still give a date use the `*_provisional` variants.
    #[error(
        "{date} is not covered by the working-day calendar (it covers {first_covered} to \
         {last_covered_year}-12-31): load the State Council holiday calendar for {year} \
         (a kind = \"national\" file such as cn-{year}.toml), or use a provisional date \
         (Mon-Fri assumed outside the calendar)",
        year = .date.year()
    )]
    NotCovered {
        /// First day needed by the query that lies outside the calendar.
        date: NaiveDate,
        /// First covered day (1 January of the first loaded national year).
        first_covered: NaiveDate,
        /// Last loaded national year (coverage ends on its 31 December).
        last_covered_year: i32,
    },

    /// The file is not valid TOML or does not have the expected keys.
    #[error("calendar file {file}: cannot read it: {message}")]
    Parse {
        /// Name the file was loaded under.
        file: String,
        /// What the TOML reader said (with line and column).
        message: String,
    },

    /// The file is valid TOML but its content is wrong (bad date, a make-up
    /// workday on a weekday, a date both rest and make-up, ...), or it
    /// conflicts with another loaded file.
    #[error("calendar file {file}: {message}")]
    Invalid {
        /// Name of the offending file.
        file: String,
        /// Which entry and why, in words a person can act on.
        message: String,
    },

    /// The same year of the same region is loaded twice.
    #[error(
        "{region} {year} is loaded twice (from {first} and from {second}): keep only one of the files"
    )]
    DuplicateYear {
        /// Region code of both files (e.g. "cn").
        region: String,
        /// The year defined twice.
        year: i32,
        /// Name of the first file.
        first: String,
        /// Name of the second file.
        second: String,
    },

    /// The national years are not contiguous.
    #[error(
        "national calendar has a gap: {missing_year} is missing between {before} and {after}; \
         add the {missing_year} file (coverage must be whole, contiguous years)"
    )]
    Gap {
        /// First missing year.
        missing_year: i32,
        /// File of the year before the gap.
        before: String,
        /// File of the year after the gap.
        after: String,
    },

    /// No `kind = "national"` file was given.
    #[error(
        "no national calendar loaded: at least one kind = \"national\" file (e.g. cn-2026.toml) \
         is needed"
    )]
    NoNationalYear,
}

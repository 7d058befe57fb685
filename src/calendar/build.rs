//! Building a [`Calendar`] from parsed files: checks across files (one
//! country, no duplicate or missing year, no conflicting days), then the
//! per-day tables that make every query O(1).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

use super::file::{CalendarFile, FileKind};
use super::{Calendar, CalendarError, DayClass, FileMeta, Inner, NO_ORIGIN};

impl Calendar {
    /// Builds a calendar from national files (contiguous whole years) and
    /// optional regional files of one region applied on top.
    ///
    /// Rules across files:
    /// - at least one national file; all national files have the same region;
    /// - a (region, year) is loaded at most once; national years have no gap;
    /// - a date may not be a rest day in one file and a make-up workday in
    ///   another, except that a regional rest day may fall on a national
    ///   make-up workday (the region rests that day);
    /// - regional files share one region, different from the national one,
    ///   and their year must be covered by a national file;
    /// - dates outside the covered years are ignored (they are applied once
    ///   the neighbouring year is loaded).
    pub fn from_files(files: Vec<CalendarFile>) -> Result<Calendar, CalendarError> {
        let (mut national, mut regional): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|f| f.kind == FileKind::National);
        if national.is_empty() {
            return Err(CalendarError::NoNationalYear);
        }
        national.sort_by_key(|f| f.year);
        regional.sort_by(|a, b| (a.year, &a.name).cmp(&(b.year, &b.name)));

        check_national(&national)?;
        let country = national[0].region.clone();
        let first_year = national[0].year;
        let last_year = national[national.len() - 1].year;
        check_regional(&regional, &country, first_year, last_year)?;

        let first = NaiveDate::from_ymd_opt(first_year, 1, 1).expect("valid year");
        let last = NaiveDate::from_ymd_opt(last_year, 12, 31).expect("valid year");
        let len = usize::try_from((last - first).num_days() + 1).expect("positive");

        let ordered: Vec<CalendarFile> = national.into_iter().chain(regional).collect();
        let (class, origin) = classify_days(&ordered, first, len)?;

        let mut prefix = Vec::with_capacity(len + 1);
        let mut work_dates = Vec::new();
        let mut specials = Vec::new();
        let mut running = 0u32;
        prefix.push(0);
        let mut d = first;
        for (i, c) in class.iter().enumerate() {
            if c.is_working() {
                running += 1;
                work_dates.push(d);
            }
            if matches!(c, DayClass::Rest | DayClass::Makeup) {
                specials.push(u32::try_from(i).expect("small"));
            }
            prefix.push(running);
            d = d.succ_opt().unwrap_or(d);
        }
        let year_start = (first_year..=last_year + 1)
            .map(|y| {
                let jan1 = NaiveDate::from_ymd_opt(y, 1, 1).expect("valid year");
                u32::try_from((jan1 - first).num_days()).expect("small")
            })
            .collect();

        let version = version_string(&ordered);
        let files = ordered
            .iter()
            .map(|f| FileMeta {
                name: f.name.clone(),
                kind: f.kind,
                region: f.region.clone(),
                source: f.source.clone(),
            })
            .collect();

        Ok(Calendar {
            inner: Arc::new(Inner {
                first,
                last,
                first_year,
                last_year,
                first_ce: first.num_days_from_ce(),
                year_start,
                class,
                origin,
                prefix,
                work_dates,
                specials,
                files,
                version,
            }),
        })
    }

    /// Parses `(name, toml_text)` pairs with [`CalendarFile::parse`] and
    /// builds the calendar with [`Calendar::from_files`].
    pub fn from_texts<'a>(
        texts: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Calendar, CalendarError> {
        let files = texts
            .into_iter()
            .map(|(name, text)| CalendarFile::parse(name, text))
            .collect::<Result<Vec<_>, _>>()?;
        Calendar::from_files(files)
    }
}

/// Class of every covered day and the file that set it: weekday/weekend,
/// then each file's rest days and make-up workdays in load order.
fn classify_days(
    ordered: &[CalendarFile],
    first: NaiveDate,
    len: usize,
) -> Result<(Vec<DayClass>, Vec<u16>), CalendarError> {
    let mut class = Vec::with_capacity(len);
    let mut d = first;
    for _ in 0..len {
        class.push(match d.weekday() {
            Weekday::Sat | Weekday::Sun => DayClass::Weekend,
            _ => DayClass::Workday,
        });
        d = d.succ_opt().unwrap_or(d);
    }
    let mut origin = vec![NO_ORIGIN; len];
    let index = |d: NaiveDate| -> Option<usize> {
        let i = (d - first).num_days();
        usize::try_from(i).ok().filter(|&i| i < len)
    };

    for (fi, f) in ordered.iter().enumerate() {
        let fi = u16::try_from(fi)
            .ok()
            .filter(|&i| i != NO_ORIGIN)
            .ok_or_else(|| CalendarError::Invalid {
                file: f.name.clone(),
                message: "too many calendar files (at most 65535)".to_string(),
            })?;
        let regional = f.kind == FileKind::Regional;
        for &d in &f.rest_days {
            let Some(i) = index(d) else { continue };
            match class[i] {
                DayClass::Rest => continue, // listed by an earlier file too
                DayClass::Makeup => {
                    let other = &ordered[origin[i] as usize];
                    // A regional rest day may fall on a national make-up
                    // workday: the region rests that day.
                    if !(regional && other.kind == FileKind::National) {
                        return Err(conflict(f, d, "a rest day", other));
                    }
                }
                _ => {}
            }
            class[i] = DayClass::Rest;
            origin[i] = fi;
        }
        for &d in &f.makeup_workdays {
            let Some(i) = index(d) else { continue };
            match class[i] {
                DayClass::Makeup => continue,
                DayClass::Rest => {
                    let other = &ordered[origin[i] as usize];
                    if regional && other.kind == FileKind::National {
                        return Err(CalendarError::Invalid {
                            file: f.name.clone(),
                            message: format!(
                                "makeup_workdays entry {d} is a statutory rest day in {}: a \
                                 regional file may add rest days, not cancel national ones",
                                other.name
                            ),
                        });
                    }
                    return Err(conflict(f, d, "a make-up workday", other));
                }
                _ => {}
            }
            class[i] = DayClass::Makeup;
            origin[i] = fi;
        }
    }
    Ok((class, origin))
}

/// One country, each year once, no gap (`national` sorted by year, non-empty).
fn check_national(national: &[CalendarFile]) -> Result<(), CalendarError> {
    let country = &national[0].region;
    for f in national {
        if f.region != *country {
            return Err(CalendarError::Invalid {
                file: f.name.clone(),
                message: format!(
                    "national region {:?} differs from {:?} of {}: one calendar holds one \
                     country's national files",
                    f.region, country, national[0].name
                ),
            });
        }
    }
    for pair in national.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.year == b.year {
            return Err(CalendarError::DuplicateYear {
                region: a.region.clone(),
                year: a.year,
                first: a.name.clone(),
                second: b.name.clone(),
            });
        }
        if b.year != a.year + 1 {
            return Err(CalendarError::Gap {
                missing_year: a.year + 1,
                before: a.name.clone(),
                after: b.name.clone(),
            });
        }
    }
    Ok(())
}

/// One region, not the national one, each year once and covered
/// (`regional` sorted by year).
fn check_regional(
    regional: &[CalendarFile],
    country: &str,
    first_year: i32,
    last_year: i32,
) -> Result<(), CalendarError> {
    if let Some(r0) = regional.first() {
        let local = r0.region.clone();
        for f in regional {
            if f.region == country {
                return Err(CalendarError::Invalid {
                    file: f.name.clone(),
                    message: format!(
                        "kind = \"regional\" but region {:?} is the national region: give \
                         the local region's code (e.g. \"xz\")",
                        f.region
                    ),
                });
            }
            if f.region != local {
                return Err(CalendarError::Invalid {
                    file: f.name.clone(),
                    message: format!(
                        "regional files of two regions ({:?} and {:?} from {}) cannot be \
                         combined: build one calendar per region",
                        f.region, local, r0.name
                    ),
                });
            }
            if f.year < first_year || f.year > last_year {
                return Err(CalendarError::Invalid {
                    file: f.name.clone(),
                    message: format!(
                        "regional file for {} but the national calendar covers only \
                         {first_year}-{last_year}: load the national {} file first",
                        f.year, f.year
                    ),
                });
            }
        }
        for pair in regional.windows(2) {
            if pair[0].year == pair[1].year {
                return Err(CalendarError::DuplicateYear {
                    region: local.clone(),
                    year: pair[0].year,
                    first: pair[0].name.clone(),
                    second: pair[1].name.clone(),
                });
            }
        }
    }
    Ok(())
}

fn conflict(f: &CalendarFile, d: NaiveDate, what: &str, other: &CalendarFile) -> CalendarError {
    CalendarError::Invalid {
        file: f.name.clone(),
        message: format!(
            "{d} is {what} here but the opposite in {}: the files disagree, fix one of them",
            other.name
        ),
    }
}

/// `"cn-2024+cn-2025+cn-2026#1a2b3c4d"`: file names in load order, then the
/// 32-bit FNV-1a hash of a canonical form of their contents (kind, region,
/// year, source, expanded dates), so that comments and formatting do not
/// change it but any date does.
fn version_string(files: &[CalendarFile]) -> String {
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let mut canon = String::new();
    for f in files {
        let mut sections: BTreeMap<&str, &[NaiveDate]> = BTreeMap::new();
        sections.insert("rest", &f.rest_days);
        sections.insert("makeup", &f.makeup_workdays);
        let _ = writeln!(
            canon,
            "{}\n{}\n{}\n{}\n{}",
            f.name,
            f.kind.as_str(),
            f.region,
            f.year,
            f.source
        );
        for (key, dates) in sections {
            canon.push_str(key);
            for d in dates {
                canon.push(' ');
                canon.push_str(&d.to_string());
            }
            canon.push('\n');
        }
    }
    format!("{}#{:08x}", names.join("+"), fnv1a32(canon.as_bytes()))
}

/// 32-bit FNV-1a.
pub(super) fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

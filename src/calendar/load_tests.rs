//! Tests of loading: file format, checks on one file, checks across files,
//! regional files, version strings.

use super::tests::d;
use super::*;

fn builtin_parsed() -> Vec<CalendarFile> {
    Calendar::builtin_files()
        .into_iter()
        .map(|(n, t)| CalendarFile::parse(n, t).unwrap())
        .collect()
}

fn national(year: i32, rest: &str, makeup: &str) -> String {
    format!(
        "kind = \"national\"\nregion = \"cn\"\nyear = {year}\nsource = \"test\"\n\
         rest_days = [{rest}]\nmakeup_workdays = [{makeup}]\n"
    )
}

fn invalid_message(r: Result<CalendarFile, CalendarError>) -> (String, String) {
    match r {
        Err(CalendarError::Invalid { file, message }) => (file, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Example regional file (not shipped in config/: test data only).
const XZ_2025: &str = r#"
kind = "regional"
region = "xz"
year = 2025
source = "example only: extra local rest days of an autonomous region"
rest_days = [
    "2025-02-28..2025-03-04",  # Fri..Tue
    "2025-02-08",              # a national make-up Saturday: the region rests
]
makeup_workdays = ["2025-03-08"]  # Sat
"#;

#[test]
fn parses_the_builtin_files() {
    let files = builtin_parsed();
    assert_eq!(files[0].name(), "cn-2024");
    assert_eq!(files[0].kind(), FileKind::National);
    assert_eq!(files[0].region(), "cn");
    assert_eq!(files[0].year(), 2024);
    assert!(files[0].source().contains("2024"));
    // The 2024 New Year break starts on 2023-12-30 (kept in the file).
    assert_eq!(files[0].rest_days()[0], d("2023-12-30"));
    assert_eq!(files[0].makeup_workdays().len(), 8);
    assert_eq!(files[2].rest_days().len(), 33);
}

#[test]
fn rejects_bad_entries_naming_file_and_entry() {
    let (file, msg) = invalid_message(CalendarFile::parse(
        "cn-2026",
        &national(2026, "\"2026-02-30\"", ""),
    ));
    assert_eq!(file, "cn-2026");
    assert!(
        msg.contains("2026-02-30") && msg.contains("rest_days"),
        "{msg}"
    );

    let (_, msg) = invalid_message(CalendarFile::parse(
        "cn-2026",
        &national(2026, "", "\"2026-02-13\""),
    ));
    assert!(
        msg.contains("2026-02-13") && msg.contains("Friday"),
        "{msg}"
    );

    let (_, msg) = invalid_message(CalendarFile::parse(
        "cn-2026",
        &national(2026, "\"2026-02-14..2026-02-15\"", "\"2026-02-14\""),
    ));
    assert!(msg.contains("2026-02-14") && msg.contains("both"), "{msg}");

    let (_, msg) = invalid_message(CalendarFile::parse(
        "cn-2026",
        &national(2026, "\"2026-02-15..2027-02-23\"", ""),
    ));
    assert!(msg.contains("spans"), "{msg}");

    let (_, msg) = invalid_message(CalendarFile::parse(
        "cn-2026",
        &national(2026, "\"2026-02-23..2026-02-15\"", ""),
    ));
    assert!(msg.contains("ends before"), "{msg}");

    let (_, msg) = invalid_message(CalendarFile::parse(
        "cn-2026",
        &national(2026, "\"2062-10-01\"", ""),
    ));
    assert!(msg.contains("too far"), "{msg}");

    let (_, msg) = invalid_message(CalendarFile::parse(
        "cn-2026",
        &national(2026, "20260101", ""),
    ));
    assert!(msg.contains("expected a string"), "{msg}");

    let (_, msg) = invalid_message(CalendarFile::parse(
        "x",
        &national(2026, "", "").replace("national", "federal"),
    ));
    assert!(msg.contains("federal"), "{msg}");

    let (_, msg) = invalid_message(CalendarFile::parse(
        "x",
        &national(2026, "", "").replace("\"test\"", "\" \""),
    ));
    assert!(msg.contains("source"), "{msg}");

    let (_, msg) = invalid_message(CalendarFile::parse("x", &national(99999, "", "")));
    assert!(msg.contains("year"), "{msg}");
}

#[test]
fn accepts_toml_dates_and_dedups() {
    let f = CalendarFile::parse(
        "cn-2026",
        &national(2026, "2026-01-01, \"2026-01-01..2026-01-03\"", "2026-01-04"),
    )
    .unwrap();
    assert_eq!(
        f.rest_days(),
        &[d("2026-01-01"), d("2026-01-02"), d("2026-01-03")]
    );
    assert_eq!(f.makeup_workdays(), &[d("2026-01-04")]);
}

#[test]
fn toml_errors_are_parse_errors() {
    for text in [
        "kind = \"national\"\nregion = ",
        "kind = \"national\"\nregion = \"cn\"\nyear = 2026\n", // no source
        &(national(2026, "", "") + "makeup_workday = []\n"),   // typo'd key
    ] {
        match CalendarFile::parse("cn-2026", text) {
            Err(e @ CalendarError::Parse { .. }) => {
                assert!(e.to_string().starts_with("calendar file cn-2026:"), "{e}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn cross_file_checks() {
    let mut files = builtin_parsed();
    files.push(files[1].clone());
    assert_eq!(
        Calendar::from_files(files).unwrap_err(),
        CalendarError::DuplicateYear {
            region: "cn".into(),
            year: 2025,
            first: "cn-2025".into(),
            second: "cn-2025".into()
        }
    );

    let mut files = builtin_parsed();
    files.remove(1);
    let err = Calendar::from_files(files).unwrap_err();
    assert_eq!(
        err,
        CalendarError::Gap {
            missing_year: 2025,
            before: "cn-2024".into(),
            after: "cn-2026".into()
        }
    );
    assert!(err.to_string().contains("2025"));

    assert_eq!(
        Calendar::from_files(vec![]).unwrap_err(),
        CalendarError::NoNationalYear
    );

    let hk = CalendarFile::parse(
        "hk-2027",
        &national(2027, "", "").replace("\"cn\"", "\"hk\""),
    )
    .unwrap();
    let mut files = builtin_parsed();
    files.push(hk);
    assert!(matches!(
        Calendar::from_files(files),
        Err(CalendarError::Invalid { file, .. }) if file == "hk-2027"
    ));

    // A 2027 file may list days of late 2026 as rest days, but not one that
    // the 2026 file declares a make-up workday.
    let f27 = CalendarFile::parse("cn-2027", &national(2027, "\"2026-12-27\"", "")).unwrap();
    let mut files = builtin_parsed();
    files.push(f27);
    assert!(
        Calendar::from_files(files).is_ok(),
        "Sunday rest: no conflict"
    );
    let f27 = CalendarFile::parse("cn-2027", &national(2027, "\"2026-12-26\"", "")).unwrap();
    let f26 = CalendarFile::parse("cn-2026", &national(2026, "", "\"2026-12-26\"")).unwrap();
    let err = Calendar::from_files(vec![f26, f27]).unwrap_err();
    assert!(
        matches!(&err, CalendarError::Invalid { file, message } if file == "cn-2027" && message.contains("cn-2026")),
        "{err:?}"
    );
}

#[test]
fn a_new_year_extends_coverage_in_any_order() {
    let f27 = CalendarFile::parse(
        "cn-2027",
        &national(2027, "\"2026-12-31..2027-01-01\"", "\"2027-01-02\""),
    )
    .unwrap();
    let mut files = builtin_parsed();
    files.insert(0, f27);
    let c = Calendar::from_files(files).unwrap();
    assert_eq!(c.last_covered(), d("2027-12-31"));
    assert!(c.version().starts_with("cn-2024+cn-2025+cn-2026+cn-2027#"));
    // The 2027 file's 2026 entry applies now that 2026 is covered.
    assert_eq!(c.is_working_day(d("2026-12-31")), Ok(false));
    assert_eq!(c.add(d("2026-12-30"), 1), Ok(d("2027-01-02")));
    assert!(!c.add_provisional(d("2026-12-30"), 1).provisional);
}

#[test]
fn regional_file_adds_local_days() {
    let mut files = builtin_parsed();
    files.push(CalendarFile::parse("xz-2025", XZ_2025).unwrap());
    let c = Calendar::from_files(files).unwrap();
    assert!(c.version().starts_with("cn-2024+cn-2025+cn-2026+xz-2025#"));
    assert_eq!(c.is_working_day(d("2025-02-28")), Ok(false));
    assert_eq!(c.is_working_day(d("2025-03-03")), Ok(false));
    assert_eq!(c.is_working_day(d("2025-02-08")), Ok(false));
    assert_eq!(c.is_working_day(d("2025-03-08")), Ok(true));
    assert!(matches!(
        c.day_kind(d("2025-03-04")),
        DayKind::RestDay { regional: true, ref file, .. } if file == "xz-2025"
    ));
    assert!(matches!(
        c.day_kind(d("2025-01-01")),
        DayKind::RestDay {
            regional: false,
            ..
        }
    ));
    // Thu 02-27 + 1: Fri..Tue rest, 03-05 Wed.
    assert_eq!(c.add(d("2025-02-27"), 1), Ok(d("2025-03-05")));
    let e = c.explain(d("2025-02-27"), 1);
    assert_eq!(e.regional_rest_days_crossed.len(), 5);
    assert!(
        e.to_string()
            .contains("2025-03-03 Mon  rest day (regional)")
    );
    // The national calendar alone is unchanged.
    assert_eq!(
        Calendar::builtin().add(d("2025-02-27"), 1),
        Ok(d("2025-02-28"))
    );
}

#[test]
fn regional_checks() {
    let regional = |region: &str, year: i32, rest: &str, makeup: &str| {
        CalendarFile::parse(
            &format!("{region}-{year}"),
            &national(year, rest, makeup)
                .replace("\"national\"", "\"regional\"")
                .replace("\"cn\"", &format!("{region:?}")),
        )
        .unwrap()
    };
    let with = |extra: Vec<CalendarFile>| {
        let mut files = builtin_parsed();
        files.extend(extra);
        Calendar::from_files(files)
    };
    // A make-up day on a statutory rest day would cancel a national holiday.
    let err = with(vec![regional("xz", 2025, "", "\"2025-10-04\"")]).unwrap_err();
    assert!(err.to_string().contains("statutory rest day"), "{err}");
    // Year not covered by a national file.
    let err = with(vec![regional("xz", 2027, "\"2027-02-08\"", "")]).unwrap_err();
    assert!(err.to_string().contains("2027"), "{err}");
    // Two regions in one calendar.
    let err = with(vec![
        regional("xz", 2025, "\"2025-03-03\"", ""),
        regional("nm", 2025, "\"2025-03-04\"", ""),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("one calendar per region"), "{err}");
    // Same region and year twice.
    assert!(matches!(
        with(vec![
            regional("xz", 2025, "\"2025-03-03\"", ""),
            regional("xz", 2025, "\"2025-03-04\"", ""),
        ]),
        Err(CalendarError::DuplicateYear { .. })
    ));
    // Regional with the national region code.
    assert!(with(vec![regional("cn", 2025, "\"2025-03-03\"", "")]).is_err());
    // Only regional files.
    assert_eq!(
        Calendar::from_files(vec![regional("xz", 2025, "", "")]).unwrap_err(),
        CalendarError::NoNationalYear
    );
}

#[test]
fn version_hash_is_stable_and_content_sensitive() {
    let base = Calendar::builtin().version().to_string();
    // Comments and layout do not change it.
    let reformatted: Vec<(String, String)> = Calendar::builtin_files()
        .into_iter()
        .map(|(n, t)| {
            let t: String = t
                .lines()
                .map(|l| l.split(" #").next().unwrap().trim())
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n");
            (n.to_string(), t)
        })
        .collect();
    let c =
        Calendar::from_texts(reformatted.iter().map(|(n, t)| (n.as_str(), t.as_str()))).unwrap();
    assert_eq!(c.version(), base);
    // A changed date does.
    let changed: Vec<(String, String)> = Calendar::builtin_files()
        .into_iter()
        .map(|(n, t)| (n.to_string(), t.replace("\"2026-10-10\"", "\"2026-10-11\"")))
        .collect();
    let c = Calendar::from_texts(changed.iter().map(|(n, t)| (n.as_str(), t.as_str()))).unwrap();
    assert_ne!(c.version(), base);
    assert_eq!(build::fnv1a32(b""), 0x811c_9dc5);
    assert_eq!(build::fnv1a32(b"a"), 0xe40c_292c);
}

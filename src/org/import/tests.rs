//! The import's parts, one by one.

use super::*;

const HEADER: &str = "type,code,name,kind,parent,email,phone,unit,roles,lang,active";

fn parse_csv(text: &str) -> Parsed {
    parse_table(&read_csv(text.as_bytes()).expect("readable"))
}

/// Parsed and checked against an empty database: every error, in line order.
fn errors(text: &str) -> Vec<RowError> {
    let parsed = parse_csv(text);
    let mut errs = parsed.errors.clone();
    errs.extend(check_refs(&parsed, &Existing::default()));
    errs.sort_by_key(|e| e.line);
    errs
}

fn lines(errs: &[RowError]) -> Vec<usize> {
    errs.iter().map(|e| e.line).collect()
}

fn sample_file() -> String {
    [
        HEADER,
        "unit,GZ-TH,天河供电服务中心,service_center,GZ,,,,,,",
        "unit,GZ,广州供电局,bureau,,,,,,,",
        "unit,GZ-SC,市场部,department,GZ,,,,,,",
        "person,mgr-li,李明,,,li@example.cn,13800138000,GZ-TH,manager,,",
        "person,dir.wang,王芳,,,wang@example.cn,,GZ-TH,center_director;auditor@GZ,en,是",
        "person,root,管理员,,,root@example.cn,,,admin,,",
        "person,zhang,张伟,,,zhang@example.cn,,GZ-SC,department,zh-cn,否",
    ]
    .join("\n")
}

#[test]
fn a_good_file_parses_with_bom_and_any_column_order() {
    let parsed = parse_csv(&format!("\u{feff}{}", sample_file()));
    assert_eq!(parsed.errors, vec![]);
    assert_eq!(check_refs(&parsed, &Existing::default()), vec![]);
    assert_eq!(parsed.units.len(), 3);
    assert_eq!(
        parsed.units[0].parent.as_deref(),
        Some("GZ"),
        "parent defined after its child"
    );
    let wang = &parsed.people[1];
    assert_eq!(wang.line, 6);
    assert_eq!(wang.lang, "en");
    assert!(wang.active);
    assert_eq!(
        wang.roles.iter().cloned().collect::<Vec<_>>(),
        vec![
            (Role::CenterDirector, Some("GZ-TH".into())),
            (Role::Auditor, Some("GZ".into()))
        ]
    );
    assert_eq!(
        parsed.people[2].roles.iter().next(),
        Some(&(Role::Admin, None))
    );
    assert_eq!(parsed.people[3].lang, "zh-CN");
    assert!(!parsed.people[3].active);

    // Columns in another order, some optional ones left out.
    let parsed = parse_csv("name,type,code,kind,parent\r\n广州供电局,unit,GZ,bureau,\r\n");
    assert_eq!(parsed.errors, vec![]);
    assert_eq!(parsed.units[0].name, "广州供电局");
    assert_eq!(parsed.units[0].line, 2);
}

#[test]
fn every_bad_row_is_reported_with_its_line() {
    let text = [
        HEADER,
        "unit,GZ,广州供电局,bureau,,,,,,,",            // 2 ok
        "team,X,x,,,,,,,,",                            // 3 unknown type
        "person,bad name,某人,,,a@b.cn,,GZ,auditor,,", // 4 bad username
        "person,li,李,,,not-an-email,,GZ,auditor,,",   // 5 bad email
        "person,li,李,,,li@b.cn,,GZ,auditor,,",        // 6 ok
        "person,li,李二,,,li2@b.cn,,GZ,auditor,,",     // 7 duplicate username
        "unit,GZ,again,bureau,,,,,,,",                 // 8 duplicate unit code
        "unit,GZ-X,中心,service_center,,,,,,,",        // 9 center without parent
        "person,wu,吴,,,wu@b.cn,,GZ,boss,fr,maybe",    // 10 role, lang, active
        "person,he,何,,,he@b.cn,,NOPE,manager,,",      // 11 unknown unit
        "unit,GZ-Y,中心,service_center,NOPE,,,,,,",    // 12 unknown parent
        "person,ma,马,,,ma@b.cn,,,manager,,",          // 13 no unit, not admin
        "person,qi,齐,,,qi@b.cn,,GZ,,,,extra",         // 14 too many fields
    ]
    .join("\n");
    let errs = errors(&text);
    assert_eq!(
        lines(&errs),
        vec![3, 4, 5, 7, 8, 9, 10, 10, 10, 11, 12, 13, 13, 14],
        "{errs:#?}"
    );
    assert!(errs[0].message.contains("`team`"));
    assert!(errs[3].message.contains("line 6"), "{}", errs[3].message);
    assert!(errs[4].message.contains("line 2"));
    assert!(errs[5].message.contains("needs its bureau"));
    assert!(errs[6].message.starts_with("roles:"));
    assert!(errs[7].message.starts_with("lang:"));
    assert!(errs[8].message.starts_with("active:"));
    assert!(errs[9].message.contains("`NOPE`"));
    assert!(errs[10].message.starts_with("parent:"));
    assert!(errs[13].message.contains("12 fields"));
    let shown = ImportError::Rows(errs).to_string();
    assert!(
        shown.starts_with("14 errors in the file: line 3:"),
        "{shown}"
    );
}

#[test]
fn roles_at_units_and_unit_kinds() {
    let base = sample_file();
    // Bare role in the person's own unit, of the wrong kind.
    let errs = errors(&format!("{base}\nperson,x1,某,,,x1@b.cn,,GZ-SC,manager,,"));
    assert_eq!(lines(&errs), vec![9]);
    assert_eq!(
        errs[0].message,
        "roles: manager is held in a service_center, and `GZ-SC` is a department"
    );
    // role@UNIT of the wrong kind; parent not a bureau; admin in a center.
    let errs = errors(&format!(
        "{base}\nperson,x2,某,,,x2@b.cn,,GZ-TH,manager;head@GZ-TH,,\nunit,GZ-Z,某,department,GZ-TH,,,,,,\nperson,x3,某,,,x3@b.cn,,GZ-TH,admin,,"
    ));
    assert_eq!(lines(&errs), vec![9, 10, 11], "{errs:#?}");
    assert!(errs[0].message.contains("head is held in a bureau"));
    assert!(
        errs[1]
            .message
            .contains("`GZ-TH` is a service_center, not a bureau")
    );
    assert!(errs[2].message.contains("admin is held in a bureau"));
    // Syntax of role@UNIT.
    let errs = errors(&format!(
        "{base}\nperson,x4,某,,,x4@b.cn,,GZ-TH,manager@;auditor@G Z,,"
    ));
    assert_eq!(lines(&errs), vec![9, 9]);
    assert!(errs[0].message.contains("names no unit"));
    // A bad unit row is reported once, not again by its references.
    let errs = errors(&format!(
        "{HEADER}\nunit,B,局,bureau,,x@y.cn,,,,,\nperson,p,某,,,p@b.cn,,B,auditor,,"
    ));
    assert_eq!(lines(&errs), vec![2]);
    assert!(
        errs[0]
            .message
            .starts_with("email: must be empty for a unit")
    );
}

#[test]
fn header_problems_are_on_line_one() {
    let errs = errors("type,code,name,kind,colour,email,email\nunit,GZ,局,bureau,,,");
    assert_eq!(lines(&errs), vec![1, 1]);
    assert!(errs.iter().any(|e| e.message.contains("`colour`")));
    assert!(
        errs.iter()
            .any(|e| e.message.contains("`email` appears twice"))
    );
    let errs = errors("code,name\nGZ,局");
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.contains("lacks the column type"));
}

#[test]
fn invalid_utf8_and_empty_files() {
    let mut bytes = format!("{HEADER}\nunit,GZ,").into_bytes();
    bytes.extend_from_slice(&[0xB9, 0xE3]); // GBK, not UTF-8
    bytes.extend_from_slice(b",bureau,,,,,,,\n");
    let table = read_csv(&bytes).unwrap();
    assert_eq!(lines(&table.errors), vec![2]);
    assert!(matches!(read_csv(b""), Err(ImportError::Format(_))));
    assert!(matches!(
        read_csv(b"\xFF\xFEt\0"),
        Err(ImportError::Format(_))
    ));
    assert!(matches!(
        read_xlsx(b"not a zip"),
        Err(ImportError::Format(_))
    ));
}

#[test]
fn multi_line_quoted_cells_keep_line_numbers() {
    let text = format!("{HEADER}\nunit,GZ,\"广州\n供电局\",bureau,,,,,,,\nteam,X,,,,,,,,,");
    let errs = errors(&text);
    // A name is one line (line 2); the next row is still line 4.
    assert_eq!(lines(&errs), vec![2, 4]);
    assert!(errs[0].message.contains("U+000A"), "{}", errs[0].message);
}

#[test]
fn crlf_and_blank_lines_keep_line_numbers() {
    let text = format!(
        "{HEADER}\r\nunit,GZ,局,bureau,,,,,,,\r\n\r\nteam,X,,,,,,,,,\r\nteam,Y,,,,,,,,,\r\n"
    );
    assert_eq!(lines(&errors(&text)), vec![4, 5]);
    let text = format!("{HEADER}\n\n\nteam,X,,,,,,,,,\n");
    assert_eq!(lines(&errors(&text)), vec![4]);
}

#[test]
fn the_documented_example_is_valid() {
    let doc = include_str!("../../../docs/org-import.md");
    let example = doc
        .split("```csv\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("example");
    let parsed = parse_csv(example);
    assert_eq!(parsed.errors, vec![]);
    assert_eq!(check_refs(&parsed, &Existing::default()), vec![]);
    assert_eq!((parsed.units.len(), parsed.people.len()), (3, 7));
    assert!(!parsed.people[6].active);
}

/// Compiles only if the import's future is `Send` (HTTP handlers need it).
#[allow(dead_code)]
fn import_future_is_send(
    db: &sea_orm::DatabaseConnection,
) -> impl Future<Output = Result<ImportReport, ImportError>> + Send + '_ {
    import_bytes(db, b"", Format::Csv, true, Utc::now())
}

#[test]
fn formats_by_extension() {
    assert_eq!(
        Format::from_path(Path::new("org.CSV")).unwrap(),
        Format::Csv
    );
    assert_eq!(
        Format::from_path(Path::new("/tmp/组织.xlsx")).unwrap(),
        Format::Xlsx
    );
    assert!(matches!(
        Format::from_path(Path::new("org.xls")),
        Err(ImportError::Format(_))
    ));
    assert!(matches!(
        Format::from_path(Path::new("org")),
        Err(ImportError::Format(_))
    ));
}

#[test]
fn cells_as_text() {
    use calamine::Data;
    assert_eq!(
        cell_text(&Data::Float(13800138000.0)).unwrap(),
        "13800138000"
    );
    assert_eq!(cell_text(&Data::Float(1.5)).unwrap(), "1.5");
    assert_eq!(cell_text(&Data::Int(1)).unwrap(), "1");
    assert_eq!(cell_text(&Data::Bool(false)).unwrap(), "false");
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(27), "AB");
}

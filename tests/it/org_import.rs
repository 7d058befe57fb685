//! Bulk import of the org chart: a 2,000-person file, all or nothing, on a
//! fresh SQLite database per test and, when `YEKUO_TEST_DATABASE_URL` points
//! at a PostgreSQL server, on a fresh PostgreSQL database as well.

use crate::common;

use std::collections::BTreeSet;
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait};

use yekuo::config::Config;
use yekuo::org::entity::{person, role_assignment, unit};
use yekuo::org::import::{Format, ImportError, ImportReport, import_bytes};
use yekuo::org::service;

/// The line of the bad row in [`org_rows`]`(true)`.
const BAD_LINE: usize = 1234;
const PEOPLE: usize = 2000;
const UNITS: usize = 19;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap()
}

// ------------------------------------------------------------ the file

/// The header and rows of an org chart: 10 service centers first, then
/// 2,000 people, then 8 departments and last their bureau `GZ` (parents
/// after children). People: a head, a deputy head, 4 auditors (one also in
/// a department), an installation-wide admin, 10 center directors, 160
/// department members and 1,823 managers (every 100th also in department
/// GZ-D02). With `bad`, line 1234 gives a manager a role in a department.
fn org_rows(bad: bool) -> Vec<Vec<String>> {
    const SURNAMES: [&str; 20] = [
        "李", "王", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
        "郭", "何", "高", "林", "罗",
    ];
    const GIVEN: [&str; 24] = [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
        "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华",
    ];
    let header = "type,code,name,kind,parent,email,phone,unit,roles,lang,active";
    let mut rows: Vec<Vec<String>> = vec![header.split(',').map(String::from).collect()];
    let unit = |code: String, name: String, kind: &str, parent: &str| -> Vec<String> {
        let mut r = vec!["unit".to_string(), code, name, kind.into(), parent.into()];
        r.resize(11, String::new());
        r
    };
    for c in 1..=10 {
        rows.push(unit(
            format!("GZ-C{c:02}"),
            format!("第{c}供电服务中心"),
            "service_center",
            "GZ",
        ));
    }
    let mut managers = 0;
    for i in 0..PEOPLE {
        let (username, unit, roles) = match i {
            0 => (
                "head-chen".to_string(),
                "GZ".to_string(),
                "head".to_string(),
            ),
            1 => ("deputy-lin".into(), "GZ".into(), "deputy_head".into()),
            2..=5 => (
                format!("auditor-{}", i - 1),
                "GZ".into(),
                if i == 2 {
                    "auditor;department@GZ-D01".into()
                } else {
                    "auditor".into()
                },
            ),
            6 => ("root".into(), String::new(), "admin".into()),
            7..=16 => (
                format!("director-{:02}", i - 6),
                format!("GZ-C{:02}", i - 6),
                "center_director".into(),
            ),
            17..=176 => (
                format!("dept-{:03}", i - 16),
                format!("GZ-D{:02}", (i - 17) / 20 + 1),
                "department".into(),
            ),
            _ => {
                managers += 1;
                let center = format!("GZ-C{:02}", managers % 10 + 1);
                let roles = if managers % 100 == 0 {
                    "manager;department@GZ-D02".into()
                } else {
                    "manager".into()
                };
                (format!("mgr-{managers:04}"), center, roles)
            }
        };
        let roles = if bad && rows.len() + 1 == BAD_LINE {
            "manager@GZ-D03".to_string()
        } else {
            roles
        };
        let name = format!(
            "{}{}{}",
            SURNAMES[i % 20],
            GIVEN[(i / 20) % 24],
            GIVEN[(i / 7) % 24]
        );
        let phone = if i % 3 == 0 {
            String::new()
        } else {
            format!("138{:08}", i * 7919 % 100_000_000)
        };
        let lang = if i % 10 == 9 { "en" } else { "" };
        let active = if i % 7 == 3 { "是" } else { "" };
        rows.push(vec![
            "person".into(),
            username.clone(),
            name,
            String::new(),
            String::new(),
            format!("{username}@gz.example.cn"),
            phone,
            unit,
            roles,
            lang.into(),
            active.into(),
        ]);
    }
    for d in 1..=8 {
        rows.push(unit(
            format!("GZ-D{d:02}"),
            format!("部门{d}"),
            "department",
            "GZ",
        ));
    }
    rows.push(unit("GZ".into(), "广州供电局".into(), "bureau", ""));
    rows
}

/// CSV text of `rows` (UTF-8 with a BOM, as Excel saves “CSV UTF-8”).
fn to_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = "\u{feff}".to_string();
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// An XLSX workbook of `rows`, with phone numbers stored as numbers and
/// `是` in the active column as a boolean cell.
fn to_xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if cell.is_empty() {
                continue;
            }
            if r > 0 && c == 6 {
                sheet
                    .write_number(r, c, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else if r > 0 && c == 10 && cell == "是" {
                sheet.write_boolean(r, c, true).unwrap();
            } else {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// Role assignments the rows ask for.
fn roles_in(rows: &[Vec<String>]) -> usize {
    rows.iter()
        .filter(|r| r[0] == "person")
        .map(|r| r[8].split(';').count())
        .sum()
}

// ------------------------------------------------------------ databases

/// A fresh, migrated database, dropped by [`TestDb::finish`] on PostgreSQL.
struct TestDb {
    db: DatabaseConnection,
    label: &'static str,
    pg_admin: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// A fresh SQLite database, and a fresh PostgreSQL one when
/// `YEKUO_TEST_DATABASE_URL` is set.
async fn databases() -> Vec<TestDb> {
    let mut out = vec![sqlite().await];
    if std::env::var("YEKUO_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        out.push(postgres().await);
    }
    out
}

async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("yekuo.db").display()
    );
    TestDb {
        db: open(&url).await,
        label: "sqlite",
        pg_admin: None,
        _dir: dir,
    }
}

async fn postgres() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg_admin) = common::fresh_database(dir.path()).await;
    TestDb {
        db: open(&url).await,
        label: "postgres",
        pg_admin,
        _dir: dir,
    }
}

async fn open(url: &str) -> DatabaseConnection {
    let config = Config::from_toml_overrides(&format!("[database]\nurl = \"{url}\"")).unwrap();
    let db = yekuo::db::connect(&config.raw.database)
        .await
        .expect("connect");
    yekuo::db::migrate(&db).await.expect("migrate");
    db
}

impl TestDb {
    async fn finish(self) {
        self.db.close().await.ok();
        if let Some((admin, name)) = self.pg_admin {
            common::drop_database(&admin, &name).await;
        }
    }

    async fn import(
        &self,
        bytes: &[u8],
        format: Format,
        dry_run: bool,
    ) -> Result<ImportReport, ImportError> {
        let started = Instant::now();
        let res = import_bytes(&self.db, bytes, format, dry_run, now()).await;
        eprintln!(
            "{}: import of {} bytes ({format:?}, dry run {dry_run}) took {:?}",
            self.label,
            bytes.len(),
            started.elapsed()
        );
        res
    }

    /// (units, people, role assignments) in the database.
    async fn counts(&self) -> (u64, u64, u64) {
        (
            unit::Entity::find().count(&self.db).await.unwrap(),
            person::Entity::find().count(&self.db).await.unwrap(),
            role_assignment::Entity::find()
                .count(&self.db)
                .await
                .unwrap(),
        )
    }

    async fn person(&self, username: &str) -> person::Model {
        service::person_by_username(&self.db, username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{username} exists"))
    }

    /// Every person (with unit codes) and every role assignment, comparable
    /// across databases.
    async fn snapshot(&self) -> (Vec<String>, BTreeSet<(String, String, Option<String>)>) {
        let units = unit::Entity::find().all(&self.db).await.unwrap();
        let code =
            |id: Option<i64>| id.map(|id| units.iter().find(|u| u.id == id).unwrap().code.clone());
        let mut unit_rows: Vec<String> = units
            .iter()
            .map(|u| {
                format!(
                    "unit {} {} {} {:?}",
                    u.code,
                    u.name,
                    u.kind,
                    code(u.parent_id)
                )
            })
            .collect();
        let people = person::Entity::find().all(&self.db).await.unwrap();
        let mut rows: Vec<String> = people
            .iter()
            .map(|p| {
                format!(
                    "person {} {} {} {:?} {:?} {} {} {:?} {:?}",
                    p.username,
                    p.name,
                    p.email,
                    p.phone,
                    code(p.unit_id),
                    p.lang,
                    p.active,
                    p.deactivated_at,
                    p.password_hash
                )
            })
            .collect();
        rows.append(&mut unit_rows);
        rows.sort();
        let roles = role_assignment::Entity::find()
            .all(&self.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                let who = people
                    .iter()
                    .find(|p| p.id == r.person_id)
                    .unwrap()
                    .username
                    .clone();
                (who, r.role, code(r.unit_id))
            })
            .collect();
        (rows, roles)
    }
}

fn set(rows: &mut [Vec<String>], username: &str, col: usize, value: &str) -> usize {
    let i = rows
        .iter()
        .position(|r| r[0] == "person" && r[1] == username)
        .unwrap();
    rows[i][col] = value.to_string();
    i + 1
}

// ------------------------------------------------------------ tests

#[tokio::test]
async fn a_bad_row_rejects_the_whole_file() {
    let bad = to_csv(&org_rows(true));
    for t in databases().await {
        let err = t.import(&bad, Format::Csv, false).await.unwrap_err();
        let ImportError::Rows(rows) = &err else {
            panic!("{}: {err}", t.label)
        };
        assert_eq!(rows.len(), 1, "{}: {rows:?}", t.label);
        assert_eq!(rows[0].line, BAD_LINE);
        assert_eq!(
            rows[0].message,
            "roles: manager is held in a service_center, and `GZ-D03` is a department"
        );
        assert!(err.to_string().contains("line 1234: roles:"), "{err}");
        assert_eq!(t.counts().await, (0, 0, 0), "{}: nothing written", t.label);
        // A dry run of the bad file says the same.
        assert!(
            matches!(t.import(&bad, Format::Csv, true).await, Err(ImportError::Rows(r)) if r.len() == 1)
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn the_corrected_file_imports_and_a_second_import_changes_nothing() {
    let rows = org_rows(false);
    let csv = to_csv(&rows);
    let roles = roles_in(&rows);
    assert_eq!(
        roles,
        2000 + 1 + 18,
        "one role each, plus auditor-1's and every 100th manager's department"
    );
    for t in databases().await {
        let started = Instant::now();
        let r = t.import(&csv, Format::Csv, false).await.unwrap();
        assert!(
            started.elapsed().as_secs() < 30,
            "{}: far too slow",
            t.label
        );
        assert!(!r.dry_run);
        assert_eq!(
            (r.units_created, r.units_updated, r.units_unchanged),
            (UNITS, 0, 0),
            "{}",
            t.label
        );
        assert_eq!(
            (
                r.people_created,
                r.people_updated,
                r.people_unchanged,
                r.people_deactivated
            ),
            (PEOPLE, 0, 0, 0)
        );
        assert_eq!((r.roles_added, r.roles_removed), (roles, 0));
        assert_eq!(r.changes.len(), UNITS + PEOPLE);
        assert_eq!(r.changes[0].line, 2);
        assert_eq!(
            r.changes[0].what,
            "unit GZ-C01: created, service_center 第1供电服务中心 under GZ"
        );
        assert!(r.changes.windows(2).all(|w| w[0].line < w[1].line));
        assert_eq!(
            t.counts().await,
            (UNITS as u64, PEOPLE as u64, roles as u64)
        );

        // What was written: a parent defined after its child, roles in the
        // person's unit and in another, an installation-wide admin.
        let gz = service::unit_by_code(&t.db, "GZ").await.unwrap().unwrap();
        let c01 = service::unit_by_code(&t.db, "GZ-C01")
            .await
            .unwrap()
            .unwrap();
        let d02 = service::unit_by_code(&t.db, "GZ-D02")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((gz.kind.as_str(), gz.parent_id), ("bureau", None));
        assert_eq!(
            (c01.kind.as_str(), c01.parent_id),
            ("service_center", Some(gz.id))
        );
        let mgr = t.person("mgr-0100").await;
        assert_eq!(
            (mgr.unit_id, mgr.password_hash.as_deref(), mgr.active),
            (Some(c01.id), None, true)
        );
        let grants = service::grants_of(&t.db, mgr.id).await.unwrap();
        let got: Vec<_> = grants
            .iter()
            .map(|g| (g.role.as_str(), g.unit_id, g.bureau_id))
            .collect();
        assert_eq!(got.len(), 2);
        assert!(got.contains(&("manager", Some(c01.id), Some(gz.id))));
        assert!(got.contains(&("department", Some(d02.id), Some(gz.id))));
        let root = t.person("root").await;
        assert_eq!(root.unit_id, None);
        let grants = service::grants_of(&t.db, root.id).await.unwrap();
        assert_eq!(
            (grants[0].role.as_str(), grants[0].unit_id),
            ("admin", None)
        );
        let ladder = service::ladder_people(&t.db, c01.id, mgr.id).await.unwrap();
        for h in [
            &ladder.manager,
            &ladder.center_director,
            &ladder.deputy_head,
            &ladder.head,
        ] {
            assert!(matches!(h, service::Holder::Filled { .. }), "{h:?}");
        }
        let en = t.person("dept-003").await; // i = 19
        assert_eq!(
            (en.lang.as_str(), en.phone.as_deref()),
            ("en", Some("13800150461"))
        );

        let again = t.import(&csv, Format::Csv, false).await.unwrap();
        let unchanged = ImportReport {
            units_unchanged: UNITS,
            people_unchanged: PEOPLE,
            ..ImportReport::default()
        };
        assert_eq!(again, unchanged, "{}", t.label);
        assert_eq!(
            t.counts().await,
            (UNITS as u64, PEOPLE as u64, roles as u64)
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn a_dry_run_reports_changes_and_writes_nothing_then_a_real_run_writes_them() {
    let mut rows = org_rows(false);
    let csv = to_csv(&rows);
    let roles = roles_in(&rows);
    // The changes: an email, a removed role, a deactivation, a renamed unit,
    // a person moved to another center; and one person left out of the file.
    let email_line = set(&mut rows, "mgr-0007", 5, "li.new@gz.example.cn");
    let role_line = set(&mut rows, "mgr-0200", 8, "manager");
    let off_line = set(&mut rows, "dept-001", 10, "否");
    let move_line = set(&mut rows, "director-02", 7, "GZ-C09");
    let c05 = rows
        .iter()
        .position(|r| r[0] == "unit" && r[1] == "GZ-C05")
        .unwrap();
    rows[c05][2] = "天河供电服务中心".into();
    let left_out = rows
        .iter()
        .position(|r| r[0] == "person" && r[1] == "mgr-1823")
        .unwrap();
    rows.remove(left_out);
    let changed = to_csv(&rows);

    for t in databases().await {
        t.import(&csv, Format::Csv, false).await.unwrap();
        let before = t.snapshot().await;

        let dry = t.import(&changed, Format::Csv, true).await.unwrap();
        assert!(dry.dry_run);
        assert_eq!(
            (dry.units_created, dry.units_updated, dry.units_unchanged),
            (0, 1, UNITS - 1),
            "{}",
            t.label
        );
        assert_eq!(
            (
                dry.people_created,
                dry.people_updated,
                dry.people_unchanged,
                dry.people_deactivated
            ),
            (0, 4, PEOPLE - 5, 1)
        );
        // director-02 moves center, so its role moves too.
        assert_eq!((dry.roles_added, dry.roles_removed), (1, 2));
        let what: Vec<(usize, &str)> = dry
            .changes
            .iter()
            .map(|c| (c.line, c.what.as_str()))
            .collect();
        let mut expected = vec![
            (
                c05 + 1,
                "unit GZ-C05: name 第5供电服务中心 → 天河供电服务中心",
            ),
            (
                email_line,
                "person mgr-0007: email mgr-0007@gz.example.cn → li.new@gz.example.cn",
            ),
            (role_line, "person mgr-0200: roles -department@GZ-D02"),
            (off_line, "person dept-001: deactivated"),
            (
                move_line,
                "person director-02: unit GZ-C02 → GZ-C09; roles -center_director@GZ-C02 +center_director@GZ-C09",
            ),
        ];
        expected.sort();
        assert_eq!(what, expected, "{}", t.label);
        assert_eq!(
            t.snapshot().await,
            before,
            "{}: a dry run writes nothing",
            t.label
        );

        let real = t.import(&changed, Format::Csv, false).await.unwrap();
        assert_eq!(
            real,
            ImportReport {
                dry_run: false,
                ..dry.clone()
            }
        );
        assert_eq!(t.person("mgr-0007").await.email, "li.new@gz.example.cn");
        let off = t.person("dept-001").await;
        assert_eq!((off.active, off.deactivated_at), (false, Some(now())));
        let m200 = t.person("mgr-0200").await;
        let grants = service::grants_of(&t.db, m200.id).await.unwrap();
        assert_eq!(
            grants.iter().map(|g| g.role.as_str()).collect::<Vec<_>>(),
            vec!["manager"]
        );
        let c05u = service::unit_by_code(&t.db, "GZ-C05")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c05u.name, "天河供电服务中心");
        // Left out of the file: left alone.
        let kept = t.person("mgr-1823").await;
        assert!(kept.active);
        assert_eq!(service::grants_of(&t.db, kept.id).await.unwrap().len(), 1);
        assert_eq!(
            t.counts().await,
            (UNITS as u64, PEOPLE as u64, roles as u64 - 1)
        );

        // The same file again: nothing left to do; deactivated_at is kept.
        let again = t.import(&changed, Format::Csv, false).await.unwrap();
        assert_eq!(
            (
                again.people_unchanged,
                again.units_unchanged,
                again.changes.len()
            ),
            (PEOPLE - 1, UNITS, 0)
        );
        // Reactivation clears deactivated_at.
        set(&mut rows, "dept-001", 10, "1");
        let back = t.import(&to_csv(&rows), Format::Csv, false).await.unwrap();
        assert_eq!(back.changes.len(), 1);
        assert_eq!(back.changes[0].what, "person dept-001: reactivated");
        let on = t.person("dept-001").await;
        assert_eq!((on.active, on.deactivated_at), (true, None));
        t.finish().await;
    }
}

#[tokio::test]
async fn an_xlsx_file_imports_like_the_csv_file() {
    let rows = org_rows(false);
    let csv = to_csv(&rows);
    let xlsx = to_xlsx(&rows);
    let xlsx_bad = to_xlsx(&org_rows(true));
    let mut a = databases().await.into_iter();
    let mut b = databases().await.into_iter();
    while let (Some(from_csv), Some(from_xlsx)) = (a.next(), b.next()) {
        let rc = from_csv.import(&csv, Format::Csv, false).await.unwrap();
        let rx = from_xlsx.import(&xlsx, Format::Xlsx, false).await.unwrap();
        assert_eq!(rc, rx, "{}", from_csv.label);
        let (people_c, roles_c) = from_csv.snapshot().await;
        let (people_x, roles_x) = from_xlsx.snapshot().await;
        assert_eq!(roles_c, roles_x);
        assert_eq!(people_c.len(), people_x.len());
        for (c, x) in people_c.iter().zip(&people_x) {
            assert_eq!(c, x, "{}", from_csv.label);
        }
        // Phone numbers typed as numbers come out as text without ".0".
        assert_eq!(
            from_xlsx.person("dept-003").await.phone.as_deref(),
            Some("13800150461")
        );
        // Bad rows are reported by sheet row number.
        let err = from_xlsx
            .import(&xlsx_bad, Format::Xlsx, true)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ImportError::Rows(r) if r.len() == 1 && r[0].line == BAD_LINE),
            "{err}"
        );
        from_csv.finish().await;
        from_xlsx.finish().await;
    }
}

#[tokio::test]
async fn a_database_error_midway_writes_nothing() {
    let csv = to_csv(&org_rows(false));
    for t in databases().await {
        // Role assignments are written last: make the first auditor's fail.
        let trigger = match t.db.get_database_backend() {
            DbBackend::Postgres => vec![
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER boom BEFORE INSERT ON role_assignments FOR EACH ROW WHEN (NEW.role = 'auditor') EXECUTE FUNCTION boom()",
            ],
            _ => vec![
                "CREATE TRIGGER boom BEFORE INSERT ON role_assignments WHEN NEW.role = 'auditor' BEGIN SELECT RAISE(ABORT, 'boom'); END",
            ],
        };
        for sql in trigger {
            t.db.execute_unprepared(sql).await.unwrap();
        }
        let err = t.import(&csv, Format::Csv, false).await.unwrap_err();
        assert!(matches!(err, ImportError::Db(_)), "{}: {err}", t.label);
        assert!(err.to_string().contains("boom"), "{err}");
        assert_eq!(t.counts().await, (0, 0, 0), "{}: rolled back", t.label);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_unit_kind_changes_only_when_nothing_outside_the_file_depends_on_it() {
    let csv = to_csv(&org_rows(false));
    let header = "type,code,name,kind,parent,email,phone,unit,roles,lang,active";
    for t in databases().await {
        t.import(&csv, Format::Csv, false).await.unwrap();
        // Department members of GZ-D08 are not in this file: refused.
        let file = format!("{header}\nunit,GZ-D08,部门8,service_center,GZ,,,,,,\n");
        let err = t
            .import(file.as_bytes(), Format::Csv, true)
            .await
            .unwrap_err();
        let ImportError::Rows(rows) = &err else {
            panic!("{err}")
        };
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert!(
            rows[0]
                .message
                .contains("people not in the file hold roles in it (`dept-141`"),
            "{}",
            rows[0].message
        );
        // The bureau cannot become a department while centers sit under it.
        let file = format!("{header}\nunit,GZ,广州供电局,department,GZ-C01,,,,,,\n");
        let err = t
            .import(file.as_bytes(), Format::Csv, true)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("line 2: parent: `GZ-C01` is a service_center, not a bureau"),
            "{err}"
        );
        // A unit nobody depends on changes kind and moves; people and units
        // outside the file stay as they were.
        let file = format!(
            "{header}\nunit,ZS,中山供电局,bureau,,,,,,,\nunit,GZ-X,新部门,department,GZ,,,,,,\n"
        );
        t.import(file.as_bytes(), Format::Csv, false).await.unwrap();
        let file = format!("{header}\nunit,GZ-X,新中心,service_center,ZS,,,,,,\n");
        let r = t.import(file.as_bytes(), Format::Csv, false).await.unwrap();
        assert_eq!(r.units_updated, 1);
        assert_eq!(
            r.changes[0].what,
            "unit GZ-X: name 新部门 → 新中心; kind department → service_center; parent GZ → ZS"
        );
        assert_eq!(t.counts().await.1, PEOPLE as u64);
        t.finish().await;
    }
}

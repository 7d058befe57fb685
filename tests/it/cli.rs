//! The `yekuo` binary as an operator uses it.

use std::process::Command;

fn yekuo(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yekuo"))
        .args(args)
        .env_remove("YEKUO__DATABASE__URL")
        .env("YEKUO__CALENDAR__DIR", "")
        .output()
        .expect("run yekuo");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn calendar_add_prints_the_working_day() {
    assert_eq!(
        yekuo(&["calendar", "add", "2025-01-24", "5"]).1,
        "2025-02-07\n"
    );
    assert_eq!(
        yekuo(&["calendar", "add", "2025-09-30", "3"]).1,
        "2025-10-11\n"
    );
    assert_eq!(
        yekuo(&["calendar", "between", "2025-01-24", "2025-02-07"]).1,
        "5\n"
    );
}

#[test]
fn calendar_add_past_the_announced_years_exits_2_unless_provisional() {
    let (code, out, err) = yekuo(&["calendar", "add", "2026-12-01", "80"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("2027") && err.contains("--provisional"),
        "{err}"
    );
    let (code, out, _) = yekuo(&["calendar", "add", "2026-12-01", "80", "--provisional"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("2027-") && out.contains("provisional"),
        "{out}"
    );
}

#[test]
fn calendar_explain_lists_rest_and_make_up_days() {
    let (code, out, _) = yekuo(&["calendar", "explain", "2026-02-10", "7"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("2026-02-14") && out.contains("make-up"),
        "{out}"
    );
    assert!(
        out.contains("2026-02-16") && out.contains("rest day"),
        "{out}"
    );
    assert!(out.contains("2026-02-26"), "{out}");
}

#[test]
fn bad_config_names_the_key() {
    let out = Command::new(env!("CARGO_BIN_EXE_yekuo"))
        .args(["calendar", "info"])
        .env("YEKUO__TIME__ZONE", "Mars/Olympus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("time.zone"));
}

#[test]
fn org_users_and_tickets_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_yekuo"))
            .args(args)
            .env("YEKUO__DATABASE__URL", &url)
            .env("YEKUO__CALENDAR__DIR", "")
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for args in [
        &[
            "org",
            "add-unit",
            "--code",
            "GZ",
            "--name",
            "广州供电局",
            "--kind",
            "bureau",
        ][..],
        &[
            "org",
            "add-unit",
            "--code",
            "GZ-TH",
            "--name",
            "天河供电服务中心",
            "--kind",
            "service_center",
            "--parent",
            "GZ",
        ],
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = run(&[
        "user",
        "create",
        "--username",
        "mgr-li",
        "--name",
        "李经理",
        "--email",
        "li@example.com",
        "--unit",
        "GZ-TH",
        "--role",
        "manager",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("password: "), "{out}");
    let (code, _, err) = run(&[
        "user",
        "create",
        "--username",
        "x",
        "--name",
        "x",
        "--email",
        "x@e.com",
        "--unit",
        "GZ",
        "--role",
        "manager",
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("service_center"),
        "manager must be held in a service center: {err}"
    );
    let (code, out, _) = run(&["user", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("mgr-li") && out.contains("manager"), "{out}");
    let (code, out, err) = run(&[
        "ticket",
        "create",
        "--customer-name",
        "珠江化工",
        "--account",
        "0301",
        "--address",
        "广州",
        "--voltage",
        "10kV",
        "--sources",
        "dual",
        "--new-line",
        "--capacity",
        "3150",
        "--center",
        "GZ-TH",
        "--accepted-on",
        "2026-01-30",
        "--manager",
        "mgr-li",
        "--as-of",
        "2026-02-02T09:00:00+08:00",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["due_date"], "2026-06-16");
    assert_eq!(v["owner"], "mgr-li");
    let no = v["ticket_no"].as_str().unwrap().to_string();
    let (code, out, _) = run(&["ticket", "show", &no]);
    assert_eq!(code, 0);
    assert!(out.contains("\"category\": \"mv_new_dual\""));
    let (code, out, _) = run(&["ticket", "list", "--overdue-as-of", "2026-06-17"]);
    assert_eq!(code, 0);
    assert!(out.contains(&no));
    let (code, _, err) = run(&[
        "ticket",
        "create",
        "--customer-name",
        "x",
        "--account",
        "1",
        "--address",
        "a",
        "--voltage",
        "400V",
        "--sources",
        "single",
        "--capacity",
        "1",
        "--center",
        "GZ-TH",
        "--accepted-on",
        "2026-01-30",
        "--manager",
        "mgr-li",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("voltage_level"), "{err}");
}

#[test]
fn demo_data_and_a_sweep_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("demo.db").display());
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_yekuo"))
            .args(args)
            .env("YEKUO__DATABASE__URL", &url)
            .env("YEKUO__CALENDAR__DIR", "")
            .env("YEKUO__MAIL__DIR", dir.path().join("mail"))
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let at = "2026-11-27T09:00:00+08:00";
    let (code, out, err) = run(&[
        "demo",
        "--tickets",
        "60",
        "--due",
        "7",
        "--centers",
        "3",
        "--as-of",
        at,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("60 demo tickets"), "{out}");
    let (_, out, _) = run(&["sweep", "--as-of", at, "--dry-run"]);
    assert!(
        out.contains("7 due ticket(s)") && out.contains("7 would escalate"),
        "{out}"
    );
    let (_, out, _) = run(&["sweep", "--as-of", at]);
    assert!(
        out.contains("7 escalated") && out.contains("7 mail(s) queued"),
        "{out}"
    );
    let (_, out, _) = run(&["sweep", "--as-of", at]);
    assert!(
        out.contains("0 escalated"),
        "a second sweep applies nothing: {out}"
    );
    let (code, out, _) = run(&["mail", "deliver"]);
    assert_eq!(code, 0);
    assert!(out.contains("sent 7"), "{out}");
    let files = std::fs::read_dir(dir.path().join("mail")).unwrap().count();
    assert_eq!(files, 7, "the file transport wrote one .eml per mail");
}

//! Loading a newly announced year recomputes open tickets: the diff first,
//! then one `due_recomputed` event per changed ticket.

use crate::common;

use common::{TestApp, local};
use serde_json::json;

const CN_2027: &str = r#"
kind = "national"
region = "cn"
year = 2027
source = "test fixture: a 2027 calendar with a long New Year break"
rest_days = ["2027-01-01..2027-01-10"]
makeup_workdays = []
"#;

#[tokio::test]
async fn a_new_year_file_turns_provisional_dates_final() {
    let t = TestApp::spawn(local("2026-12-03 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-12-01"})).await;
    let id = v["id"].as_i64().unwrap();
    assert_eq!(v["provisional"], true);
    let before = v["due_date"].as_str().unwrap().to_string();
    t.create_ticket(json!({"accepted_on": "2026-06-01"})).await; // due in 2026: unaffected

    let file = t.dir.path().join("cn-2027.toml");
    std::fs::write(&file, CN_2027).unwrap();
    let app = t
        .sibling(&format!("[calendar]\nfiles = [\"{}\"]", file.display()))
        .await;
    assert!(app.calendar.version().contains("cn-2027"));

    let dry =
        yekuo::tickets::recompute::recompute_open(&app, &yekuo::tickets::Actor::system(), false)
            .await
            .unwrap();
    assert_eq!(dry.examined, 2);
    assert_eq!(dry.changed.len(), 1);
    let c = &dry.changed[0];
    assert_eq!(
        (c.id, c.provisional_before, c.provisional_after),
        (id, true, false)
    );
    assert!(
        c.due_date_after.to_string() > before,
        "the long break pushes the date later"
    );
    // A dry run writes nothing.
    assert_eq!(
        t.get_ok(&format!("/api/v1/tickets/{id}/events"))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let done =
        yekuo::tickets::recompute::recompute_open(&app, &yekuo::tickets::Actor::system(), true)
            .await
            .unwrap();
    assert_eq!(done.changed.len(), 1);
    let events = t.get_ok(&format!("/api/v1/tickets/{id}/events")).await;
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "due_recomputed");
    assert_eq!(last["actor"], "system");
    assert_eq!(last["payload"]["due_date_before"], before.as_str());
    assert_eq!(last["payload"]["provisional"], false);
    // Everything is now on the new version: nothing left to do.
    let again =
        yekuo::tickets::recompute::recompute_open(&app, &yekuo::tickets::Actor::system(), true)
            .await
            .unwrap();
    assert_eq!((again.examined, again.changed.len()), (0, 0));
    assert_eq!(
        yekuo::tickets::recompute::stale_count(&app).await.unwrap(),
        0
    );
    app.db.close().await.ok();
    t.stop().await;
}

//! Job leases: one holder at a time per job, across instances sharing a
//! database; an expired lease can be taken over; a released one is free.

use crate::common;

use chrono::Duration;
use common::{TestApp, local};
use yekuo::scheduler::{release, run_sweep, try_lease};

#[tokio::test]
async fn one_holder_at_a_time() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let other = t.sibling("").await;
    let now = local("2026-03-02 10:00");
    let ttl = Duration::seconds(60);
    assert!(try_lease(&t.app.db, "sweep", "a", ttl, now).await.unwrap());
    assert!(
        !try_lease(&other.db, "sweep", "b", ttl, now).await.unwrap(),
        "a holds it"
    );
    assert!(
        try_lease(&other.db, "deliver", "b", ttl, now)
            .await
            .unwrap(),
        "another job is free"
    );
    assert!(
        try_lease(&t.app.db, "sweep", "a", ttl, now + Duration::seconds(30))
            .await
            .unwrap(),
        "renewed by its holder"
    );
    assert!(
        !try_lease(&other.db, "sweep", "b", ttl, now + Duration::seconds(80))
            .await
            .unwrap(),
        "renewal extended it"
    );
    assert!(
        try_lease(&other.db, "sweep", "b", ttl, now + Duration::seconds(91))
            .await
            .unwrap(),
        "expired: taken over"
    );
    release(&other.db, "sweep", "b").await.unwrap();
    assert!(
        try_lease(&t.app.db, "sweep", "a", ttl, now + Duration::seconds(92))
            .await
            .unwrap(),
        "released: free"
    );
    // A scheduled run skips while another instance holds the lease.
    t.clock.set(now + Duration::seconds(93));
    assert!(!run_sweep(&other, "b").await.unwrap());
    release(&t.app.db, "sweep", "a").await.unwrap();
    assert!(run_sweep(&other, "b").await.unwrap());
    other.db.close().await.ok();
    t.stop().await;
}

//! The reports as aligned text for a terminal (`yekuo report …` without
//! `--format`).

use yekuo::reports::ReportScope;
use yekuo::reports::overdue::OverdueReport;

/// The report as aligned text for a terminal.
pub(super) fn overdue(r: &OverdueReport, zone: chrono_tz::Tz) -> String {
    let mut out = format!(
        "overdue as of {} ({}; calendar {})\n",
        r.definitions
            .as_of
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z"),
        match r.definitions.scope {
            ReportScope::Bureau(_) => "bureau",
            ReportScope::Center(_) => "service center",
            ReportScope::Manager(_) => "manager",
        },
        r.definitions.calendar_version
    );
    out.push_str(&format!(
        "{:<20} {:<10} {:<14} {:>5} {:<16} {:<10} {:>7} {:<8}\n",
        "ticket", "center", "owner", "level", "stage", "due", "days", "light"
    ));
    for row in r.rows.iter().chain(&r.due_soon) {
        let days = if row.overdue_working_days > 0 {
            format!("+{}", row.overdue_working_days)
        } else {
            format!("-{}", row.remaining_working_days)
        };
        out.push_str(&format!(
            "{:<20} {:<10} {:<14} {:>5} {:<16} {:<10} {:>7} {:<8}\n",
            row.ticket_no,
            row.service_center,
            row.owner,
            row.escalation_level,
            row.stage,
            row.due_date,
            days,
            row.light.as_str()
        ));
    }
    out.push_str(&format!(
        "{} overdue, {} due soon\n",
        r.rows.len(),
        r.due_soon.len()
    ));
    out
}

/// The compliance report as aligned text for a terminal.
pub(super) fn compliance(r: &yekuo::reports::compliance::ComplianceReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "compliance (达标) of tickets closed {} to {} (calendar {})",
        r.from, r.to, r.calendar_version
    );
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>7} {:>9} {:>6} {:>8} {:>8}",
        "center", "closed", "on time", "compliant", "rate", "gross wd", "net wd"
    );
    for c in r.centers.iter().chain(std::iter::once(&r.total)) {
        let name = if c.service_center.is_empty() {
            "(all)"
        } else {
            &c.service_center
        };
        let _ = writeln!(
            out,
            "{:<12} {:>6} {:>7} {:>9} {:>5.1}% {:>8.1} {:>8.1}",
            name,
            c.closed,
            c.on_time,
            c.compliant,
            100.0 * c.compliance_rate,
            c.mean_working_days_gross,
            c.mean_working_days_net
        );
    }
    for s in &r.stages {
        let _ = writeln!(
            out,
            "stage {:<22} {:>4} of {:<4} within limit ({:.1}%), mean {:.1}, P90 {:.1} working days",
            s.stage,
            s.within_limit,
            s.entered,
            100.0 * s.rate,
            s.mean_working_days,
            s.p90_working_days
        );
    }
    out
}

/// The durations report as aligned text for a terminal.
pub(super) fn durations(r: &yekuo::reports::durations::DurationsReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "durations of tickets closed {} to {} (working days; calendar days)",
        r.from, r.to
    );
    let _ = writeln!(
        out,
        "{:<24} {:>5} {:>7} {:>7} {:>7} {:>7}   {:>7} {:>7}",
        "", "count", "mean", "median", "P90", "max", "mean", "P90"
    );
    let groups = std::iter::once(("all", &r.all))
        .chain(r.by_voltage.iter().map(|g| ("voltage", g)))
        .chain(r.by_category.iter().map(|g| ("category", g)))
        .chain(r.by_stage.iter().map(|g| ("stage", g)));
    for (kind, g) in groups {
        let (w, c) = (&g.working_days, &g.calendar_days);
        let _ = writeln!(
            out,
            "{:<24} {:>5} {:>7.1} {:>7.1} {:>7.1} {:>7.1}   {:>7.1} {:>7.1}",
            if g.key.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} {}", g.key)
            },
            w.count,
            w.mean,
            w.median,
            w.p90,
            w.max,
            c.mean,
            c.p90
        );
    }
    out
}

/// The workload report as aligned text for a terminal.
pub(super) fn workload(r: &yekuo::reports::workload::WorkloadReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<16} {:<10} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
        "manager", "center", "open", "owned", "customers", "overdue", "closed", "on time"
    );
    for m in &r.managers {
        let _ = writeln!(
            out,
            "{:<16} {:<10} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
            m.manager,
            m.service_center,
            m.open_managed,
            m.open_owned,
            m.customers,
            m.overdue_now,
            m.closed_in_period,
            m.closed_on_time
        );
    }
    for c in &r.centers {
        let _ = writeln!(
            out,
            "center {:<10} {} managers, {} customers: {:.1} per manager (target {}){}",
            c.service_center,
            c.managers,
            c.customers,
            c.customers_per_manager,
            c.target_customers_per_manager,
            if c.over_target { " OVER" } else { "" }
        );
    }
    out
}

/// The coordination report as aligned text for a terminal.
pub(super) fn coordination(r: &yekuo::reports::coordination::CoordinationReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "coordination requests filed {} to {}", r.from, r.to);
    let _ = writeln!(
        out,
        "{:<12} {:>8} {:>8} {:>7} {:>6} {:>9} {:>5} {:>7} {:>7}",
        "department",
        "received",
        "answered",
        "in time",
        "rate",
        "median h",
        "open",
        "overdue",
        "meeting"
    );
    for d in r.rows.iter().chain(std::iter::once(&r.total)) {
        let _ = writeln!(
            out,
            "{:<12} {:>8} {:>8} {:>7} {:>5.1}% {:>9} {:>5} {:>7} {:>7}",
            if d.department.is_empty() {
                "(all)"
            } else {
                &d.department
            },
            d.received,
            d.answered,
            d.answered_in_time,
            100.0 * d.in_time_rate,
            d.median_answer_working_hours
                .map_or("-".into(), |h| format!("{h:.1}")),
            d.open_now,
            d.overdue_now,
            d.decided_at_meeting
        );
    }
    out
}

/// The register as aligned text for a terminal.
pub(super) fn accountability(r: &yekuo::reports::accountability::AccountabilityReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<10} {:<20} {:<14} {:<10} {:<24} {:<9}",
        "date", "ticket", "kind", "center", "persons", "state"
    );
    for e in &r.rows {
        let persons: Vec<&str> = e.persons.iter().map(|p| p.username.as_str()).collect();
        let _ = writeln!(
            out,
            "{:<10} {:<20} {:<14} {:<10} {:<24} {:<9}",
            e.date,
            e.ticket_no,
            e.kind.as_str(),
            e.service_center,
            persons.join(","),
            e.state.as_str()
        );
    }
    for k in &r.totals {
        let _ = writeln!(
            out,
            "{:<14} {} open, {} completed",
            k.kind, k.open, k.completed
        );
    }
    out
}

//! One report in the browser: its parameters (an error at each field),
//! a chart of its main figure, its table, and its CSV and XLSX downloads.
//! The report is the API's — the same parameters, permissions, snapshots
//! (`api::reports::*_of`) — and the table is its CSV, so the page, the
//! file and the JSON never disagree. The chart is server-side SVG drawn by
//! the template (docs/decisions.md).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::i18n::Tr;
use super::pages::page;
use super::session::{WebUser, url_encode};
use crate::app::App;
use crate::http::api::reports as api;
use crate::http::error::ApiError;
use crate::http::extract::QueryMap;
use crate::reports::xlsx::{Export, Provenance, Render};

/// The most rows the page shows (the files hold them all).
const SHOWN_ROWS: usize = 500;
/// The most bars a chart shows (the largest first).
const BARS: usize = 15;

/// One bar: its label, its length (of 100) and the value written next to it.
pub struct Bar {
    label: String,
    width: f64,
    text: String,
    y: usize,
}

#[derive(Template)]
#[template(path = "web/report.html")]
struct ReportPage {
    tr: Tr,
    csrf: String,
    kind: &'static str,
    title: &'static str,
    units: Vec<(String, String)>,
    /// The parameters as given (shown again in the form).
    q: HashMap<String, String>,
    errors: HashMap<String, String>,
    /// The refusal of a report out of the reader's scope.
    refused: Option<String>,
    chart: &'static str,
    bars: Vec<Bar>,
    chart_height: usize,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    total_rows: usize,
    snapshot: Option<String>,
    /// The parameters, URL-encoded, for the download links.
    query: String,
}

impl ReportPage {
    fn value(&self, name: &str) -> &str {
        self.q.get(name).map_or("", String::as_str)
    }
}

/// The reports and their titles' keys.
pub const KINDS: [(&str, &str); 6] = [
    ("overdue", "report_overdue"),
    ("compliance", "report_compliance"),
    ("durations", "report_durations"),
    ("workload", "report_workload"),
    ("coordination", "report_coordination"),
    ("accountability", "report_accountability"),
];

/// What a report gives the page: its table (as its CSV has it), its bars
/// and the chart's title key.
struct Shown {
    csv: Vec<u8>,
    bars: Vec<(String, f64, String)>,
    chart: &'static str,
    snapshot: Option<String>,
}

impl Shown {
    /// What the page shows of a built report: its CSV, its bars, its chart.
    fn of<R: Export>(
        b: api::Built<R>,
        how: &Render,
        chart: &'static str,
        bars: impl Fn(&R) -> Vec<(String, f64, String)>,
    ) -> Shown {
        Shown {
            bars: bars(&b.report),
            chart,
            csv: b.report.csv(how),
            snapshot: b.snapshot,
        }
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Computes report `kind` for the parameters, as the API does.
async fn compute(app: &App, u: &WebUser, kind: &str, q: &QueryMap) -> Result<Shown, ApiError> {
    let who = Provenance {
        generated_at: app.now(),
        generated_by: u.p.person.username.clone(),
        zone: app.zone(),
    };
    let how = Render {
        lang: u.tr.lang,
        who: &who,
        policy: &app.policy,
    };
    let (p, lang) = (&u.p, u.tr.lang);
    Ok(match kind {
        "overdue" => Shown::of(
            api::overdue_of(app, p, q).await?,
            &how,
            "chart_overdue",
            |r| {
                r.totals
                    .iter()
                    .map(|c| {
                        (
                            c.service_center.clone(),
                            c.overdue as f64,
                            c.overdue.to_string(),
                        )
                    })
                    .collect()
            },
        ),
        "compliance" => Shown::of(
            api::compliance_of(app, p, q).await?,
            &how,
            "chart_compliance",
            |r| {
                r.centers
                    .iter()
                    .map(|c| {
                        (
                            c.service_center.clone(),
                            c.compliance_rate,
                            pct(c.compliance_rate),
                        )
                    })
                    .collect()
            },
        ),
        "durations" => Shown::of(
            api::durations_of(app, p, q).await?,
            &how,
            "chart_durations",
            |r| {
                r.by_category
                    .iter()
                    .map(|g| {
                        let m = g.working_days.mean;
                        (how.category(&g.key), m, format!("{m:.1}"))
                    })
                    .collect()
            },
        ),
        "workload" => Shown::of(
            api::workload_of(app, p, q).await?,
            &how,
            "chart_workload",
            |r| {
                r.managers
                    .iter()
                    .map(|m| {
                        (
                            m.name.clone(),
                            m.open_managed as f64,
                            m.open_managed.to_string(),
                        )
                    })
                    .collect()
            },
        ),
        "coordination" => Shown::of(
            api::coordination_of(app, p, q).await?,
            &how,
            "chart_coordination",
            |r| {
                r.rows
                    .iter()
                    .map(|d| (d.name.clone(), d.in_time_rate, pct(d.in_time_rate)))
                    .collect()
            },
        ),
        _ => Shown::of(
            api::accountability_of(app, p, q).await?,
            &how,
            "chart_accountability",
            |r| {
                r.totals
                    .iter()
                    .filter_map(|k| {
                        let kind = crate::reports::accountability::Kind::parse(&k.kind).ok()?;
                        let n = k.open + k.completed;
                        Some((kind.label(lang).to_string(), n as f64, n.to_string()))
                    })
                    .collect()
            },
        ),
    })
}

/// A CSV file (with its byte-order mark) as a header and rows.
fn table(csv: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = csv.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv);
    let mut r = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body);
    let header = r
        .headers()
        .map(|h| h.iter().map(String::from).collect())
        .unwrap_or_default();
    let rows = r
        .records()
        .filter_map(Result::ok)
        .map(|rec| rec.iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The bars, largest first, the longest as long as the chart is wide.
fn bars(mut raw: Vec<(String, f64, String)>) -> Vec<Bar> {
    raw.sort_by(|a, b| b.1.total_cmp(&a.1));
    raw.truncate(BARS);
    let max = raw.iter().map(|b| b.1).fold(0.0, f64::max);
    raw.into_iter()
        .enumerate()
        .map(|(i, (label, v, text))| Bar {
            label,
            width: if max > 0.0 { v / max * 100.0 } else { 0.0 },
            text,
            y: i * 26,
        })
        .collect()
}

/// The report page for `kind` with the parameters in the query.
pub async fn view(
    State(app): State<App>,
    u: WebUser,
    Path(kind): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let Some(&(kind, title)) = KINDS.iter().find(|(k, _)| *k == kind) else {
        return super::pages::not_found(&u);
    };
    // Empty fields are the defaults; the file format is the links' business.
    let q: HashMap<String, String> = raw
        .into_iter()
        .filter(|(k, v)| !v.trim().is_empty() && k != "format")
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect();
    let mut page_ = ReportPage {
        tr: u.tr,
        csrf: u.csrf().to_string(),
        kind,
        title,
        units: super::reports::units(&app, &u).await,
        query: q
            .iter()
            .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
            .collect::<Vec<_>>()
            .join("&"),
        q,
        errors: HashMap::new(),
        refused: None,
        chart: "",
        bars: Vec::new(),
        chart_height: 0,
        header: Vec::new(),
        rows: Vec::new(),
        total_rows: 0,
        snapshot: None,
    };
    match compute(&app, &u, kind, &QueryMap(page_.q.clone())).await {
        Ok(shown) => {
            let (header, mut rows) = table(&shown.csv);
            page_.total_rows = rows.len();
            rows.truncate(SHOWN_ROWS);
            page_.bars = bars(shown.bars);
            page_.chart_height = page_.bars.len() * 26 + 4;
            page_.chart = shown.chart;
            page_.header = header;
            page_.rows = rows;
            page_.snapshot = shown.snapshot;
            page(StatusCode::OK, page_)
        }
        Err(ApiError::Invalid(errors)) => {
            page_.errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            page(StatusCode::UNPROCESSABLE_ENTITY, page_)
        }
        Err(ApiError::Forbidden(m)) => {
            page_.refused = Some(m);
            page(StatusCode::FORBIDDEN, page_)
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_bar_fills_the_chart_and_the_largest_comes_first() {
        let b = bars(vec![
            ("a".into(), 1.0, "1".into()),
            ("b".into(), 4.0, "4".into()),
            ("c".into(), 0.0, "0".into()),
        ]);
        let got: Vec<(&str, f64, usize)> =
            b.iter().map(|b| (b.label.as_str(), b.width, b.y)).collect();
        assert_eq!(got, [("b", 100.0, 0), ("a", 25.0, 26), ("c", 0.0, 52)]);
        assert!(bars(vec![("z".into(), 0.0, "0".into())])[0].width == 0.0);
    }

    #[test]
    fn a_csv_with_its_byte_order_mark_reads_as_a_table() {
        let (h, rows) = table("\u{feff}名称,数量\n天河,3\n\"越秀, 东\",4\n".as_bytes());
        assert_eq!(h, ["名称", "数量"]);
        assert_eq!(rows, [vec!["天河", "3"], vec!["越秀, 东", "4"]]);
    }
}

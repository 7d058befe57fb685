//! Importing the org chart from the browser: the file is checked and the
//! dry run's report shown first (every bad line named, or every change
//! listed); applying sends the very same bytes back, carried in the
//! preview page, so what is written is what was previewed. Installation-
//! wide admins only, as in the API.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;

use super::super::i18n::Tr;
use super::super::pages::page;
use super::super::session::{WebUser, bad_csrf};
use super::admins_only;
use crate::app::App;
use crate::auth::permissions;
use crate::org::import::{Format, ImportError, ImportReport, import_bytes};

#[derive(Template)]
#[template(path = "web/admin_import.html")]
struct ImportPage {
    tr: Tr,
    csrf: String,
    /// The file's name, as chosen.
    name: String,
    /// Why the file cannot be imported: a message, or bad lines.
    problem: Option<String>,
    lines: Vec<(usize, String)>,
    /// The dry run's report (`applied`: written).
    report: Option<ImportReport>,
    applied: bool,
    /// The previewed file, base64, for the apply form.
    data: String,
}

impl ImportPage {
    fn new(u: &WebUser) -> Self {
        ImportPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            name: String::new(),
            problem: None,
            lines: Vec::new(),
            report: None,
            applied: false,
            data: String::new(),
        }
    }
}

/// The upload form.
pub async fn form(u: WebUser) -> Response {
    if !permissions::administers(&u.p, None) {
        return admins_only(&u);
    }
    page(StatusCode::OK, ImportPage::new(&u))
}

/// Runs the import (`apply`: for real) and shows what it did or would do,
/// or why the file cannot be imported (422, the form kept).
async fn run(app: &App, u: &WebUser, name: String, bytes: Vec<u8>, apply: bool) -> Response {
    let mut p = ImportPage::new(u);
    p.name = name;
    let ext = p.name.rsplit_once('.').map_or("", |(_, e)| e);
    let Some(format) = Format::from_extension(ext) else {
        p.problem = Some(u.tr.t("import_format").to_string());
        return page(StatusCode::UNPROCESSABLE_ENTITY, p);
    };
    match import_bytes(&app.writer, &bytes, format, !apply, app.now()).await {
        Ok(report) => {
            if apply {
                // People, roles or units may have changed.
                app.credentials.clear();
            } else {
                p.data = B64.encode(&bytes);
            }
            p.applied = apply;
            p.report = Some(report);
            page(StatusCode::OK, p)
        }
        Err(ImportError::Rows(rows)) => {
            p.lines = rows.into_iter().map(|r| (r.line, r.message)).collect();
            page(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(ImportError::Format(m)) => {
            p.problem = Some(m);
            page(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(ImportError::Db(e)) => crate::http::error::ApiError::Internal(e.into()).into_response(),
    }
}

/// The file sent from the form: checked and previewed, nothing written.
pub async fn preview(State(app): State<App>, u: WebUser, mut parts: Multipart) -> Response {
    if !permissions::administers(&u.p, None) {
        return admins_only(&u);
    }
    let (mut csrf, mut name, mut bytes) = (String::new(), String::new(), Vec::new());
    loop {
        match parts.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("file") => {
                    name = field.file_name().unwrap_or_default().to_string();
                    match field.bytes().await {
                        Ok(b) => bytes = b.to_vec(),
                        Err(e) => return too_big_or_broken(&u, e.body_text()),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(e) => return too_big_or_broken(&u, e.body_text()),
        }
    }
    if !u.csrf_ok(&csrf) {
        return bad_csrf();
    }
    if bytes.is_empty() {
        let mut p = ImportPage::new(&u);
        p.problem = Some(u.tr.t("import_choose").to_string());
        return page(StatusCode::UNPROCESSABLE_ENTITY, p);
    }
    run(&app, &u, name, bytes, false).await
}

/// An upload that could not be read (too large, cut off): the form again.
fn too_big_or_broken(u: &WebUser, why: String) -> Response {
    let mut p = ImportPage::new(u);
    p.problem = Some(why);
    page(StatusCode::UNPROCESSABLE_ENTITY, p)
}

#[derive(Deserialize)]
pub struct ApplyForm {
    csrf: String,
    name: String,
    data: String,
}

/// Writes the previewed file.
pub async fn apply(State(app): State<App>, u: WebUser, Form(f): Form<ApplyForm>) -> Response {
    if !permissions::administers(&u.p, None) {
        return admins_only(&u);
    }
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    match B64.decode(f.data.trim()) {
        Ok(bytes) if !bytes.is_empty() => run(&app, &u, f.name, bytes, true).await,
        _ => {
            let mut p = ImportPage::new(&u);
            p.problem = Some(u.tr.t("import_choose").to_string());
            page(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
    }
}

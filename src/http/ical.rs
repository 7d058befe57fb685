//! `/ical/{secret}.ics`: a person's deadline feed (`crate::ical`), for a
//! calendar app that cannot log in: the secret in the URL is the
//! credential. Unknown or revoked: 404.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::http::error::ApiError;

pub async fn feed(State(app): State<App>, Path(file): Path<String>) -> Response {
    let secret = file.strip_suffix(".ics").unwrap_or(&file);
    match crate::ical::feed_of(&app, secret).await {
        Ok(Some(body)) => {
            let mut res = body.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            );
            res
        }
        Ok(None) => ApiError::NotFound("no such feed".into()).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

//! Request extractors whose failures are problem+json, not plain text.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde_json::Value;

use super::error::ApiError;
use crate::validate::FieldError;

/// A JSON body read as a value; fields are parsed one by one later so each
/// bad field gets its own message. An empty body reads as `null`.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Value::Null));
        }
        if !ct.starts_with("application/json") {
            return Err(ApiError::BadRequest(
                "send the body as application/json".into(),
            ));
        }
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
        match crate::validate::find_nul(&value) {
            Some(field) => Err(nul_in(field)),
            None => Ok(JsonBody(value)),
        }
    }
}

/// The answer to text holding a NUL character, which no database stores.
fn nul_in(field: String) -> ApiError {
    ApiError::Invalid(vec![FieldError {
        field,
        message: "must not contain the control character U+0000".into(),
    }])
}

/// Query parameters as a map (parsed into a filter by the handler).
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let mut map = HashMap::new();
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .map_err(|e| ApiError::BadRequest(format!("the query string cannot be read: {e}")))?;
        for (k, v) in pairs {
            if k.contains('\0') || v.contains('\0') {
                return Err(nul_in(k));
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(ApiError::Invalid(vec![FieldError {
                    field: k,
                    message: "is given twice".into(),
                }]));
            }
        }
        Ok(QueryMap(map))
    }
}

/// A numeric id in the path (`/tickets/{id}`); anything else is a 400.
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        raw.parse::<i64>().map(IdPath).map_err(|_| {
            ApiError::BadRequest(format!("`{raw}` is not a ticket id (a whole number)"))
        })
    }
}

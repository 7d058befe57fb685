//! What auditors send to the register, as the API documents it, and how it
//! becomes domain values: one error per bad field.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::Kind;
use crate::org::Username;
use crate::validate::{self, Errors, FieldError};

/// Body of `POST /api/v1/tickets/{id}/accountability`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecordBody {
    /// accountability (问责), interview (约谈) or circular (通报).
    pub kind: String,
    /// Usernames of the persons concerned; by default the owners at the
    /// breach (of the deadline, else of each late stage).
    pub persons: Option<Vec<String>>,
    /// The day of the action; today by default.
    #[schema(format = Date, example = "2026-03-02")]
    pub date: Option<String>,
    pub text: String,
}

/// An action as parsed.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub kind: Kind,
    pub persons: Option<Vec<String>>,
    pub date: Option<NaiveDate>,
    pub text: String,
}

impl TryFrom<RecordBody> for NewEntry {
    type Error = Vec<FieldError>;

    fn try_from(b: RecordBody) -> Result<Self, Self::Error> {
        let mut e = Errors::default();
        let kind = e.take("kind", Kind::parse(&b.kind));
        if b.persons.as_ref().is_some_and(Vec::is_empty) {
            e.add(
                "persons",
                "name at least one person, or leave it out for the owners at the breach",
            );
        }
        let persons = b.persons.map(|names| {
            names
                .iter()
                .filter_map(|n| e.take("persons", Username::parse(n).map(String::from)))
                .collect::<Vec<_>>()
        });
        let date = e.opt("date", b.date.as_deref(), validate::date);
        let text = e.take("text", validate::text(&b.text, 5000));
        let value = (|| {
            Some(NewEntry {
                kind: kind?,
                persons,
                date: date?,
                text: text?,
            })
        })();
        e.finish(value)
    }
}

/// Body of `POST /api/v1/accountability/{id}/completion`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteBody {
    /// How it was carried out.
    pub note: String,
}

impl TryFrom<CompleteBody> for String {
    type Error = Vec<FieldError>;

    fn try_from(b: CompleteBody) -> Result<Self, Self::Error> {
        let mut e = Errors::default();
        let note = e.take("note", validate::text(&b.note, 5000));
        e.finish(note)
    }
}

//! What people send about coordination, as the API documents it (DTOs),
//! and how each becomes domain values: one error per bad field.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::commands::NewRequest;
use super::meeting::NewDecision;
use super::rules::{Answer, Attachment, check_attachments};
use crate::org::UnitCode;
use crate::validate::{self, Errors, FieldError};

/// Body of `POST /api/v1/tickets/{id}/coordination`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FileBody {
    pub subject: String,
    pub question: String,
    /// A configured category (high_reliability_fee, holiday_outage, …).
    pub category: String,
    /// Department codes asked.
    pub departments: Vec<String>,
    pub attachments: Option<Vec<Attachment>>,
    /// By default the same working day, or the next one after the cut-off.
    #[schema(format = Date, example = "2026-03-02")]
    pub answer_by: Option<String>,
}

fn unit_code(s: &str) -> Result<String, String> {
    UnitCode::parse(s).map(String::from)
}

fn date(s: &str) -> Result<NaiveDate, String> {
    validate::date(s)
}

impl TryFrom<FileBody> for NewRequest {
    type Error = Vec<FieldError>;

    fn try_from(b: FileBody) -> Result<Self, Self::Error> {
        let mut e = Errors::default();
        let subject = e.take("subject", validate::line(&b.subject, 200));
        let question = e.take("question", validate::text(&b.question, 5000));
        let category = e.take("category", validate::line(&b.category, 64));
        let mut departments = Vec::new();
        for d in &b.departments {
            if let Some(code) = e.take("departments", unit_code(d)) {
                departments.push(code);
            }
        }
        let attachments = b.attachments.unwrap_or_default();
        e.take("attachments", check_attachments(&attachments));
        let answer_by = e.opt("answer_by", b.answer_by.as_deref(), date);
        let value = (|| {
            Some(NewRequest {
                subject: subject?,
                question: question?,
                category: category?,
                departments,
                attachments,
                answer_by: answer_by?,
            })
        })();
        e.finish(value)
    }
}

/// Body of `POST /api/v1/coordination/{id}/answer`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    /// agree, disagree or need_info.
    pub answer: String,
    pub text: Option<String>,
    /// Which of your departments answers (when you are in several asked).
    pub department: Option<String>,
}

/// An answer as parsed: what, why, and for which department.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub answer: Answer,
    pub text: Option<String>,
    pub department: Option<String>,
}

impl TryFrom<AnswerBody> for NewAnswer {
    type Error = Vec<FieldError>;

    fn try_from(b: AnswerBody) -> Result<Self, Self::Error> {
        let mut e = Errors::default();
        let answer = e.take("answer", Answer::parse(&b.answer));
        let text = e.opt("text", b.text.as_deref(), |s| validate::text(s, 5000));
        let department = e.opt("department", b.department.as_deref(), unit_code);
        let value = (|| {
            Some(NewAnswer {
                answer: answer?,
                text: text?,
                department: department?,
            })
        })();
        e.finish(value)
    }
}

/// Body of `POST /api/v1/coordination/{id}/decision`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    #[schema(format = Date, example = "2026-03-09")]
    pub meeting_date: String,
    pub decision: String,
    /// Department code responsible for carrying it out.
    pub responsible_department: String,
    #[schema(format = Date, example = "2026-03-13")]
    pub due_date: String,
}

impl TryFrom<DecisionBody> for NewDecision {
    type Error = Vec<FieldError>;

    fn try_from(b: DecisionBody) -> Result<Self, Self::Error> {
        let mut e = Errors::default();
        let meeting_date = e.take("meeting_date", date(&b.meeting_date));
        let decision = e.take("decision", validate::text(&b.decision, 5000));
        let responsible = e.take(
            "responsible_department",
            unit_code(&b.responsible_department),
        );
        let due_date = e.take("due_date", date(&b.due_date));
        let value = (|| {
            Some(NewDecision {
                meeting_date: meeting_date?,
                decision: decision?,
                responsible: responsible?,
                due_date: due_date?,
            })
        })();
        e.finish(value)
    }
}

/// Body of `POST /api/v1/coordination/{id}/feedback`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedbackBody {
    #[schema(format = Date, example = "2026-03-09")]
    pub given_on: String,
    /// phone, visit, mail, wechat …
    pub channel: String,
    pub text: String,
}

/// Feedback given to the customer, as parsed.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub given_on: NaiveDate,
    pub channel: String,
    pub text: String,
}

impl TryFrom<FeedbackBody> for NewFeedback {
    type Error = Vec<FieldError>;

    fn try_from(b: FeedbackBody) -> Result<Self, Self::Error> {
        let mut e = Errors::default();
        let given_on = e.take("given_on", date(&b.given_on));
        let channel = e.take("channel", validate::line(&b.channel, 32));
        let text = e.take("text", validate::text(&b.text, 5000));
        let value = (|| {
            Some(NewFeedback {
                given_on: given_on?,
                channel: channel?,
                text: text?,
            })
        })();
        e.finish(value)
    }
}

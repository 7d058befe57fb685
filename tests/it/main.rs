//! The integration tests, one binary: each module spawns the real
//! application (HTTP on 127.0.0.1:0, a fresh SQLite file or PostgreSQL
//! database, a real SMTP listener where mail is sent). One binary links the
//! whole stack once instead of once per file.

mod common;
mod smtp;

mod access;
mod accountability;
mod backup;
mod browser;
mod calendar_reload;
mod cli;
mod coordination;
mod demo;
mod escalation;
mod escalation_mail;
mod fuzz;
mod ical;
mod mail;
mod mail_links;
mod metrics;
mod migrate;
mod org_import;
mod page_permissions;
mod permissions;
mod report_formats;
mod report_periods;
mod reports;
mod scheduler;
mod serve;
mod tickets_api;
mod trust;
mod web;
mod web_admin;
mod web_minutes;
mod web_reports;

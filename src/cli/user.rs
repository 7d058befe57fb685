//! `yekuo user`: accounts, passwords and API tokens, for the operator.

use std::process::ExitCode;

use clap::Subcommand;

use yekuo::app::App;
use yekuo::config::Config;

use super::{describe_org, invalid};

#[derive(Subcommand)]
pub(crate) enum UserCmd {
    /// Create a person with roles; prints a generated password (or reads one
    /// from standard input with --password-stdin).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// Code of the unit the person belongs to (omit for an installation-wide admin).
        #[arg(long)]
        unit: Option<String>,
        /// A role, held in the person's unit or in `role@UNITCODE`; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (random and printed, or --password-stdin); revokes
    /// the person's sessions and API tokens.
    ResetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List people with their roles.
    List,
    /// Create an API token for a person; prints it once.
    Token {
        username: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
    },
}

pub(super) async fn user(cmd: UserCmd, config: Config) -> anyhow::Result<ExitCode> {
    use yekuo::org::service as org;
    let app = App::start(config, None).await?;
    match cmd {
        UserCmd::Create {
            username,
            name,
            email,
            unit,
            roles,
            lang,
            password_stdin,
        } => {
            let form = yekuo::org::PersonForm {
                username: username.clone(),
                name,
                email,
                phone: None,
                unit,
                lang: Some(lang),
                roles,
            };
            let new = org::NewPerson::try_from(form).map_err(|e| invalid(&e))?;
            let txn = app.begin_write().await?;
            org::create_person(&txn, new, None, app.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}: {}", describe_org(&e)))?;
            txn.commit().await?;
            let given = if password_stdin {
                Some(read_password_stdin()?)
            } else {
                None
            };
            let shown = given.is_none();
            let password = yekuo::auth::users::set_password(&app, &username, given).await?;
            println!("created {username}");
            if shown {
                println!("password: {password}");
            }
        }
        UserCmd::ResetPassword {
            username,
            password_stdin,
        } => {
            let given = if password_stdin {
                Some(read_password_stdin()?)
            } else {
                None
            };
            let shown = given.is_none();
            let password = yekuo::auth::users::set_password(&app, &username, given).await?;
            println!("password of {username} reset; sessions and tokens revoked");
            if shown {
                println!("password: {password}");
            }
        }
        UserCmd::List => {
            for p in org::all_people(&app.db).await? {
                let roles: Vec<String> = org::grants_of(&app.db, p.id)
                    .await?
                    .iter()
                    .map(|g| g.role.as_str().to_string())
                    .collect();
                let state = if p.active { "" } else { " (deactivated)" };
                println!(
                    "{:<20} {:<16} {:<32} {}{state}",
                    p.username,
                    p.name,
                    p.email,
                    roles.join(",")
                );
            }
        }
        UserCmd::Token { username, name } => {
            let p = org::person_by_username(&app.db, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no person `{username}`"))?;
            let (token, _) = yekuo::auth::tokens::create(&app, p.id, &name, None).await?;
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn read_password_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

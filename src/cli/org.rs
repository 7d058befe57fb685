//! `yekuo org`: units, and the org chart imported from a file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use yekuo::app::App;
use yekuo::config::Config;

use super::{describe_org, invalid};

#[derive(Subcommand)]
pub(crate) enum OrgCmd {
    /// Add a unit: a bureau, or a service center / department under a bureau.
    AddUnit {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// bureau, service_center or department.
        #[arg(long)]
        kind: String,
        /// The bureau's code (service centers and departments).
        #[arg(long)]
        parent: Option<String>,
    },
    /// List units.
    Units,
    /// Import units and people from a CSV or XLSX file (docs/org-import.md):
    /// all or nothing, every bad row named with its line.
    Import {
        file: PathBuf,
        /// Show what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub(super) async fn org_cmd(cmd: OrgCmd, config: Config) -> anyhow::Result<ExitCode> {
    use yekuo::org::service as org;
    let app = App::start(config, None).await?;
    match cmd {
        OrgCmd::AddUnit {
            code,
            name,
            kind,
            parent,
        } => {
            let form = yekuo::org::UnitForm {
                code,
                name,
                kind,
                parent,
            };
            let u = org::NewUnit::try_from(form).map_err(|e| invalid(&e))?;
            let u = org::create_unit(&app.writer, u, app.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}: {}", describe_org(&e)))?;
            println!("created unit {} ({})", u.code, u.kind);
        }
        OrgCmd::Import { file, dry_run } => {
            use yekuo::org::import::{Format, ImportError, import_bytes};
            let format = Format::from_path(&file)?;
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            match import_bytes(&app.writer, &bytes, format, dry_run, app.now()).await {
                Ok(r) => {
                    for c in &r.changes {
                        println!("line {:>5}: {}", c.line, c.what);
                    }
                    println!(
                        "units: {} created, {} updated, {} unchanged; people: {} created, {} updated, {} unchanged, {} deactivated; roles: +{} -{}{}",
                        r.units_created,
                        r.units_updated,
                        r.units_unchanged,
                        r.people_created,
                        r.people_updated,
                        r.people_unchanged,
                        r.people_deactivated,
                        r.roles_added,
                        r.roles_removed,
                        if dry_run {
                            " (dry run: nothing written)"
                        } else {
                            ""
                        }
                    );
                }
                Err(ImportError::Rows(rows)) => {
                    for r in &rows {
                        eprintln!("{}: line {}: {}", file.display(), r.line, r.message);
                    }
                    eprintln!("yekuo: nothing imported ({} bad row(s))", rows.len());
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            }
        }
        OrgCmd::Units => {
            for u in org::all_units(&app.db).await? {
                println!("{:<12} {:<16} {}", u.code, u.kind, u.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

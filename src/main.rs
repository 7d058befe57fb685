//! The `yekuo` command: parses the command line and hands over to `cli`.

use std::process::ExitCode;

use clap::Parser;

use yekuo::config::Config;

mod cli;

/// mimalloc: less time in allocation than the system allocator under
/// many threads (a list page allocates per row and field), and freed
/// memory does not pile up in per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("yekuo: {e}");
            return ExitCode::from(2);
        }
    };
    cli::init_tracing(&config);
    match cli::run(cli.command, config).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("yekuo: {e:#}");
            ExitCode::FAILURE
        }
    }
}

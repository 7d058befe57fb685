//! `yekuo serve`: the HTTP service with its scheduler, until a signal.

use std::process::ExitCode;

use yekuo::app::App;
use yekuo::config::Config;
use yekuo::tickets::{self};

pub(super) async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let bind = config.bind;
    let app = App::start(config, None).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind} (server.bind): {e}"))?;
    if let Some(password) = yekuo::auth::users::bootstrap_admin(&app).await? {
        println!(
            "\n  First start: created user `admin` with password\n\n      {password}\n\n  It is shown only this once. Log in and create people, or use `yekuo user`.\n"
        );
    }
    // Counting stale tickets reads every open ticket: in the background, so
    // that start-up does not grow with the data.
    let counting = app.clone();
    tokio::spawn(async move {
        match tickets::recompute::stale_count(&counting).await {
            Ok(0) => {}
            Ok(stale) => tracing::warn!(
                stale,
                "open tickets were computed with another calendar; run `yekuo calendar recompute --dry-run`"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "could not count tickets computed with another calendar")
            }
        }
    });
    if !app.config.raw.metrics.bind.is_empty() {
        let at = app.config.raw.metrics.bind.clone();
        let listener = tokio::net::TcpListener::bind(&at)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {at} (metrics.bind): {e}"))?;
        let router = yekuo::http::metrics::router(app.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
        tracing::info!(bind = %at, "metrics at /metrics");
    }
    tracing::info!(%bind, calendar = app.calendar.version(), "yekuo serving; API docs at /docs");
    let mut jobs = if app.config.raw.scheduler.enabled {
        let transport =
            std::sync::Arc::new(yekuo::mail::Transport::from_config(&app.config.raw.mail)?);
        Some(yekuo::scheduler::start(app.clone(), transport).await?)
    } else {
        None
    };
    yekuo::http::serve(app, listener, shutdown_signal()).await?;
    if let Some(jobs) = jobs.as_mut() {
        let _ = jobs.shutdown().await;
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

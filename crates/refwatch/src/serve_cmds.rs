//! `refwatch serve`: the web application on a bound listener, until Ctrl-C.

use anyhow::Context;
use refwatch_keys::KekSource;
use refwatch_server::AppState;

use crate::args::Cli;
use crate::dataset_cmds::required_key;
use crate::{Outcome, data_dir};

pub(crate) async fn serve(
    cli: &Cli,
    listen: &str,
    secure_cookies: bool,
) -> anyhow::Result<Outcome> {
    let key = required_key(cli)?;
    serve_with_key(cli, key, listen, secure_cookies).await
}

/// Serves with an already-resolved key.
pub(crate) async fn serve_with_key(
    cli: &Cli,
    key: KekSource,
    listen: &str,
    secure_cookies: bool,
) -> anyhow::Result<Outcome> {
    let core =
        data_dir::service_with_evidence(&cli.data_dir, &key, refwatch_service::DEFAULT_MAX_BYTES)
            .await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    if !address.ip().is_loopback() {
        eprintln!(
            "Warning: listening on {address}, which other machines can reach. Serve refwatch only behind a TLS reverse proxy (and pass --secure-cookies); plain HTTP exposes passwords and sessions."
        );
    }
    println!(
        "refwatch is serving {} at http://{address}/ (Ctrl-C stops it).",
        cli.data_dir.display()
    );
    // Ctrl-C (SIGINT) or SIGTERM (`kill`, a service manager): requests in
    // flight finish, then the program exits 0.
    let shutdown = async {
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async {
                    match term.as_mut() {
                        Some(t) => { t.recv().await; }
                        None => std::future::pending::<()>().await,
                    }
                } => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    };
    refwatch_server::serve(listener, AppState::new(core, secure_cookies), shutdown)
        .await
        .context("the server stopped with an error")?;
    println!("Stopped.");
    Ok(Outcome::Ok)
}

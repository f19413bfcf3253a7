//! HTML pages printed to PDF by headless Chromium (Debian's `chromium`, or
//! the program `REFWATCH_CHROMIUM` names), with the flags that keep it off
//! the network, a fresh profile per print and a time limit.

#![deny(missing_docs)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take to print.
pub const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

/// Why a page was not printed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// Chromium is not installed (or not where `REFWATCH_CHROMIUM` says).
    #[error(
        "cannot start {0}: PDF needs Chromium (Debian package chromium), or set REFWATCH_CHROMIUM"
    )]
    NoChromium(String),
    /// Chromium ran but wrote no PDF.
    #[error("Chromium could not print the page to PDF ({0})")]
    Failed(String),
    /// Chromium took too long and was stopped.
    #[error("Chromium took longer than {} s to print; nothing was written", PRINT_TIMEOUT.as_secs())]
    TimedOut,
    /// A temporary file could not be written or read.
    #[error("cannot use a temporary folder for printing: {0}")]
    Temporary(#[from] std::io::Error),
}

fn chromium() -> String {
    std::env::var("REFWATCH_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned())
}

fn print_file(html: &Path, pdf: &Path) -> Result<(), PrintError> {
    let program = chromium();
    let profile = tempfile::tempdir()?;
    let mut child = Command::new(&program)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| PrintError::NoChromium(program))?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() || !pdf.exists() {
                return Err(PrintError::Failed(status.to_string()));
            }
            return Ok(());
        }
        if start.elapsed() > PRINT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PrintError::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Prints a self-contained HTML page to PDF and returns the PDF's bytes.
/// Blocks while Chromium runs: call it off an async runtime's threads.
pub fn html_to_pdf(html: &str) -> Result<Vec<u8>, PrintError> {
    let tmp = tempfile::tempdir()?;
    let page = tmp.path().join("page.html");
    std::fs::write(&page, html)?;
    let pdf = tmp.path().join("page.pdf");
    print_file(&page, &pdf)?;
    Ok(std::fs::read(&pdf)?)
}

//! `refwatch serve` as a process: it says where it listens, serves, and
//! warns about addresses other machines can reach.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use crate::support::DataDir;

fn start(
    dir: &DataDir,
    listen: &str,
) -> (
    std::process::Child,
    String,
    BufReader<std::process::ChildStderr>,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_refwatch"))
        .args([
            "--data-dir",
            dir.path.to_str().unwrap(),
            "serve",
            "--listen",
            listen,
        ])
        .env("REFWATCH_KEY_FILE", &dir.key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    (child, url, stderr)
}

#[test]
fn serve_prints_its_address_and_answers() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let (mut child, address, _) = start(&dir, "127.0.0.1:0");
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /incidents HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 200"),
        "{}",
        &reply[..reply.len().min(200)]
    );
    assert!(reply.contains("At least 500 North Korean detainees repatriated"));
}

#[test]
fn serving_beyond_loopback_warns_about_tls() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let (mut child, _, mut stderr) = start(&dir, "0.0.0.0:0");
    let mut warning = String::new();
    stderr.read_line(&mut warning).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(warning.contains("behind a TLS reverse proxy"), "{warning}");
}

#[test]
fn serve_needs_the_key() {
    let dir = DataDir::new();
    dir.ok(&["init"]);
    let run = dir.run_with(&["serve"], &[]);
    assert!(!run.success());
    assert!(run.stderr().contains("this needs the data directory's key"));
}

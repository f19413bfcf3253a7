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
    start_under(dir, listen, &[])
}

/// Starts `refwatch serve` under `wrapper` (a command and its arguments
/// that runs the rest, such as `prlimit --as=N --`), or directly when it
/// is empty; returns the process, its address and its standard error.
fn start_under(
    dir: &DataDir,
    listen: &str,
    wrapper: &[&str],
) -> (
    std::process::Child,
    String,
    BufReader<std::process::ChildStderr>,
) {
    let program = env!("CARGO_BIN_EXE_refwatch");
    let (first, rest) = wrapper
        .split_first()
        .map_or((program, &[][..]), |(f, r)| (*f, r));
    let mut command = Command::new(first);
    command.args(rest);
    if !wrapper.is_empty() {
        command.arg(program);
    }
    let mut child = command
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

/// Issue 29, finding 7: every request that once took the server down or
/// held it, sent to `refwatch serve` with its address space limited to
/// 1 GiB (`prlimit --as`); afterwards it answers as before.
#[test]
fn the_server_survives_every_hostile_request_under_a_memory_limit() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let added = dir.ok(&["user", "add", "kim", "--role", "editor"]);
    let once = added
        .split("One-time password: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .to_owned();
    let (mut child, address, _stderr) =
        start_under(&dir, "127.0.0.1:0", &["prlimit", "--as=1073741824", "--"]);
    let base = format!("http://{address}");
    let http = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();
    let status = |path: &str| {
        http.get(format!("{base}{path}"))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    // Half-sent headers, held open while everything else runs.
    let held: Vec<std::net::TcpStream> = (0..50)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&address).unwrap();
            write!(s, "GET / HTTP/1.1\r\nHost: {address}\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    assert_eq!(status("/search?q=x&offset=100000000000000000"), 400);
    assert_eq!(status("/brief?from=-2147483648&to=2147483647"), 400);
    assert_eq!(status("/api/v1/incidents?offset=18446744073709551615"), 400);
    // Six briefs printed at once: a few print (or fail to print under the
    // limit), the rest are told the printer is busy; none takes the server.
    let printing: Vec<_> = (0..6)
        .map(|_| {
            let (http, base) = (http.clone(), base.clone());
            std::thread::spawn(move || {
                http.get(format!("{base}/brief?from=2013&to=2024&format=pdf"))
                    .send()
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for p in printing {
        let s = p.join().unwrap();
        assert!(matches!(s, 200 | 503), "printing answered {s}");
    }
    // A ZIP whose directory claims 65,535 entries past its end, uploaded
    // by a documenter (after choosing a new password).
    let token: serde_json::Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({ "username": "kim", "password": once }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let changed = http
        .post(format!("{base}/api/v1/password"))
        .header("Authorization", &bearer)
        .json(&serde_json::json!({ "current": once, "new": "a generated long passphrase" }))
        .send()
        .unwrap();
    assert_eq!(changed.status().as_u16(), 204);
    let mut zip = b"PK\x03\x04\x14\0\0\0\0\0word/document.xml".to_vec();
    zip.extend_from_slice(
        b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\x7f\xff\xff\xff\x7f\0\0",
    );
    let sources: serde_json::Value = http
        .get(format!("{base}/api/v1/sources?limit=1"))
        .header("Authorization", &bearer)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let source = sources["items"][0]["id"].as_str().unwrap().to_owned();
    let upload = http
        .post(format!(
            "{base}/api/v1/evidence?source={source}&received_from=x&received_via=test&file_name=crafted.docx&confidentiality=restricted"
        ))
        .header("Authorization", &bearer)
        .body(zip)
        .send()
        .unwrap();
    assert!(upload.status().as_u16() < 500, "{}", upload.text().unwrap());
    // Anonymous views of the public tables are counted, not logged each.
    let before = dir.audit_count();
    for _ in 0..100 {
        assert_eq!(status("/api/v1/public/tables"), 200);
    }
    assert_eq!(dir.audit_count(), before);
    // Still answering, as before.
    assert_eq!(status("/incidents"), 200);
    assert_eq!(status("/search?q=repatriated"), 200);
    drop(held);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    let (mut child, address, _) = start(&dir, "127.0.0.1:0");
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    // Before, SIGTERM killed it outright (no exit status, only a signal).
    assert!(status.success(), "SIGTERM ends the server with {status}");
}

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    let dir = DataDir::new();
    dir.ok(&["init", "--demo"]);
    for args in [vec!["audit", "show"], vec!["export", "--out", "-"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_refwatch"))
            .args(["--data-dir", dir.path.to_str().unwrap()])
            .args(&args)
            .env("REFWATCH_KEY_FILE", &dir.key)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before reading anything, as `| head -0` would.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {} {stderr}", out.status);
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// A server process that is stopped when dropped.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An incident for the API, citing `source`; `n` makes its ids its own.
fn generated_incident(n: usize, source: &str) -> String {
    format!(
        r#"{{"id": "key:full-disk-{n}", "kind": "arrest", "title": "Generated arrest {n}", "date": "2024-06", "victims": {{"low": 2}}, "verification": "single_source", "confidentiality": "restricted", "citations": [{{"id": "key:full-disk-c{n}", "source": "{source}", "locator": "p. {n}", "quote": "generated words"}}]}}"#
    )
}

#[test]
fn a_full_disk_is_said_plainly_and_forgotten_once_there_is_room() {
    // tools/test-all.sh mounts a small tmpfs for this test.
    let Some(small) = std::env::var_os("REFWATCH_TEST_SMALL_FS") else {
        eprintln!("skipped: REFWATCH_TEST_SMALL_FS names no small file system to fill");
        return;
    };
    let small = std::path::PathBuf::from(small);
    let dir = DataDir::within(&small);
    dir.ok(&["init", "--demo"]);
    let added = dir.ok(&["user", "add", "kim", "--role", "editor"]);
    let once = added
        .split("One-time password: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .to_owned();
    let (child, address, _stderr) = start(&dir, "127.0.0.1:0");
    // Stopped however the test ends, so that a failure leaves no server.
    let mut child = Stopped(child);
    let base = format!("http://{address}");
    let http = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let sign_in = |password: &str| {
        http.post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({ "username": "kim", "password": password }))
            .send()
            .unwrap()
    };
    let token: serde_json::Value = sign_in(&once).json().unwrap();
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let password = "a generated long passphrase";
    let changed = http
        .post(format!("{base}/api/v1/password"))
        .header("Authorization", &bearer)
        .json(&serde_json::json!({ "current": once, "new": password }))
        .send()
        .unwrap();
    assert_eq!(changed.status().as_u16(), 204);
    let token: serde_json::Value = sign_in(password).json().unwrap();
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let sources: serde_json::Value = http
        .get(format!("{base}/api/v1/sources?limit=1"))
        .header("Authorization", &bearer)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let source = sources["items"][0]["id"].as_str().unwrap().to_owned();
    let write = |n: usize| {
        http.post(format!("{base}/api/v1/incidents"))
            .header("Authorization", &bearer)
            .header("Content-Type", "application/json")
            .body(generated_incident(n, &source))
            .send()
            .unwrap()
    };
    assert_eq!(write(0).status().as_u16(), 201);

    // Fill the file system to the last byte.
    // Inside the test's own folder, so that it goes with it whatever happens.
    let filler = dir.path.with_file_name("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }
    // Every write is refused in words, on every pooled connection, and the
    // server stays up.
    for n in 1..=8 {
        let r = write(n);
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(status, 503, "write {n}: {body}");
        assert_eq!(body["error"]["code"], "disk_full", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("disk is full"),
            "{body}"
        );
    }

    // Signing in writes a session: refused the same way.
    let refused = sign_in(password);
    assert_eq!(refused.status().as_u16(), 503);
    let body: serde_json::Value = refused.json().unwrap();
    assert_eq!(body["error"]["code"], "disk_full", "{body}");

    // Room again: writes and sign-ins succeed at once, on every connection.
    std::fs::remove_file(&filler).unwrap();
    for n in 9..=16 {
        let r = write(n);
        assert_eq!(r.status().as_u16(), 201, "{}", r.text().unwrap());
    }
    for _ in 0..6 {
        assert_eq!(sign_in(password).status().as_u16(), 201);
    }
    let listed: serde_json::Value = http
        .get(format!("{base}/api/v1/incidents?limit=200"))
        .header("Authorization", &bearer)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let titles = listed.to_string();
    assert!(titles.contains("Generated arrest 16"));
    // Nothing half-written while the disk was full.
    assert!(!titles.contains("Generated arrest 8\""));
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    // And the database is whole.
    dir.ok(&["check"]);
}

//! Child processes under limits: `pdftotext`, and refwatch's own
//! extraction worker, so that a hostile file that makes a parser hang or
//! crash ends one child, never the application.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use refwatch_domain::MediaKind;

use crate::{ExtractError, Extracted, Limits, Reader, extract};

/// A command for `program` under the memory limit (by util-linux's
/// `prlimit` when it is installed, as on Debian).
pub(crate) fn limited(program: impl AsRef<Path>, limits: &Limits) -> Command {
    if Path::new("/usr/bin/prlimit").exists() {
        let mut command = Command::new("/usr/bin/prlimit");
        command
            .arg(format!("--as={}", limits.memory_bytes))
            .arg("--")
            .arg(program.as_ref());
        command
    } else {
        Command::new(program.as_ref())
    }
}

pub(crate) struct ChildOutput {
    pub(crate) success: bool,
    pub(crate) stdout: Vec<u8>,
    /// The child wrote more than allowed and was stopped.
    pub(crate) overflowed: bool,
}

pub(crate) enum RunError {
    Spawn,
    TimedOut,
}

/// Runs `command` with `input` on its standard input, keeping at most
/// `max_out` bytes of its output, and kills it at `timeout`.
pub(crate) fn run_child(
    mut command: Command,
    input: &[u8],
    max_out: usize,
    timeout: Duration,
) -> Result<ChildOutput, RunError> {
    // Its own process group, so that stopping it stops what it started.
    let mut child = command
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| RunError::Spawn)?;
    let deadline = Instant::now() + timeout;
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let overflow = AtomicBool::new(false);
    let overflow = &overflow;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Some(stdin) = stdin.as_mut() {
                // A child that stops reading early closes the pipe: not an error here.
                let _ = stdin.write_all(input);
            }
        });
        let reader = scope.spawn(move || {
            let mut kept = Vec::new();
            let mut overflowed = false;
            if let Some(out) = stdout.as_mut() {
                let mut chunk = [0u8; 64 * 1024];
                loop {
                    match out.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if kept.len() + n > max_out {
                                kept.extend_from_slice(&chunk[..max_out - kept.len()]);
                                overflowed = true;
                                overflow.store(true, Ordering::Relaxed);
                                break;
                            }
                            kept.extend_from_slice(&chunk[..n]);
                        }
                    }
                }
            }
            (kept, overflowed)
        });
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline || overflow.load(Ordering::Relaxed) => {
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(_) => break None,
            }
        };
        let timed_out = status.is_none();
        if timed_out {
            // The whole group: a reader that started children of its own
            // (pdftotext) must not leave them running.
            if let Ok(group) = i32::try_from(child.id()) {
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(group),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let (stdout, overflowed) = reader.join().unwrap_or_default();
        if timed_out && !overflowed {
            return Err(RunError::TimedOut);
        }
        Ok(ChildOutput {
            success: status.is_some_and(|s| s.success()),
            stdout,
            overflowed,
        })
    })
}

/// Reads files in a child process: `program args... KIND` reads the file
/// on its standard input and answers as [`worker_main`] writes. The child
/// runs under the memory limit and is killed at the time limit.
#[derive(Debug, Clone)]
pub struct Isolated {
    program: PathBuf,
    args: Vec<String>,
    limits: Limits,
}

impl Isolated {
    /// A reader that runs `program` with `args`, then the limits and the
    /// file's kind (see [`worker_main`]).
    pub fn new(program: PathBuf, args: Vec<String>, limits: Limits) -> Self {
        Self {
            program,
            args,
            limits,
        }
    }
}

impl Reader for Isolated {
    fn read(&self, bytes: &[u8], kind: MediaKind) -> Result<Extracted, ExtractError> {
        if !kind.has_text() {
            return Err(ExtractError::NoText(kind));
        }
        let l = &self.limits;
        let mut command = limited(&self.program, l);
        command.args(&self.args).args([
            l.max_text_bytes.to_string(),
            l.max_unpacked_bytes.to_string(),
            l.max_entries.to_string(),
            l.max_depth.to_string(),
            l.timeout.as_secs().to_string(),
            kind.code().to_owned(),
        ]);
        // The worker's own PDF child has the same time limit; allow for it.
        let output = run_child(command, bytes, l.max_text_bytes + 4096, l.timeout * 2).map_err(
            |e| match e {
                RunError::Spawn => {
                    ExtractError::Failed("the extraction worker could not be started".into())
                }
                RunError::TimedOut => ExtractError::TimedOut(l.timeout.as_secs()),
            },
        )?;
        answer(&output.stdout).unwrap_or_else(|| {
            Err(ExtractError::Failed(
                "the reading process stopped without an answer (it ran out of memory or crashed)"
                    .into(),
            ))
        })
    }
}

/// Reads the worker's answer: `ok LANG TRUNCATED\n` and the text, or
/// `err MESSAGE`.
fn answer(out: &[u8]) -> Option<Result<Extracted, ExtractError>> {
    let newline = out.iter().position(|&b| b == b'\n').unwrap_or(out.len());
    let head = std::str::from_utf8(&out[..newline]).ok()?;
    if let Some(message) = head.strip_prefix("err ") {
        return Some(Err(ExtractError::Failed(message.to_owned())));
    }
    let mut words = head.strip_prefix("ok ")?.split(' ');
    let language = crate::language::code(words.next()?)?;
    let truncated = words.next()? == "1";
    let text = String::from_utf8(out.get(newline + 1..)?.to_vec()).ok()?;
    Some(Ok(Extracted {
        text,
        language,
        truncated,
    }))
}

/// The extraction worker: reads a file on standard input and writes its
/// answer on standard output. `args` are the limits (text bytes, unpacked
/// bytes, entries, depth, seconds) and the kind's code, as [`Isolated`]
/// passes them. Returns the process's exit code.
pub fn worker_main(args: &[String]) -> i32 {
    let numbers: Vec<u64> = args.iter().take(5).filter_map(|a| a.parse().ok()).collect();
    let kind = args.get(5).and_then(|k| MediaKind::from_code(k));
    let (Some(kind), [text, unpacked, entries, depth, seconds]) = (kind, numbers.as_slice()) else {
        return 2;
    };
    let limits = Limits {
        max_text_bytes: *text as usize,
        max_unpacked_bytes: *unpacked,
        max_entries: *entries as usize,
        max_depth: *depth as usize,
        timeout: Duration::from_secs(*seconds),
        ..Limits::default()
    };
    let mut input = Vec::new();
    if std::io::stdin().read_to_end(&mut input).is_err() {
        return 2;
    }
    let mut stdout = std::io::stdout().lock();
    let written = match extract(&input, kind, &limits) {
        Ok(e) => stdout
            .write_all(
                format!("ok {} {}\n", e.language, if e.truncated { 1 } else { 0 }).as_bytes(),
            )
            .and_then(|()| stdout.write_all(e.text.as_bytes())),
        Err(e) => stdout.write_all(format!("err {e}").as_bytes()),
    };
    if written.and_then(|()| stdout.flush()).is_ok() {
        0
    } else {
        2
    }
}

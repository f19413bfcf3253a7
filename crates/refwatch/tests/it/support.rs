//! Running the binary and reaching behind its back.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh data directory that is removed when the test ends.
pub(crate) struct DataDir {
    _tmp: tempfile::TempDir,
    pub(crate) path: PathBuf,
    /// The key file, beside (not inside) the data directory.
    pub(crate) key: PathBuf,
}

impl DataDir {
    pub(crate) fn new() -> Self {
        Self::within(&std::env::temp_dir())
    }

    /// A data directory in a new folder inside `parent`.
    pub(crate) fn within(parent: &std::path::Path) -> Self {
        let tmp = tempfile::tempdir_in(parent).unwrap();
        let path = tmp.path().join("data");
        let key = tmp.path().join("test.key");
        Self {
            _tmp: tmp,
            path,
            key,
        }
    }

    /// Runs `refwatch --data-dir DIR --key-file KEY ARGS...`.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[("REFWATCH_KEY_FILE", self.key.to_str().unwrap())])
    }

    /// Runs `refwatch --data-dir DIR ARGS...` with these environment variables and no others of refwatch's.
    pub(crate) fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_refwatch"));
        cmd.arg("--data-dir").arg(&self.path).args(args);
        for var in [
            "REFWATCH_DATA_DIR",
            "REFWATCH_LANG",
            "REFWATCH_KEY_FILE",
            "REFWATCH_PASSPHRASE",
            "REFWATCH_NEW_PASSPHRASE",
            "REFWATCH_NEW_KEY_FILE",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run {
            output: cmd.output().unwrap(),
        }
    }

    /// Starts a long-running command (`demo`, `serve`), collects its
    /// standard output up to the line containing `marker`, then stops it.
    pub(crate) fn run_until(&self, args: &[&str], marker: &str) -> String {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_refwatch"))
            .arg("--data-dir")
            .arg(&self.path)
            .args(args)
            .env("REFWATCH_KEY_FILE", &self.key)
            .env_remove("REFWATCH_PASSPHRASE")
            .env_remove("REFWATCH_LANG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut out = String::new();
        let reader = std::io::BufReader::new(child.stdout.take().unwrap());
        for line in reader.lines() {
            let line = line.unwrap();
            out.push_str(&line);
            out.push('\n');
            if line.contains(marker) {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(out.contains(marker), "no {marker:?} in:\n{out}");
        out
    }

    /// Runs a command that must succeed and returns its standard output.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(run.success(), "refwatch {args:?} failed:\n{}", run.stderr());
        run.stdout()
    }

    /// The full export as text.
    pub(crate) fn export(&self) -> String {
        self.ok(&["export", "--out", "-"])
    }

    /// How many audit entries the database holds.
    pub(crate) fn audit_count(&self) -> i64 {
        let db = self.path.join("refwatch.db");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use sqlx::{Connection, Row};
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            let row = sqlx::query("SELECT COUNT(*) FROM audit_log")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            let n: i64 = row.try_get(0).unwrap();
            conn.close().await.unwrap();
            n
        })
    }

    /// Executes SQL directly on the database file, behind the store's back.
    pub(crate) fn sql(&self, statements: &[&'static str]) {
        let db = self.path.join("refwatch.db");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            let url = format!("sqlite://{}", db.display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            for s in statements {
                sqlx::query(*s).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
        });
    }
}

pub(crate) struct Run {
    output: Output,
}

impl Run {
    pub(crate) fn success(&self) -> bool {
        self.output.status.success()
    }
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8(self.output.stdout.clone()).unwrap()
    }
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8(self.output.stderr.clone()).unwrap()
    }
}

/// Where the seed documents are: `REFWATCH_SEEDS_DIR`, or `shared/seeds`
/// beside the repository.
pub(crate) fn seeds_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("REFWATCH_SEEDS_DIR") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds")
}

/// Writes `text` to a file in a temporary directory and returns its path.
pub(crate) fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

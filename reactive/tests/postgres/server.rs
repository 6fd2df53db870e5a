//! A private PostgreSQL server for the tests that stop it or read its log: found and started
//! the way `scripts/postgres` does (the newest `/usr/lib/postgresql/<version>/bin`, `initdb`
//! and the server as the `postgres` user when run as root, a temporary data directory, a free
//! port of 127.0.0.1), every statement logged with its application name. Anything that keeps
//! it from starting fails the test.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct PrivateServer {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_root: bool,
}

/// The directory of the server's binaries: `REACTIVE_POSTGRES_BIN` (the test command sets
/// it), else the newest `/usr/lib/postgresql/<version>/bin`, else `pg_config --bindir`.
fn find_bin() -> PathBuf {
    if let Some(dir) = std::env::var_os("REACTIVE_POSTGRES_BIN").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return bin;
    }
    match Command::new("pg_config").arg("--bindir").output() {
        Ok(out) if out.status.success() => {
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
        _ => panic!(
            "no PostgreSQL server binaries (looked in REACTIVE_POSTGRES_BIN, \
             /usr/lib/postgresql/*/bin and pg_config): install PostgreSQL or run \
             ./scripts/test-all, which installs it"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn check(what: &str, out: std::io::Result<Output>) -> Output {
    match out {
        Ok(out) if out.status.success() => out,
        Ok(out) => panic!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(err) => panic!("{what} could not run: {err}"),
    }
}

impl PrivateServer {
    /// Creates a data directory and starts the server on it.
    pub fn start(tag: &str) -> PrivateServer {
        let bin = find_bin();
        assert!(
            bin.join("initdb").exists(),
            "no initdb in {}: install PostgreSQL",
            bin.display()
        );
        let dir = std::env::temp_dir().join(super::support::unique_schema(tag));
        std::fs::create_dir_all(dir.join("socket")).expect("a temporary directory");
        let as_root = is_root();
        if as_root {
            check(
                "chown",
                Command::new("chown")
                    .arg("-R")
                    .arg("postgres:")
                    .arg(&dir)
                    .output(),
            );
        }
        let server = PrivateServer {
            bin,
            dir,
            port: free_port(),
            as_root,
        };
        server.run(
            "initdb",
            &[
                "-D",
                &server.data(),
                "-E",
                "UTF8",
                "--locale=C",
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        let conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             fsync = off\nlog_statement = 'all'\nlog_parameter_max_length = 0\n\
             log_line_prefix = '<%a> '\n",
            server.port,
            server.dir.join("socket").display()
        );
        let path = Path::new(&server.data()).join("postgresql.conf");
        let mut text = std::fs::read_to_string(&path).expect("postgresql.conf");
        text.push_str(&conf);
        std::fs::write(&path, text).expect("write postgresql.conf");
        server.start_again();
        check(
            "createdb",
            Command::new(server.bin.join("createdb"))
                .args(["-h", "127.0.0.1", "-p", &server.port.to_string()])
                .args(["-U", "postgres", "reactive"])
                .output(),
        );
        server
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    /// Runs one of the server's programs as the user the server runs as.
    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let out = if self.as_root {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .output()
        } else {
            Command::new(&path).args(args).output()
        };
        check(program, out);
    }

    /// Starts the (stopped) server again, on the same port and data.
    pub fn start_again(&self) {
        let log = self.log_path().display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-l", &log, "-w", "-t", "60", "start"],
        );
    }

    /// Stops the server (fast shutdown: connections are closed at once).
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "fast", "-w", "-t", "60", "stop"],
        );
    }

    /// The server's URL, with `application_name` naming the client in the log.
    pub fn url(&self, application: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/reactive?application_name={application}",
            self.port
        )
    }

    /// Every statement the connections named `application` ran, in order, as logged by the
    /// server (`log_statement = all`), without the prepared statements' names.
    pub fn statements(&self, application: &str) -> Vec<String> {
        let log = std::fs::read(self.log_path()).expect("the server's log");
        statements_in(&String::from_utf8_lossy(&log), application)
    }
}

/// The statements of `application` in a log written with `log_line_prefix = '<%a> '`.
pub fn statements_in(log: &str, application: &str) -> Vec<String> {
    let prefix = format!("<{application}> LOG:  ");
    log.lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .filter_map(|rest| {
            if let Some(simple) = rest.strip_prefix("statement: ") {
                return Some(simple.to_string());
            }
            // `execute s12: SELECT ..`, `execute <unnamed>: ..`
            let named = rest.strip_prefix("execute ")?;
            let (_, sql) = named.split_once(": ")?;
            Some(sql.to_string())
        })
        .collect()
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let data = self.data();
        let stop = ["-D", data.as_str(), "-m", "immediate", "-w", "stop"];
        let path = self.bin.join("pg_ctl");
        let _ = if self.as_root {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(stop)
                .output()
        } else {
            Command::new(&path).args(stop).output()
        };
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

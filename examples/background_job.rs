//! Background jobs with state: the seed's `SyncJob`.
//!
//! A job is a plain struct; its `progress` is a computed field over `processed_items` and
//! `total_items`. The driver only writes the model. Everything the user sees (the progress
//! bar, the status lines, the messages a socket would push to a client) is driven from the
//! model's change events, so the driver knows nothing about its observers.
//!
//! Two jobs run: one completes, the other hits a corrupt item and ends `Failed` with the error
//! stored on the job.
//!
//! Run it with `cargo run --example background_job`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reactive::prelude::*;

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Running,
    Completed,
    Failed,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Failed => "failed",
        })
    }
}

/// A synchronisation job: how far it got, and why it stopped if it failed.
#[derive(Reactive, Clone, Debug, Serialize, Deserialize)]
pub struct SyncJob {
    pub id: String,
    pub status: Status,
    pub total_items: u64,
    pub processed_items: u64,
    /// Percent done, 0.0 to 100.0: recomputed only in batches that change its deps.
    #[reactive(computed = Self::progress_of, deps(processed_items, total_items))]
    pub progress: f64,
    pub error: Option<String>,
}

impl SyncJob {
    /// A job that has not started yet.
    pub fn pending(id: &str) -> Self {
        SyncJob {
            id: id.to_string(),
            status: Status::Pending,
            total_items: 0,
            processed_items: 0,
            progress: 0.0, // computed when the model is created
            error: None,
        }
    }

    fn progress_of(&self) -> f64 {
        if self.total_items == 0 {
            0.0
        } else {
            self.processed_items as f64 * 100.0 / self.total_items as f64
        }
    }
}

/// One unit of work.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: u32,
    pub payload: String,
}

/// Stands for the real work (a network call, a database write).
async fn process_item(item: &Item) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(3)).await;
    if item.payload == "corrupt" {
        return Err(format!("item {} has a corrupt payload", item.id));
    }
    Ok(())
}

/// Drives `job` through `items`. It only writes the model: every observer hangs off its events.
async fn run(job: &Model<SyncJob>, items: &[Item]) -> Result<(), Error> {
    // One batch: the observers see `running` and the new total together, in one `change`.
    job.batch(|b| {
        b.set_status(Status::Running)?;
        b.set_total_items(items.len() as u64)?;
        b.set_processed_items(0)?;
        b.set_error(None)
    })?;
    for (done, item) in items.iter().enumerate() {
        if let Err(message) = process_item(item).await {
            return job.batch(|b| {
                b.set_status(Status::Failed)?;
                b.set_error(message)
            });
        }
        job.set_processed_items(done as u64 + 1)?; // progress follows by itself
    }
    job.set_status(Status::Completed)
}

/// Hooks a progress bar, status lines and a would-be socket feed onto `job`'s events.
/// Returns the messages the socket feed sent.
fn observe(job: &Model<SyncJob>) -> Outbox {
    // Hidden automatically when stderr is not a terminal, so CI logs stay readable.
    let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr())
        .with_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos:>3}% {msg}")
                .expect("a valid template")
                .progress_chars("=> "),
        )
        .with_prefix(job.id());

    let b = bar.clone();
    let id = job.id();
    job.on(SyncJob::PROGRESS, move |c: &Change<f64>| {
        b.set_position(c.value.round() as u64);
        // Without a terminal the bar is hidden: log each quarter instead.
        let quarter = |p: f64| (p / 25.0).floor() as u8;
        if b.is_hidden() && c.value > 0.0 && quarter(c.value) > quarter(c.previous) {
            println!("[{id}] {:>3.0}%", c.value);
        }
    })
    .detach();

    let b = bar.clone();
    let id = job.id();
    job.on_status(move |c: &Change<Status>| {
        // `suspend` prints above the bar, and still prints when the bar is hidden.
        b.suspend(|| println!("[{id}] {} -> {}", c.previous, c.value));
        // The status line says how it ended; the bar makes room for what is printed next.
        if matches!(c.value, Status::Completed | Status::Failed) {
            b.finish_and_clear();
        }
    })
    .detach();

    // The seed pushes `job:progress` to clients on every `change`: one message per batch.
    let outbox = Outbox::default();
    let out = outbox.clone();
    job.on_change(move |m: &Model<SyncJob>, _changes| {
        let message = m.with(
            |j| serde_json::json!({ "jobId": j.id, "progress": j.progress, "status": j.status }),
        );
        out.lock().expect("outbox lock").push(message);
    })
    .detach();
    outbox
}

/// What a socket would have pushed to the client, in order.
type Outbox = Arc<Mutex<Vec<serde_json::Value>>>;

fn items(n: u32, corrupt_at: Option<u32>) -> Vec<Item> {
    (0..n)
        .map(|id| Item {
            id,
            payload: if Some(id) == corrupt_at {
                "corrupt"
            } else {
                "ok"
            }
            .to_string(),
        })
        .collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // A job that completes.
    let job = Model::new(SyncJob::pending("sync-1"));
    let sent = observe(&job);
    run(&job, &items(40, None)).await?;
    let sent = std::mem::take(&mut *sent.lock().expect("outbox lock"));
    println!(
        "[sync-1] {} with {}/{} items ({:.0}%); {} messages pushed, the last: {}",
        job.status(),
        job.processed_items(),
        job.total_items(),
        job.progress(),
        sent.len(),
        sent.last().expect("at least one message")
    );
    assert_eq!(job.status(), Status::Completed);
    assert_eq!(job.progress(), 100.0);
    assert_eq!(job.error(), None);
    // One `change` per batch: the start, one per item, the end.
    assert_eq!(sent.len(), 40 + 2);

    // A job whose 25th item (index 24) is corrupt.
    let job = Model::new(SyncJob::pending("sync-2"));
    let sent = observe(&job);
    run(&job, &items(40, Some(24))).await?;
    println!(
        "[sync-2] {} at {}/{} items ({:.0}%): {}",
        job.status(),
        job.processed_items(),
        job.total_items(),
        job.progress(),
        job.error().unwrap_or_default()
    );
    assert_eq!(job.status(), Status::Failed);
    assert_eq!(job.processed_items(), 24);
    assert_eq!(job.progress(), 60.0);
    assert_eq!(
        job.error().as_deref(),
        Some("item 24 has a corrupt payload")
    );
    assert_eq!(sent.lock().expect("outbox lock").len(), 24 + 2);

    // The live model serializes as its current value.
    println!("{}", serde_json::to_string(&job).map_err(Error::other)?);
    Ok(())
}

//! A runaway query in the console's SQL pane can be stopped: the worker interrupts SQLite and
//! answers at once, so the pane (and the exports queued behind it) are free again.

mod common;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};
use zoomlens::tui::worker::{Query, Reply, Request, Response, Slot, Worker};

#[test]
fn cancel_interrupts_a_running_sql_query() {
    let dir = tempfile::tempdir().unwrap();
    let case = common::cli::demo(dir.path());
    let (tx, rx) = channel::<Response>();
    let w = Worker::spawn(&case, &zoomlens::detect::Config::default(), tx, |r| r).unwrap();
    w.send(Request {
        slot: Slot::Sql,
        generation: 1,
        q: Query::Sql {
            text: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                   SELECT count(*) FROM c"
                .into(),
        },
    });
    // Let it start, then cancel.
    std::thread::sleep(Duration::from_millis(500));
    let t0 = Instant::now();
    w.cancel(Slot::Sql);
    loop {
        let r = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the infinite query was never stopped");
        if r.slot == Slot::Sql {
            match r.reply {
                Reply::Sql(Err(e)) => assert!(e.contains("interrupt"), "{e}"),
                other => panic!("expected an interrupted query, got {other:?}"),
            }
            break;
        }
    }
    assert!(t0.elapsed() < Duration::from_secs(20));
}

//! Where importers put what they read.
//!
//! Every normaliser writes through [`Sink`]. A [`Writer`] is one: `sync` and `listen` store a
//! page or a delivery as it arrives. A file import instead fills a [`Deferred`] queue on the
//! thread that reads, parses, hashes and compresses, and [`pipeline`] applies it to a
//! [`Writer`] on a second thread, so that SQLite writes while the next records are read (the
//! profile of a whole-tenant import on one thread was half SQLite, half the rest). With
//! SQLite's B-trees left to it, the writing thread is still the slower of the two on most
//! inputs; on the Dashboard pages they are about even.
//!
//! What the reading thread cannot know without the case (does this meeting exist yet, which
//! email has this user id) is asked on the writing thread, in a closure given to
//! [`Sink::with_writer`]; a new origin's id is a placeholder until its row is written.
//! Whether a record will be a new row or further evidence for one it cannot know either: it
//! compresses each for wherever the writer last put a record of the same [`Route`].

use crate::model::beyond::{DataAccess, IdpEvent};
use crate::model::*;
use crate::store::writer::{
    Disclaimer, EvidenceKey, HistoryMeeting, MeetingActivity, RecordingAccess, RemoteSupport,
    RiskAlert, WaitingStay,
};
use crate::store::{Store, Writer, raw};
use crate::util::Sha256Sum;
use anyhow::Result;
use std::sync::mpsc;

/// A write, run on the writing thread with the ids of the origins placed so far.
type Op = Box<dyn FnOnce(&mut Writer, &mut Vec<i64>) -> Result<()> + Send>;

/// One method per kind of record; its [`Route`] lets a [`Deferred`] queue compress its
/// evidence ahead of the writer.
macro_rules! records {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(&mut self, rec: $ty, ev: Evidence) -> Result<()> {
            let route = rec.route();
            self.write_as(Some(route), ev, move |w, ev| w.$method(&rec, ev).map(drop))
        }
    )*};
}

/// The write side as the normalisers see it.
pub trait Sink {
    /// Keep a record that could not be used, with where it came from and why.
    fn reject(
        &mut self,
        table: &str,
        source: &str,
        line: Option<i64>,
        reason: &str,
        raw: &str,
    ) -> Result<()>;

    /// Count a record understood but deliberately not stored in `table`.
    fn skip(&mut self, table: &'static str);

    /// The id to give evidence from this origin (a placeholder in a [`Deferred`] queue).
    fn origin(&mut self, o: Origin) -> Result<i64>;

    /// Run `f` where the case can be read and written, with `ev` (its origin resolved).
    fn with_writer(
        &mut self,
        ev: Evidence,
        f: impl FnOnce(&mut Writer, &Evidence) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        self.write_as(None, ev, f)
    }

    /// [`Self::with_writer`] for evidence of a record of kind `route`.
    fn write_as(
        &mut self,
        route: Option<Route>,
        ev: Evidence,
        f: impl FnOnce(&mut Writer, &Evidence) -> Result<()> + Send + 'static,
    ) -> Result<()>;

    records! {
        user(User), signin(SignIn), operation(Operation), settings_change(Operation),
        meeting(Meeting), participant(Participant), recording(Recording), chat(ChatMessage),
        waiting_entered(WaitingStay), webhook_event(WebhookEvent),
        meeting_activity(MeetingActivity), departure(Departure), asset(Asset), vip(Vip),
        idp_event(IdpEvent), data_access(DataAccess), history_meeting(HistoryMeeting),
        recording_access(RecordingAccess), disclaimer(Disclaimer),
        remote_support(RemoteSupport), risk_alert(RiskAlert),
    }
}

impl Sink for Writer<'_> {
    fn reject(
        &mut self,
        table: &str,
        source: &str,
        line: Option<i64>,
        reason: &str,
        raw: &str,
    ) -> Result<()> {
        Writer::reject(self, table, source, line, reason, raw)
    }

    fn skip(&mut self, table: &'static str) {
        self.counts.skip(table);
    }

    fn origin(&mut self, o: Origin) -> Result<i64> {
        Writer::origin(self, &o)
    }

    fn write_as(
        &mut self,
        _route: Option<Route>,
        ev: Evidence,
        f: impl FnOnce(&mut Writer, &Evidence) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        f(self, &ev)
    }
}

/// Writes queued on the reading thread, in order, for [`pipeline`]'s writing thread, each
/// record's evidence compressed on the way with the writer's dictionaries.
pub struct Deferred {
    ops: Vec<Op>,
    /// Origins placed so far (placeholders are `-1 - index`).
    origins: usize,
    pre: raw::Precoder,
    /// The last webhook delivery queued: the records it reports are stored as references to
    /// it (see `store::raw`), so compressing them would be wasted.
    delivery: Option<Sha256Sum>,
}

impl Deferred {
    fn push(&mut self, op: impl FnOnce(&mut Writer, &mut Vec<i64>) -> Result<()> + Send + 'static) {
        self.ops.push(Box::new(op));
    }
}

/// The real id behind an origin id handed out by [`Deferred::origin`].
fn resolve(id: i64, placed: &[i64]) -> Result<i64> {
    if id >= 0 {
        return Ok(id);
    }
    let i = usize::try_from(-1 - id)?;
    placed
        .get(i)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("internal: origin {i} used before it was written"))
}

impl Sink for Deferred {
    fn reject(
        &mut self,
        table: &str,
        source: &str,
        line: Option<i64>,
        reason: &str,
        raw: &str,
    ) -> Result<()> {
        let (table, source) = (table.to_string(), source.to_string());
        let (reason, raw) = (reason.to_string(), raw.to_string());
        self.push(move |w, _| w.reject(&table, &source, line, &reason, &raw));
        Ok(())
    }

    fn skip(&mut self, table: &'static str) {
        self.push(move |w, _| {
            w.counts.skip(table);
            Ok(())
        });
    }

    fn origin(&mut self, o: Origin) -> Result<i64> {
        let id = -1 - i64::try_from(self.origins)?;
        self.origins += 1;
        self.push(move |w, placed| {
            placed.push(w.origin(&o)?);
            Ok(())
        });
        Ok(id)
    }

    fn write_as(
        &mut self,
        route: Option<Route>,
        mut ev: Evidence,
        f: impl FnOnce(&mut Writer, &Evidence) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        if let Some(route) = route {
            let delivery = route.key == raw::DELIVERIES;
            if delivery {
                self.delivery = Some(ev.sha256);
            }
            if self.delivery != Some(ev.sha256) || delivery {
                ev.packed = self.pre.encode(&route, &ev.raw)?;
            }
            ev.route = Some(route);
        }
        self.push(move |w, placed| {
            ev.origin_id = resolve(ev.origin_id, placed)?;
            f(w, &ev)
        });
        Ok(())
    }
}

/// Queued writes handed over at a time: enough to make the hand-over cheap, few enough that
/// the writing thread starts soon and memory stays small.
const CHUNK: usize = 1024;
/// Chunks in flight: the reading thread stops when the writer is this far behind.
const IN_FLIGHT: usize = 16;

enum Msg {
    Ops(Vec<Op>),
    /// Commit the batch: every record of the input units read so far is in it.
    Commit,
}

/// Read an input with `produce` on this thread, write what it queues on another, and commit
/// every `batch` records (or input units, which may hold none), handing each committed
/// writer to `done`. `produce` returns how many records it read, or `None` at the end.
///
/// An error on either side stops both: the batch in progress is rolled back and the first
/// error is returned (the writer's when the writer failed, since the reader then only sees
/// that it stopped).
pub(super) fn pipeline(
    store: &mut Store,
    batch: usize,
    mut produce: impl FnMut(&mut Deferred) -> Result<Option<usize>>,
    mut done: impl FnMut(Writer) -> Result<()> + Send,
) -> Result<u64> {
    let (tx, rx) = mpsc::sync_channel::<Msg>(IN_FLIGHT);
    let dicts = raw::Shared::default();
    let mut q = Deferred {
        ops: Vec::new(),
        origins: 0,
        pre: raw::Precoder::new(dicts.clone()),
        delivery: None,
    };
    std::thread::scope(|s| {
        let writer = s.spawn(move || -> Result<()> {
            let mut placed = Vec::new();
            loop {
                let mut w = store.writer()?;
                w.share_dicts(dicts.clone());
                loop {
                    match rx.recv() {
                        Ok(Msg::Ops(ops)) => {
                            for op in ops {
                                op(&mut w, &mut placed)?;
                            }
                        }
                        Ok(Msg::Commit) => {
                            done(w)?;
                            break;
                        }
                        // The reader hung up: after its last commit (the batch opened since
                        // is empty), or on an error (the batch in progress is rolled back as
                        // `w` drops).
                        Err(_) => return Ok(()),
                    }
                }
            }
        });
        let stopped = || anyhow::anyhow!("the writing thread stopped");
        let read = (|| -> Result<u64> {
            let mut total = 0u64;
            loop {
                let (mut records, mut units, mut more) = (0usize, 0usize, true);
                while records < batch && units < batch {
                    match produce(&mut q)? {
                        Some(n) => {
                            records += n;
                            units += 1;
                        }
                        None => {
                            more = false;
                            break;
                        }
                    }
                    if q.ops.len() >= CHUNK {
                        tx.send(Msg::Ops(std::mem::take(&mut q.ops)))
                            .map_err(|_| stopped())?;
                    }
                }
                if !q.ops.is_empty() {
                    tx.send(Msg::Ops(std::mem::take(&mut q.ops)))
                        .map_err(|_| stopped())?;
                }
                tx.send(Msg::Commit).map_err(|_| stopped())?;
                total += records as u64;
                if !more {
                    return Ok(total);
                }
            }
        })();
        drop(tx);
        let wrote = match writer.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        match (read, wrote) {
            (_, Err(e)) => Err(e),
            (Err(e), Ok(())) => Err(e),
            (Ok(n), Ok(())) => Ok(n),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.zl")).unwrap();
        (dir, store)
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The pipeline with each batch simply committed.
    fn run(
        store: &mut Store,
        batch: usize,
        produce: impl FnMut(&mut Deferred) -> Result<Option<usize>>,
    ) -> Result<u64> {
        pipeline(store, batch, produce, |w| w.commit().map(drop))
    }

    fn vip(email: &str) -> Vip {
        Vip {
            email: email.into(),
            name: None,
            title: None,
        }
    }

    #[test]
    fn a_reading_error_keeps_the_committed_batches_and_rolls_back_the_open_one() {
        let (_d, mut store) = case();
        let mut n = 0;
        let err = run(&mut store, 2, |q| {
            n += 1;
            if n == 4 {
                anyhow::bail!("the disk went away at record 4");
            }
            q.reject("vips", "f.csv", Some(n), "bad", "x")?;
            Ok(Some(1))
        })
        .unwrap_err();
        assert!(err.to_string().contains("the disk went away"), "{err:#}");
        // Records 1 and 2 were a committed batch; record 3 was in the one rolled back.
        assert_eq!(count(&store, "SELECT count(*) FROM rejects"), 2);
    }

    #[test]
    fn a_writing_error_is_the_error_reported_not_that_the_writer_stopped() {
        let (_d, mut store) = case();
        let mut n = 0i64;
        let err = run(&mut store, 1_000_000, |q| {
            n += 1;
            if n > 200_000 {
                return Ok(None);
            }
            let ev = Evidence::new(1, Some(n), "{}");
            q.with_writer(ev, move |_, ev| {
                if ev.line == Some(10) {
                    anyhow::bail!("the case is full at line 10");
                }
                Ok(())
            })?;
            Ok(Some(1))
        })
        .unwrap_err();
        assert!(err.to_string().contains("the case is full"), "{err:#}");
        // The reader stopped soon after the writer did, not at the end of its input.
        assert!(n < 200_000, "read {n} records after the writer failed");
    }

    #[test]
    fn evidence_from_an_origin_placed_in_the_queue_points_at_its_row() {
        let (_d, mut store) = case();
        let mut pages = 0;
        let read = run(&mut store, 1, |q| {
            pages += 1;
            if pages > 3 {
                return Ok(None);
            }
            let id = q.origin(Origin::new("capture", format!("/page/{pages}")))?;
            assert!(id < 0, "a queued origin has no row yet");
            let raw = format!("{{\"email\":\"v{pages}@x.test\"}}");
            q.vip(
                vip(&format!("v{pages}@x.test")),
                Evidence::new(id, None, raw),
            )?;
            Ok(Some(1))
        })
        .unwrap();
        assert_eq!(read, 3);
        for p in 1..=3 {
            let (vip_origin, origin): (i64, i64) = store
                .conn
                .query_row(
                    "SELECT v.origin_id, o.id FROM vips v, origins o
                     WHERE v.email = ?1 AND o.source = ?2",
                    [format!("v{p}@x.test"), format!("/page/{p}")],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!(vip_origin, origin);
        }
    }
}

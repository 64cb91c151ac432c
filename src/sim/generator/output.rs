//! `gen --out DIR`: a streaming sink that writes the capture NDJSON (one API page per line,
//! paths and queries as `sync` requests them), the webhook NDJSON, the enrichment CSVs and
//! truth.json. It holds at most one day's per-host pages and one page of each chained
//! report, so memory stays bounded however many days and users are generated.

use super::{Finish, Sink};
use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub const PAGE: usize = 300;

/// One newer report's day: path, query, list key, rows.
type NewerPage = (&'static str, Map<String, Value>, &'static str, Vec<Value>);
pub const CHAT_PAGE: usize = 50;
/// Reports accept at most a month per request.
pub const WINDOW_DAYS: i64 = 30;

const UUID_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A meeting UUID as a path segment: escaped, and escaped twice when it starts with "/" or
/// contains "//" (Zoom's rule).
pub fn encode_uuid(uuid: &str) -> String {
    let once = utf8_percent_encode(uuid, UUID_SET).to_string();
    if uuid.starts_with('/') || uuid.contains("//") {
        utf8_percent_encode(&once, UUID_SET).to_string()
    } else {
        once
    }
}

#[derive(Serialize)]
struct Page<'a> {
    path: &'a str,
    query: &'a Map<String, Value>,
    fetched_at: &'a str,
    body: &'a Value,
}

/// A report read page by page with next_page_token (activities, operation logs).
struct Chain {
    path: &'static str,
    list: &'static str,
    win: Option<(NaiveDate, NaiveDate)>,
    rows: Vec<Value>,
    page_no: u64,
}

pub struct CaptureWriter {
    dir: PathBuf,
    cap: BufWriter<File>,
    hooks: BufWriter<File>,
    fetched: chrono::DateTime<chrono::Utc>,
    seq: u64,
    started: bool,
    start: Option<NaiveDate>,
    /// The day after the window's last day.
    end: Option<NaiveDate>,
    users: [Vec<Value>; 3],
    acts: Chain,
    ops: Chain,
    day_meetings: BTreeMap<String, Vec<Value>>,
    day_recs: BTreeMap<String, Vec<Value>>,
    trash: BTreeMap<String, Vec<Value>>,
    day_chat: BTreeMap<(String, String), Vec<Value>>,
    day_hooks: Vec<(i64, u64, String)>,
    /// The day's newer-source records: history, disclaimers, remote support, and analytics
    /// per (recording, download?).
    day_newer: [Vec<Value>; 3],
    day_access: BTreeMap<(String, bool), Vec<Value>>,
    pub pages: u64,
    /// issue 19: the identity-provider, file-access and geolocation files, by name.
    beyond: BTreeMap<&'static str, BufWriter<File>>,
    /// Entra sign-ins not yet written as a Graph page.
    entra_page: Vec<String>,
}

impl CaptureWriter {
    /// Create `dir` (if needed) and the output files in it.
    pub fn create(dir: &Path) -> Result<CaptureWriter> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}", dir.display()))?;
        let open = |n: &str| -> Result<BufWriter<File>> {
            let p = dir.join(n);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            Ok(BufWriter::with_capacity(
                1 << 20,
                File::create(&p).with_context(|| format!("cannot write {}", p.display()))?,
            ))
        };
        Ok(CaptureWriter {
            dir: dir.to_path_buf(),
            cap: open("captures.ndjson")?,
            hooks: open("webhooks.ndjson")?,
            fetched: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            seq: 0,
            started: false,
            start: None,
            end: None,
            users: [Vec::new(), Vec::new(), Vec::new()],
            acts: Chain {
                path: "/v2/report/activities",
                list: "activity_logs",
                win: None,
                rows: Vec::new(),
                page_no: 0,
            },
            ops: Chain {
                path: "/v2/report/operationlogs",
                list: "operation_logs",
                win: None,
                rows: Vec::new(),
                page_no: 0,
            },
            day_meetings: BTreeMap::new(),
            day_recs: BTreeMap::new(),
            trash: BTreeMap::new(),
            day_chat: BTreeMap::new(),
            day_hooks: Vec::new(),
            day_newer: [Vec::new(), Vec::new(), Vec::new()],
            day_access: BTreeMap::new(),
            pages: 0,
            beyond: {
                let mut m = BTreeMap::new();
                for n in super::beyond::IMPORTED.iter().chain([&super::beyond::GEO]) {
                    m.insert(*n, open(n)?);
                }
                m.get_mut(super::beyond::DLP)
                    .expect("opened above")
                    .write_all(b"time,user,action,resource,sensitivity,ip,source\n")?;
                m
            },
            entra_page: Vec::new(),
        })
    }

    /// Entra sign-ins as one Graph `auditLogs/signIns` page per line.
    fn flush_entra(&mut self) -> Result<()> {
        if self.entra_page.is_empty() {
            return Ok(());
        }
        let page = format!(
            "{{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns\",\"value\":[{}]}}\n",
            self.entra_page.join(",")
        );
        self.entra_page.clear();
        let f = self
            .beyond
            .get_mut(super::beyond::ENTRA)
            .expect("opened in create");
        f.write_all(page.as_bytes())?;
        Ok(())
    }

    fn write_page(&mut self, path: &str, query: &Map<String, Value>, body: &Value) -> Result<()> {
        self.seq += 1;
        let fetched_at = crate::model::time::fmt_utc(
            self.fetched + Duration::milliseconds(self.seq as i64 * 250),
        );
        serde_json::to_writer(
            &mut self.cap,
            &Page {
                path,
                query,
                fetched_at: &fetched_at,
                body,
            },
        )?;
        self.cap.write_all(b"\n")?;
        self.pages += 1;
        Ok(())
    }

    fn token(path: &str, query: &Map<String, Value>, n: u64) -> String {
        crate::util::sha256_hex(format!("{path}?{}#{n}", Value::Object(query.clone())).as_bytes())
            [..32]
            .to_string()
    }

    /// A list of meetings (a user's meeting report, their recordings), in pages of `PAGE`.
    fn write_meetings(
        &mut self,
        path: &str,
        query: Map<String, Value>,
        rows: &[Value],
        top: &Map<String, Value>,
    ) -> Result<()> {
        self.write_chain(path, query, "meetings", rows, PAGE, top, true)
    }

    /// Each host's recordings list (`/v2/users/{host}/recordings`), asked with `query`.
    fn write_recordings(
        &mut self,
        by_host: BTreeMap<String, Vec<Value>>,
        query: &Map<String, Value>,
        top: &Map<String, Value>,
    ) -> Result<()> {
        for (host, rows) in by_host {
            let path = format!("/v2/users/{host}/recordings");
            self.write_meetings(&path, query.clone(), &rows, top)?;
        }
        Ok(())
    }

    /// Write `rows` as a chain of pages of at most `size`, the way a client reads them.
    #[allow(clippy::too_many_arguments)]
    fn write_chain(
        &mut self,
        path: &str,
        base: Map<String, Value>,
        list: &str,
        rows: &[Value],
        size: usize,
        top: &Map<String, Value>,
        counts: bool,
    ) -> Result<()> {
        let n_pages = rows.len().div_ceil(size).max(1);
        let mut tok_in: Option<String> = None;
        for p in 0..n_pages {
            let chunk = &rows[(p * size).min(rows.len())..((p + 1) * size).min(rows.len())];
            let mut q = base.clone();
            if let Some(t) = &tok_in {
                q.insert("next_page_token".into(), json!(t));
            }
            let next = if p + 1 < n_pages {
                Self::token(path, &base, p as u64 + 1)
            } else {
                String::new()
            };
            let mut body = top.clone();
            if counts {
                body.insert("page_count".into(), json!(n_pages));
                body.insert("total_records".into(), json!(rows.len()));
            }
            body.insert("page_size".into(), json!(size));
            body.insert("next_page_token".into(), json!(next));
            body.insert(list.into(), Value::Array(chunk.to_vec()));
            self.write_page(path, &q, &Value::Object(body))?;
            tok_in = Some(next);
        }
        Ok(())
    }

    fn write_users(&mut self) -> Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        for (k, status) in ["active", "inactive", "pending"].iter().enumerate() {
            let rows = std::mem::take(&mut self.users[k]);
            let q = fields([("status", json!(status)), ("page_size", json!(PAGE))]);
            let top = fields([("page_number", json!(1))]);
            self.write_chain("/v2/users", q, "users", &rows, PAGE, &top, true)?;
        }
        Ok(())
    }

    fn window_of(&self, day: NaiveDate) -> (NaiveDate, NaiveDate) {
        let start = self.start.unwrap_or(day);
        let k = (day - start).num_days().div_euclid(WINDOW_DAYS);
        let a = start + chrono::Days::new((k * WINDOW_DAYS) as u64);
        let mut b = a + chrono::Days::new(WINDOW_DAYS as u64 - 1);
        if let Some(end) = self.end
            && end > a
        {
            b = b.min(end - chrono::Days::new(1));
        }
        (a, b)
    }

    fn chain_query(win: (NaiveDate, NaiveDate)) -> Map<String, Value> {
        fields([
            ("from", json!(win.0.to_string())),
            ("to", json!(win.1.to_string())),
            ("page_size", json!(PAGE)),
        ])
    }

    /// Append a row to a chained report, writing a full page when the next row arrives.
    fn chain_push(&mut self, which: u8, row: Value) -> Result<()> {
        let day = row["time"]
            .as_str()
            .and_then(|t| NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d").ok())
            .unwrap_or_else(|| self.start.unwrap_or_default());
        let win = self.window_of(day);
        let cur = if which == 0 {
            self.acts.win
        } else {
            self.ops.win
        };
        if cur.is_some_and(|w| w != win) {
            self.chain_end(which)?;
        }
        let c = if which == 0 {
            &mut self.acts
        } else {
            &mut self.ops
        };
        c.win = Some(win);
        if c.rows.len() == PAGE {
            let rows = std::mem::take(&mut c.rows);
            let (path, list, n) = (c.path, c.list, c.page_no);
            c.page_no += 1;
            let base = Self::chain_query(win);
            let next = Self::token(path, &base, n + 1);
            self.chain_page(path, list, win, rows, n, next)?;
        }
        let c = if which == 0 {
            &mut self.acts
        } else {
            &mut self.ops
        };
        c.rows.push(row);
        Ok(())
    }

    fn chain_page(
        &mut self,
        path: &'static str,
        list: &'static str,
        win: (NaiveDate, NaiveDate),
        rows: Vec<Value>,
        n: u64,
        next: String,
    ) -> Result<()> {
        let base = Self::chain_query(win);
        let mut q = base.clone();
        if n > 0 {
            q.insert("next_page_token".into(), json!(Self::token(path, &base, n)));
        }
        let body = json!({
            "from": win.0.to_string(),
            "to": win.1.to_string(),
            "page_size": PAGE,
            "next_page_token": next,
            list: rows,
        });
        self.write_page(path, &q, &body)
    }

    fn chain_end(&mut self, which: u8) -> Result<()> {
        let c = if which == 0 {
            &mut self.acts
        } else {
            &mut self.ops
        };
        let Some(win) = c.win.take() else {
            return Ok(());
        };
        let rows = std::mem::take(&mut c.rows);
        let (path, list, n) = (c.path, c.list, c.page_no);
        c.page_no = 0;
        self.chain_page(path, list, win, rows, n, String::new())
    }

    /// The day's newer-source pages, requested as `sync` does (one day a window here).
    fn newer_pages(&mut self, day: NaiveDate) -> Result<()> {
        let ds = day.to_string();
        let base = |extra: &[(&str, &str)]| {
            let mut q = Map::new();
            q.insert("from".into(), json!(ds));
            q.insert("to".into(), json!(ds));
            for (k, v) in extra {
                q.insert((*k).into(), json!(v));
            }
            q.insert("page_size".into(), json!(PAGE));
            q
        };
        let [history, disc, remote] = std::mem::take(&mut self.day_newer);
        let pages: [NewerPage; 3] = [
            (
                "/v2/report/history_meetings",
                base(&[
                    ("date_type", "start_time"),
                    ("meeting_type", "all"),
                    ("report_type", "all"),
                ]),
                "history_meetings",
                history,
            ),
            (
                "/v2/report/disclaimer",
                base(&[("disclaimer_type", "all")]),
                "disclaimer_records",
                disc,
            ),
            (
                "/v2/report/remote_support",
                base(&[]),
                "remote_support_logs",
                remote,
            ),
        ];
        for (path, q, list, rows) in pages {
            if !rows.is_empty() {
                self.write_chain(path, q, list, &rows, PAGE, &Map::new(), false)?;
            }
        }
        for ((uuid, download), rows) in std::mem::take(&mut self.day_access) {
            let kind = if download { "by_download" } else { "by_view" };
            let top = fields([
                ("from", json!(ds)),
                ("to", json!(ds)),
                ("total_records", json!(rows.len())),
            ]);
            self.write_chain(
                &format!(
                    "/v2/meetings/{}/recordings/analytics_details",
                    encode_uuid(&uuid)
                ),
                base(&[("type", kind)]),
                "analytics_details",
                &rows,
                PAGE,
                &top,
                false,
            )?;
        }
        Ok(())
    }

    fn csv<R, T>(
        &self,
        name: &str,
        header: &[&str],
        rows: impl IntoIterator<Item = R>,
    ) -> Result<()>
    where
        R: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let p = self.dir.join(name);
        let mut w =
            csv::Writer::from_path(&p).with_context(|| format!("cannot write {}", p.display()))?;
        w.write_record(header)?;
        for r in rows {
            w.write_record(r)?;
        }
        w.flush()?;
        Ok(())
    }
}

/// A request's query (or a page's top-level fields) from name → value pairs.
fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

impl Sink for CaptureWriter {
    fn begin(&mut self, start: NaiveDate, end: NaiveDate) -> Result<()> {
        self.start = Some(start);
        self.end = Some(end);
        // Pages are "fetched" just after the window, at fixed steps: no clock involved.
        self.fetched =
            chrono::TimeZone::from_utc_datetime(&chrono::Utc, &end.and_hms_opt(0, 5, 0).unwrap());
        Ok(())
    }
    fn user(&mut self, rec: Value) -> Result<()> {
        let k = match rec["status"].as_str() {
            Some("inactive") => 1,
            Some("pending") => 2,
            _ => 0,
        };
        self.users[k].push(rec);
        Ok(())
    }
    fn activity(&mut self, rec: Value) -> Result<()> {
        self.chain_push(0, rec)
    }
    fn operation(&mut self, rec: Value) -> Result<()> {
        self.chain_push(1, rec)
    }
    fn meeting(&mut self, host_id: &str, rec: Value) -> Result<()> {
        self.day_meetings
            .entry(host_id.to_string())
            .or_default()
            .push(rec);
        Ok(())
    }
    fn participants(&mut self, uuid: &str, report: Vec<Value>, metrics: Vec<Value>) -> Result<()> {
        self.write_users()?;
        let enc = encode_uuid(uuid);
        let mut q = Map::new();
        q.insert("page_size".into(), json!(PAGE));
        q.insert("include_fields".into(), json!("registrant_id"));
        self.write_chain(
            &format!("/v2/report/meetings/{enc}/participants"),
            q.clone(),
            "participants",
            &report,
            PAGE,
            &Map::new(),
            true,
        )?;
        let mut q2 = Map::new();
        q2.insert("type".into(), json!("past"));
        q2.extend(q);
        self.write_chain(
            &format!("/v2/metrics/meetings/{enc}/participants"),
            q2,
            "participants",
            &metrics,
            PAGE,
            &Map::new(),
            true,
        )
    }
    fn recording(&mut self, host_id: &str, rec: Value, trashed: bool) -> Result<()> {
        let m = if trashed {
            &mut self.trash
        } else {
            &mut self.day_recs
        };
        m.entry(host_id.to_string()).or_default().push(rec);
        Ok(())
    }
    fn chat(&mut self, owner_id: &str, channel: &str, msg: Value) -> Result<()> {
        self.day_chat
            .entry((owner_id.to_string(), channel.to_string()))
            .or_default()
            .push(msg);
        Ok(())
    }
    fn webhook(&mut self, event: Value) -> Result<()> {
        let ts = event["event_ts"].as_i64().unwrap_or(0);
        self.day_hooks.push((
            ts,
            self.day_hooks.len() as u64,
            serde_json::to_string(&event)?,
        ));
        Ok(())
    }
    fn newer(&mut self, rec: super::newer::Newer) -> Result<()> {
        use super::newer::Newer;
        match rec {
            Newer::History(v) => self.day_newer[0].push(v),
            Newer::Disclaimer(v) => self.day_newer[1].push(v),
            Newer::RemoteSupport(v) => self.day_newer[2].push(v),
            Newer::Access {
                uuid,
                download,
                row,
            } => self
                .day_access
                .entry((uuid, download))
                .or_default()
                .push(row),
        }
        Ok(())
    }
    fn end_day(&mut self, day: NaiveDate) -> Result<()> {
        self.write_users()?;
        self.newer_pages(day)?;
        let ds = day.to_string();
        let q = Self::chain_query((day, day));
        let top = fields([("from", json!(ds)), ("to", json!(ds))]);
        for (host, rows) in std::mem::take(&mut self.day_meetings) {
            let mut qm = q.clone();
            qm.insert("type".into(), json!("past"));
            self.write_meetings(
                &format!("/v2/report/users/{host}/meetings"),
                qm,
                &rows,
                &top,
            )?;
        }
        let recs = std::mem::take(&mut self.day_recs);
        self.write_recordings(recs, &q, &top)?;
        let from = format!("{ds}T00:00:00Z");
        let to = format!("{}T00:00:00Z", day + chrono::Days::new(1));
        for ((owner, channel), rows) in std::mem::take(&mut self.day_chat) {
            let qc = fields([
                ("to_channel", json!(channel)),
                ("from", json!(from)),
                ("to", json!(to)),
                ("page_size", json!(CHAT_PAGE)),
                ("include_deleted_and_edited_message", json!(true)),
            ]);
            let tc = fields([("from", json!(from)), ("to", json!(to))]);
            self.write_chain(
                &format!("/v2/chat/users/{owner}/messages"),
                qc,
                "messages",
                &rows,
                CHAT_PAGE,
                &tc,
                false,
            )?;
        }
        let mut hooks = std::mem::take(&mut self.day_hooks);
        hooks.sort();
        for (_, _, h) in hooks {
            self.hooks.write_all(h.as_bytes())?;
            self.hooks.write_all(b"\n")?;
        }
        Ok(())
    }
    fn beyond(&mut self, file: &'static str, line: String) -> Result<()> {
        if file == super::beyond::ENTRA {
            self.entra_page.push(line);
            if self.entra_page.len() >= 500 {
                self.flush_entra()?;
            }
            return Ok(());
        }
        let f = self
            .beyond
            .get_mut(file)
            .ok_or_else(|| anyhow::anyhow!("no generated file {file}"))?;
        f.write_all(line.as_bytes())?;
        f.write_all(b"\n")?;
        Ok(())
    }
    fn finish(&mut self, fin: &Finish) -> Result<()> {
        self.flush_entra()?;
        for f in self.beyond.values_mut() {
            f.flush()?;
        }
        self.write_users()?;
        self.chain_end(0)?;
        self.chain_end(1)?;
        let q = fields([
            ("trash", json!(true)),
            ("trash_type", json!("meeting_recordings")),
            ("page_size", json!(PAGE)),
        ]);
        let top = fields([
            ("from", json!(fin.start.to_string())),
            ("to", json!(fin.end.to_string())),
        ]);
        let trash = std::mem::take(&mut self.trash);
        self.write_recordings(trash, &q, &top)?;
        self.cap.flush()?;
        self.hooks.flush()?;
        self.csv(
            "departures.csv",
            &["email", "departed_at"],
            fin.departures.iter().map(|(a, b)| [a, b]),
        )?;
        self.csv(
            "assets.csv",
            &["pc_name", "mac_addr", "owner_email"],
            fin.assets.iter().map(|(a, b, c)| [a, b, c]),
        )?;
        self.csv(
            "vips.csv",
            &["email", "name", "title"],
            fin.vips.iter().map(|(a, b, c)| [a, b, c]),
        )?;
        let mut truth = fin.truth.clone();
        truth.counts.insert("capture_pages".into(), self.pages);
        let p = self.dir.join("truth.json");
        let mut f = BufWriter::new(
            File::create(&p).with_context(|| format!("cannot write {}", p.display()))?,
        );
        serde_json::to_writer_pretty(&mut f, &truth)?;
        f.write_all(b"\n")?;
        f.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_double_encoded_only_when_zoom_requires_it() {
        assert_eq!(
            encode_uuid("/ajXp112QmuoKj4854875=="),
            "%252FajXp112QmuoKj4854875%253D%253D"
        );
        assert_eq!(
            encode_uuid("ab+cd//ef=="),
            "ab%252Bcd%252F%252Fef%253D%253D"
        );
        assert_eq!(
            encode_uuid("4444AAAiAAAAAiAiAiiAii=="),
            "4444AAAiAAAAAiAiAiiAii%3D%3D"
        );
    }
}

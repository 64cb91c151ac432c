//! Outsiders posing as the CFO: a near-copy of the name with a free-mail address, and a
//! guest showing "Name (CFO)"; the near-miss is the real CFO showing their title.

use super::Gen;
use super::build::{It, guest, mins, outsider, sec, secs};
use crate::sim::generator::meetings::Who;
use anyhow::Result;

pub(super) const RULE: &str = "display-name-impersonation";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let cfo = g.org.vip("CFO");
    let (f, l) = (
        g.org.people[cfo].first.clone(),
        g.org.people[cfo].last.clone(),
    );
    let host = g.regular("Finance", 0);
    let mut m = g.meeting("Finance Vendor Payment Review", host, sec(16, 0), 30, &[]);
    // The surname minus its last letter.
    let near = &l[..l.len() - 1];
    let name = format!("{f} {near}");
    let email = format!(
        "{}.{}.finance@proton.me",
        f.to_lowercase(),
        near.to_lowercase()
    );
    let ip = "203.0.113.211";
    let j = m.join(
        outsider(&name, &email, ip, "Lagos (NG)"),
        secs(60),
        mins(26),
    );
    let key = g.held(m)?;
    let note = format!(
        "{name:?} with free-mail {email} while the CFO is {}",
        g.email(cfo)
    );
    g.incident(RULE, It::new(note).user(name).of(key).ip(ip).at(j));
    let ceo = g.org.vip("CEO");
    let mut m = g.meeting("Exec Finance Sync", ceo, sec(17, 30), 30, &[]);
    let j = m.join(Who::In(cfo), secs(45), mins(28));
    m.seat().name = Some(format!("{f} {l} (CFO)"));
    let key = g.held(m)?;
    let note = "the real CFO, signed in with their own account, showing their title";
    g.near_miss(RULE, It::new(note).user(g.email(cfo)).of(key).at(j));
    Ok(())
}

pub(super) fn last(g: &mut Gen) -> Result<()> {
    let cfo = g.org.vip("CFO");
    let n = format!("{} (CFO)", g.org.people[cfo].name());
    let host = g.regular("Finance", 1);
    let insiders = [g.regular("Finance", 2)];
    let mut m = g.meeting("Wire Transfer Approval", host, sec(16, 0), 30, &insiders);
    let ip = "203.0.113.210";
    let j = m.join(guest(&n, ip, "Lagos (NG)"), secs(80), mins(22));
    let key = g.held(m)?;
    let note = format!(
        "guest {n:?} without email while the real CFO is {}",
        g.email(cfo)
    );
    g.incident(RULE, It::new(note).user(n).of(key).ip(ip).at(j));
    Ok(())
}

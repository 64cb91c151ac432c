//! The host of a call with a supplier's buyer downloads a labelled price benchmark twelve
//! minutes after it ends. Near-misses: the same host downloading it fifty minutes after another
//! external call (outside the 30-minute window), and a salesperson downloading the pricing model
//! they work with most days eight minutes after a customer call (routine, not news).

use super::Gen;
use super::build::{It, mins, outsider, sec, secs};
use anyhow::Result;

pub(super) const RULE: &str = "data-access-after-external-meeting";

/// Not a file of anyone's daily work: the background never touches it.
const PLANTED_FILE: &str = "Supplier price benchmarks.xlsx";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    // Its own person: a host another plant also uses would hold the meeting that explains the download.
    let h = g.regular("Support", 9);
    let ip = g.whereabouts(h).0;
    for (k, (at, after, planted)) in [(sec(11, 0), 50, false), (sec(17, 0), 12, true)]
        .into_iter()
        .enumerate()
    {
        let mut m = g.meeting(
            if planted {
                "Supplier negotiation"
            } else {
                "Supplier intro"
            },
            h,
            at,
            40,
            &[],
        );
        m.join(
            outsider(
                "Lee Morgan",
                &format!("lee.morgan{k}@rival-supplies.example"),
                "203.0.113.232",
                "Chicago (US)",
            ),
            secs(90),
            mins(35),
        );
        let end = m.inst.seats[0].sessions[0].1;
        let key = g.held(m)?;
        let t = end + mins(after);
        g.m365(
            h,
            t,
            "FileDownloaded",
            &ip,
            PLANTED_FILE,
            "Confidential",
            None,
        )?;
        let it = It::new(if planted {
            "the host downloads a labelled file 12 minutes after a call with an outsider"
        } else {
            "the host downloads a labelled file 50 minutes after a call with an outsider"
        })
        .user(g.email(h))
        .of(key)
        .at(t);
        if planted {
            g.incident(RULE, it);
        } else {
            g.near_miss(RULE, it);
        }
    }
    routine(g)
}

/// A salesperson who opens the pricing model on most working days (a morning look on the days
/// around this one) downloads it after a customer call.
fn routine(g: &mut Gen) -> Result<()> {
    let s = g.regular("Sales", 9);
    let ip = g.whereabouts(s).0;
    let today = g.day as i64;
    for d in (today - 5..=today + 5).filter(|&d| d != today && d >= 0) {
        if d >= g.cfg.days as i64 {
            break;
        }
        let t = g.at_day(d as u32, sec(9, 20) + d * 60);
        g.m365(
            s,
            t,
            "FileAccessed",
            &ip,
            "Pricing model.xlsx",
            "Confidential",
            None,
        )?;
    }
    let mut m = g.meeting("Renewal call - Northwind", s, sec(15, 0), 30, &[]);
    m.join(
        outsider(
            "Dana Whitfield",
            "dana.whitfield@northwind.example",
            "203.0.113.234",
            "Denver (US)",
        ),
        secs(60),
        mins(28),
    );
    let end = m.inst.seats[0].sessions[0].1;
    let key = g.held(m)?;
    let t = end + mins(8);
    g.m365(
        s,
        t,
        "FileDownloaded",
        &ip,
        "Pricing model.xlsx",
        "Confidential",
        None,
    )?;
    let it = It::new(
        "a salesperson downloads the pricing model they open most days 8 minutes after a customer call",
    )
    .user(g.email(s))
    .of(key)
    .at(t);
    g.near_miss(RULE, it);
    Ok(())
}

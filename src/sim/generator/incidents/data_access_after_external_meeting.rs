//! The host of a call with a supplier's buyer downloads the labelled pricing model twelve
//! minutes after it ends; the near-miss is the same host downloading it fifty minutes after
//! another external call (outside the 30-minute window).

use super::Gen;
use super::build::{It, mins, outsider, sec, secs};
use anyhow::Result;

pub(super) const RULE: &str = "data-access-after-external-meeting";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let h = g.regular_at(0, 14);
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
            "Pricing model.xlsx",
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
    Ok(())
}

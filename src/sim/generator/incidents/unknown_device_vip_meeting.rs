//! An unregistered PC in a meeting with the CEO and CFO; the near-miss is the same person
//! on their registered device.

use super::Gen;
use super::build::{It, mins, sec, secs};
use crate::sim::generator::meetings::Who;
use crate::sim::generator::org::Device;
use anyhow::Result;

pub(super) const RULE: &str = "unknown-device-vip-meeting";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let ceo = g.org.vip("CEO");
    let cfo = g.org.vip("CFO");
    let sd = g.org.persona("stranger_dev");
    let mut m = g.meeting("Exec Briefing", ceo, sec(11, 0), 30, &[cfo]);
    let j = m.join(Who::In(sd), secs(100), mins(26));
    m.seat().device = Some(Device {
        pc_name: "DESKTOP-Q7M2K9X".into(),
        mac: "3c22-fb11-09aa".into(),
        os: "Windows",
        os_version: "10",
        client_type: "Windows",
        version: "6.2.5.52345".into(),
        internal_ip: String::new(),
    });
    let key = g.held(m)?;
    let note = "DESKTOP-Q7M2K9X is not in the asset inventory and never seen for this user; CEO and CFO present";
    g.incident(RULE, It::new(note).user(g.email(sd)).of(key).at(j));
    let mut m = g.meeting("Exec Briefing (follow-up)", ceo, sec(12, 0), 20, &[cfo]);
    let j = m.join(Who::In(sd), secs(60), mins(18));
    let device = g.org.people[sd].devices[0].clone();
    let note = format!("registered device {}", device.pc_name);
    m.seat().device = Some(device);
    let key = g.held(m)?;
    g.near_miss(RULE, It::new(note).user(g.email(sd)).of(key).at(j));
    Ok(())
}

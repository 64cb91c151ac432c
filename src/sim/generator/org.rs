//! The organisation: people, roles, departments, teams, devices, IPs, offices, time zones,
//! and the pool of outsiders (partners, free-mail users, guests) who join its meetings.

use super::ids;
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

pub const DOMAIN: &str = "acme-corp.example";
/// Alias domain of the same account (a subsidiary's addresses).
pub const ALIAS_DOMAIN: &str = "acme.example";
pub const ACCOUNT_ID: &str = "AcmeCorpSimAcct0000001";
pub const CUSTOM_ROLE: &str = "Security Admin";
pub const CUSTOM_ROLE_ID: &str = "r8Hq2SecAdm0nQ";
/// Current client version; every background device runs it or the previous release.
pub const CURRENT_VERSIONS: &[&str] = &["6.2.5.52345", "6.2.3.51233", "6.1.11.50212"];

const FIRST: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "Mateo",
    "Isabella",
    "Lucas",
    "Mia",
    "Levi",
    "Amelia",
    "Ezra",
    "Harper",
    "Asher",
    "Evelyn",
    "Leo",
    "Abigail",
    "James",
    "Emily",
    "Luca",
    "Ella",
    "Hudson",
    "Elizabeth",
    "Ethan",
    "Camila",
    "Aiden",
    "Luna",
    "Kai",
    "Sofia",
    "Grayson",
    "Avery",
    "Jack",
    "Mila",
    "Owen",
    "Aria",
    "Wyatt",
    "Scarlett",
    "Henry",
    "Penelope",
    "Daniel",
    "Layla",
    "Sebastian",
    "Chloe",
    "Maya",
    "Priya",
    "Arjun",
    "Mei",
    "Hiroshi",
    "Fatima",
    "Omar",
    "Ingrid",
    "Lars",
    "Chiara",
    "Marco",
    "Aisha",
    "Kwame",
    "Ana",
    "Diego",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Nair",
    "Tanaka",
    "Okafor",
    "Larsen",
    "Rossi",
    "Schmidt",
    "Kowalczyk",
    "Haddad",
    "Mensah",
    "Novak",
];
/// Outsiders' names come from other lists so that no background outsider is a near-twin
/// of an employee (that is what the impersonation incident is for).
pub(super) const EXT_FIRST: &[&str] = &[
    "Bartholomew",
    "Cordelia",
    "Thaddeus",
    "Philippa",
    "Ignatius",
    "Rosalind",
    "Cornelius",
    "Winifred",
    "Leopold",
    "Octavia",
    "Barnaby",
    "Imogen",
    "Percival",
    "Beatrix",
    "Rufus",
    "Clementine",
    "Alistair",
    "Marguerite",
    "Desmond",
    "Esmeralda",
    "Fitzgerald",
    "Henrietta",
];
pub(super) const EXT_LAST: &[&str] = &[
    "Abernathy",
    "Blackwood",
    "Castellanos",
    "Drummond",
    "Ellsworth",
    "Fairweather",
    "Grimaldi",
    "Hargreaves",
    "Isherwood",
    "Jablonski",
    "Kavanagh",
    "Lindqvist",
    "Montgomery",
    "Northcott",
    "Oyelaran",
    "Pemberton",
    "Quintero",
    "Rasmussen",
    "Strickland",
    "Thorncastle",
];
pub const PARTNERS: &[(&str, &str)] = &[
    ("Globex", "globex.example"),
    ("Initech", "initech.example"),
    ("Umbrella Health", "umbrella-health.example"),
    ("Stark Industries", "stark.example"),
    ("Wayne Logistics", "wayne-logistics.example"),
    ("Hooli", "hooli.example"),
];
pub const FREEMAIL: &[&str] = &["gmail.com", "outlook.com", "yahoo.com", "proton.me"];

/// Offices: name, Zoom location string, egress (NAT) IP, time zone, UTC offset in hours.
pub const SITES: &[(&str, &str, &str, &str, i64)] = &[
    (
        "NYC",
        "New York (US)",
        "198.51.100.10",
        "America/New_York",
        -5,
    ),
    ("LON", "London (GB)", "198.51.100.20", "Europe/London", 0),
    (
        "SGP",
        "Singapore (SG)",
        "198.51.100.30",
        "Asia/Singapore",
        8,
    ),
];
const HOME_CITY: &[&[&str]] = &[
    &[
        "Brooklyn (US)",
        "Jersey City (US)",
        "Hoboken (US)",
        "Stamford (US)",
    ],
    &[
        "Reading (GB)",
        "Croydon (GB)",
        "Brighton (GB)",
        "Watford (GB)",
    ],
    &["Singapore (SG)", "Johor Bahru (MY)"],
];

pub const DEPTS: &[&str] = &[
    "Engineering",
    "Engineering",
    "Engineering",
    "Sales",
    "Sales-EMEA",
    "Support",
    "Marketing",
    "Finance",
    "HR",
    "Legal",
    "IT",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Admin,
    Custom,
    Member,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Owner => "0",
            Role::Admin => "1",
            Role::Member => "2",
            Role::Custom => CUSTOM_ROLE_ID,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Member => "Member",
            Role::Custom => CUSTOM_ROLE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Inactive,
    Pending,
}

#[derive(Debug, Clone)]
pub struct Device {
    pub pc_name: String,
    pub mac: String,
    /// Dashboard `device` / `os` (Mac, Windows, iOS).
    pub os: &'static str,
    pub os_version: &'static str,
    /// Sign-in report `client_type`.
    pub client_type: &'static str,
    pub version: String,
    pub internal_ip: String,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub idx: usize,
    pub id: String,
    pub first: String,
    pub last: String,
    pub email: String,
    pub dept: &'static str,
    pub title: String,
    pub role: Role,
    pub vip: bool,
    pub site: usize,
    pub home_ip: String,
    pub home_loc: String,
    pub devices: Vec<Device>,
    pub pmi: i64,
    pub status: Status,
    /// 1 Basic, 2 Licensed.
    pub user_type: i64,
    pub created_at: String,
    pub team: usize,
    pub oncall: bool,
    /// Takes part in background activity (planted personas do not).
    pub background: bool,
    /// Background activity stops at this instant (departures).
    pub active_until: Option<chrono::DateTime<chrono::Utc>>,
    /// Network and meeting habits (see `background.rs`).
    pub habits: super::background::Habits,
}

impl Person {
    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
    pub fn tz(&self) -> &'static str {
        SITES[self.site].3
    }
    pub fn tz_off(&self) -> i64 {
        SITES[self.site].4
    }
    pub fn office_ip(&self) -> &'static str {
        SITES[self.site].2
    }
    pub fn office_loc(&self) -> &'static str {
        SITES[self.site].1
    }
}

#[derive(Debug, Clone)]
pub struct Team {
    pub name: String,
    pub dept: &'static str,
    pub lead: usize,
    pub members: Vec<usize>,
    pub site: usize,
    pub channel: String,
}

/// Someone outside the account: a partner employee (email on a partner domain, often hidden
/// in reports), a free-mail user, or a guest with no email at all.
#[derive(Debug, Clone)]
pub struct Outsider {
    pub name: String,
    pub email: String,
    /// Whether the reports show the email (Zoom hides most outsiders' emails).
    pub email_visible: bool,
    pub guest: bool,
    pub ip: String,
    pub location: &'static str,
    pub company: &'static str,
}

pub struct Org {
    pub people: Vec<Person>,
    pub teams: Vec<Team>,
    pub owner: usize,
    pub admins: Vec<usize>,
    /// (title, person) for CEO, CFO, CTO, COO, General Counsel.
    pub vips: Vec<(&'static str, usize)>,
    pub outsiders: Vec<Outsider>,
    /// Persons reserved for planted incidents by role name.
    pub personas: Vec<(&'static str, usize)>,
}

const EXT_LOCS: &[&str] = &[
    "Chicago (US)",
    "Toronto (CA)",
    "Paris (FR)",
    "Berlin (DE)",
    "Madrid (ES)",
    "Sydney (AU)",
    "Tokyo (JP)",
    "Dublin (IE)",
    "Austin (US)",
    "Amsterdam (NL)",
];

/// Home IPs: the 192.0.2.0/24 documentation range first, then 2001:db8::/32 (IPv6) so that
/// no two people share a home address however large the tenant.
fn home_ip(i: usize) -> String {
    if i < 250 {
        format!("192.0.2.{}", i + 2)
    } else {
        format!("2001:db8:{:x}:{:x}::1", 0x100 + i / 60000, i % 60000)
    }
}

/// Outsiders: 203.0.113.1-.199 first (.200 and up are kept for planted incidents), then IPv6,
/// one /64 each.
fn outsider_ip(i: usize) -> String {
    if i < 199 {
        format!("203.0.113.{}", i + 1)
    } else {
        // Each outsider's home or office network is its own /64.
        format!("2001:db8:{:x}:{:x}::1", 0xe000 + i / 65536, i % 65536)
    }
}

pub const VIP_TITLES: &[&str] = &["CEO", "CFO", "CTO", "COO", "General Counsel"];
/// Personas reserved for planted incidents (outside background activity where noted).
pub const PERSONAS: &[&str] = &[
    "observer",     // silent-presence: many meetings, never shares (no background)
    "quiet",        // near-miss: 15 meetings, never shares (no background)
    "latecomer",    // near-miss of signin-new-ip: first sign-ins only (no background)
    "departed",     // join-after-departure
    "departed_ok",  // near-miss: departed, no later joins
    "outdated",     // outdated-client
    "oldish",       // near-miss: older but supported client
    "traveller",    // signin-new-ip
    "hijacked",     // parallel-session
    "promoted",     // privileged-role-granted (custom role)
    "promoted2",    // privileged-role-granted (no email in detail)
    "demoted",      // near-miss: demotion (starts as Admin)
    "new_admin",    // new-admin-activity
    "slow_admin",   // near-miss: granted, acts 30 h later
    "snoop",        // recording-download-by-non-participant
    "licensed",     // billing-or-license-changed (license change)
    "contractor",   // near-miss of user-created (job title update)
    "stranger_dev", // unknown-device-vip-meeting
];

impl Org {
    pub fn build(rng: &mut ChaCha8Rng, n_users: usize, start: chrono::NaiveDate) -> Org {
        let mut people: Vec<Person> = Vec::with_capacity(n_users);
        let mut used_emails = std::collections::BTreeSet::new();
        for i in 0..n_users {
            let first = FIRST.choose(rng).unwrap().to_string();
            let last = LAST.choose(rng).unwrap().to_string();
            let domain = if i >= 10 && rng.random_bool(0.08) {
                ALIAS_DOMAIN
            } else {
                DOMAIN
            };
            let base = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
            let mut email = format!("{base}@{domain}");
            let mut k = 2;
            while !used_emails.insert(email.clone()) {
                email = format!("{base}{k}@{domain}");
                k += 1;
            }
            let site = match rng.random_range(0..100) {
                0..45 => 0,
                45..80 => 1,
                _ => 2,
            };
            let dept = DEPTS[rng.random_range(0..DEPTS.len())];
            let n_dev = if rng.random_bool(0.4) { 2 } else { 1 };
            let devices = (0..n_dev)
                .map(|d| device(rng, &first, &last, d, i))
                .collect();
            let created = start - chrono::Days::new(rng.random_range(40..2400));
            people.push(Person {
                idx: i,
                id: ids::user_id(rng, i as u64),
                first,
                last,
                email,
                dept,
                title: title_for(dept, rng),
                role: Role::Member,
                vip: false,
                site,
                home_ip: home_ip(i),
                home_loc: HOME_CITY[site].choose(rng).unwrap().to_string(),
                devices,
                pmi: ids::pmi(i as u64),
                status: Status::Active,
                user_type: if rng.random_bool(0.85) { 2 } else { 1 },
                created_at: format!(
                    "{}T{:02}:{:02}:00Z",
                    created,
                    rng.random_range(8..18),
                    rng.random_range(0..60)
                ),
                team: 0,
                oncall: false,
                background: true,
                active_until: None,
                habits: Default::default(),
            });
        }
        // Leadership: the first people are the executives, then the admins.
        let vips: Vec<(&'static str, usize)> = VIP_TITLES
            .iter()
            .enumerate()
            .map(|(i, t)| (*t, i))
            .collect();
        for (t, i) in &vips {
            let p = &mut people[*i];
            p.vip = true;
            p.title = t.to_string();
            p.dept = match *t {
                "CFO" => "Finance",
                "CTO" => "Engineering",
                "General Counsel" => "Legal",
                _ => "Executive",
            };
            p.email = format!(
                "{}.{}@{}",
                p.first.to_lowercase(),
                p.last.to_lowercase(),
                DOMAIN
            );
            p.user_type = 2;
            p.site = 0;
            p.home_loc = HOME_CITY[0][*i % HOME_CITY[0].len()].to_string();
        }
        let owner = 0;
        people[owner].role = Role::Owner;
        let admins = vec![5, 6];
        for &a in &admins {
            people[a].role = Role::Admin;
            people[a].dept = "IT";
            people[a].title = "IT Administrator".into();
        }
        people[7].role = Role::Custom;
        people[7].dept = "IT";
        people[7].title = "Security Engineer".into();
        // Personas follow.
        let personas: Vec<(&'static str, usize)> = PERSONAS
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, 8 + i))
            .collect();
        for (name, i) in &personas {
            let p = &mut people[*i];
            match *name {
                "observer" | "quiet" | "latecomer" => p.background = false,
                "demoted" => p.role = Role::Admin,
                "hijacked" | "traveller" => {
                    p.site = 0;
                    p.home_loc = HOME_CITY[0][0].to_string();
                }
                "outdated" => {
                    for d in &mut p.devices {
                        d.version = "5.11.3.3882".into();
                    }
                }
                "oldish" => {
                    for d in &mut p.devices {
                        d.version = "6.0.11.39959".into();
                    }
                }
                "stranger_dev" => p.dept = "Finance",
                _ => {}
            }
        }
        // Teams of 5-9 within a department and site.
        let mut teams: Vec<Team> = Vec::new();
        let mut order: Vec<usize> = (0..n_users).collect();
        order.sort_by_key(|&i| (people[i].dept, people[i].site, i));
        let mut cur: Vec<usize> = Vec::new();
        let flush = |cur: &mut Vec<usize>, teams: &mut Vec<Team>, people: &mut Vec<Person>| {
            if cur.is_empty() {
                return;
            }
            let ti = teams.len();
            let lead = cur[0];
            let dept = people[lead].dept;
            for &m in cur.iter() {
                people[m].team = ti;
            }
            teams.push(Team {
                name: format!("{} {}", dept, TEAM_SUFFIX[ti % TEAM_SUFFIX.len()]),
                dept,
                lead,
                members: std::mem::take(cur),
                site: people[lead].site,
                channel: format!("ch{:06}", ti),
            });
        };
        let mut size = rng.random_range(5..10);
        for &i in &order {
            if !people[i].background {
                continue;
            }
            if let Some(&l) = cur.first()
                && (people[l].dept != people[i].dept
                    || people[l].site != people[i].site
                    || cur.len() >= size)
            {
                flush(&mut cur, &mut teams, &mut people);
                size = rng.random_range(5..10);
            }
            cur.push(i);
        }
        flush(&mut cur, &mut teams, &mut people);
        // On-call rotation: the first Engineering team (or any team) at each site.
        for s in 0..SITES.len() {
            if let Some(t) = teams
                .iter()
                .find(|t| t.site == s && t.dept == "Engineering")
            {
                for &m in &t.members {
                    people[m].oncall = true;
                }
            }
        }
        if !people.iter().any(|p| p.oncall)
            && let Some(t) = teams.first()
        {
            for &m in &t.members.clone() {
                people[m].oncall = true;
            }
        }
        // A handful of invited-but-pending users (no id in the directory).
        let n_pending = (n_users / 100).max(1);
        for k in 0..n_pending {
            let i = n_users - 1 - k;
            if people[i].background && !people[i].oncall && people[i].idx > 40 {
                people[i].status = Status::Pending;
                people[i].background = false;
            }
        }
        let n_out = (n_users / 2).max(60);
        let outsiders = (0..n_out)
            .map(|i| {
                let first = EXT_FIRST.choose(rng).unwrap();
                let last = EXT_LAST.choose(rng).unwrap();
                let guest = i % 5 == 4;
                let (company, dom) = if i % 3 == 2 {
                    ("", *FREEMAIL.choose(rng).unwrap())
                } else {
                    *PARTNERS.choose(rng).unwrap()
                };
                let name = if guest && i % 10 == 9 {
                    format!("{first}'s iPhone")
                } else {
                    format!("{first} {last}")
                };
                Outsider {
                    email: if guest {
                        String::new()
                    } else {
                        format!(
                            "{}.{}{}@{}",
                            first.to_lowercase(),
                            last.to_lowercase(),
                            i,
                            dom
                        )
                    },
                    email_visible: !guest && rng.random_bool(0.3),
                    guest,
                    ip: outsider_ip(i),
                    location: EXT_LOCS.choose(rng).unwrap(),
                    company,
                    name,
                }
            })
            .collect();
        Org {
            people,
            teams,
            owner,
            admins,
            vips,
            outsiders,
            personas,
        }
    }

    pub fn persona(&self, name: &str) -> usize {
        self.personas
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, i)| *i)
            .expect("persona")
    }

    pub fn vip(&self, title: &str) -> usize {
        self.vips
            .iter()
            .find(|(t, _)| *t == title)
            .map(|(_, i)| *i)
            .expect("vip")
    }
}

const TEAM_SUFFIX: &[&str] = &[
    "Platform", "Core", "Atlas", "Orion", "Nova", "Pulse", "Delta", "Apex", "Summit", "Harbor",
];

fn title_for(dept: &str, rng: &mut ChaCha8Rng) -> String {
    let t: &[&str] = match dept {
        "Engineering" => &[
            "Software Engineer",
            "Senior Engineer",
            "Staff Engineer",
            "Engineering Manager",
        ],
        "Sales" | "Sales-EMEA" => &["Account Executive", "Sales Engineer", "Sales Manager"],
        "Support" => &["Support Engineer", "Support Lead"],
        "Marketing" => &["Marketing Manager", "Content Strategist"],
        "Finance" => &["Financial Analyst", "Controller", "Accountant"],
        "HR" => &["HR Business Partner", "Recruiter"],
        "Legal" => &["Counsel", "Paralegal"],
        _ => &["IT Specialist", "Systems Administrator"],
    };
    t.choose(rng).unwrap().to_string()
}

fn device(rng: &mut ChaCha8Rng, first: &str, last: &str, d: usize, i: usize) -> Device {
    let kind = if d == 1 { 2 } else { rng.random_range(0..2) };
    let version = CURRENT_VERSIONS.choose(rng).unwrap().to_string();
    let internal_ip = format!(
        "10.{}.{}.{}",
        20 + (i / 65000) % 200,
        (i / 250) % 250,
        i % 250 + 2
    );
    match kind {
        0 => Device {
            pc_name: format!("{}s-MacBook-Pro", first),
            mac: ids::mac(rng),
            os: "Mac",
            os_version: "14.5",
            client_type: "Mac",
            version,
            internal_ip,
        },
        1 => Device {
            pc_name: format!(
                "ACME-{}{}-{:04}",
                &first[..1],
                &last[..last.len().min(5)],
                i % 10000
            )
            .to_uppercase(),
            mac: ids::mac(rng),
            os: "Windows",
            os_version: "11",
            client_type: "Windows",
            version,
            internal_ip,
        },
        _ => Device {
            pc_name: format!("{}'s iPhone", first),
            mac: String::new(),
            os: "iOS",
            os_version: "17.5",
            client_type: "iOS",
            version,
            internal_ip: String::new(),
        },
    }
}

//! Records from outside Zoom: identity-provider events and file/data access.

/// One identity-provider event: a sign-in attempt or an admin action (Okta System Log, Entra
/// ID sign-in logs, Google Workspace login audit).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdpEvent {
    /// okta | entra | google
    pub source: String,
    /// The provider's id for the event (unique per source): re-imports add nothing.
    pub event_id: String,
    pub time: String,
    /// The person as the provider names them (email, UPN or login).
    pub user: String,
    pub ip: String,
    pub action: String,
    /// success | failure | the provider's word.
    pub outcome: String,
    pub is_signin: bool,
    pub is_admin_action: bool,
    pub app: Option<String>,
    pub target: Option<String>,
    pub client: Option<String>,
    pub session_id: Option<String>,
    /// The provider's own geolocation of the IP, "City (CC)".
    pub location: Option<String>,
    /// The provider's own ISO country code for the IP.
    pub country: Option<String>,
}

/// What was done to a file or data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    Access,
    Download,
    Share,
    Sync,
}

impl AccessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKind::Access => "access",
            AccessKind::Download => "download",
            AccessKind::Share => "share",
            AccessKind::Sync => "sync",
        }
    }
    /// The generic CSV's and the vendors' words for each kind.
    pub fn parse(s: &str) -> Option<AccessKind> {
        let t: String = s
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match t.as_str() {
            "access"
            | "accessed"
            | "view"
            | "viewed"
            | "read"
            | "open"
            | "opened"
            | "fileaccessed"
            | "fileaccessedextended"
            | "filepreviewed"
            | "preview" => AccessKind::Access,
            "download" | "downloaded" | "filedownloaded" | "export" | "exported" | "print"
            | "copy" => AccessKind::Download,
            "share"
            | "shared"
            | "sharingset"
            | "sharinginvitationcreated"
            | "anonymouslinkcreated"
            | "companylinkcreated"
            | "securelinkcreated"
            | "addedtosecurelink"
            | "changeuseraccess"
            | "changeacl"
            | "changedocumentvisibility" => AccessKind::Share,
            "sync" | "synced" | "filesyncdownloadedfull" | "filesyncdownloadedpartial" => {
                AccessKind::Sync
            }
            _ => return None,
        })
    }
}

/// One file or data access (Google Drive audit, Microsoft 365 unified audit log, DLP/CASB CSV).
#[derive(Debug, Clone, PartialEq)]
pub struct DataAccess {
    /// google-drive | m365 | csv:<the row's source column>
    pub source: String,
    pub event_id: String,
    pub time: String,
    pub user: String,
    pub action: AccessKind,
    /// The source's own word (FileDownloaded, download, SharingSet...).
    pub vendor_action: String,
    pub resource: String,
    pub sensitivity: String,
    pub ip: String,
    pub shared_with: Option<String>,
}

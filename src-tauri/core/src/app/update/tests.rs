use super::*;

/// A team folder with `kizuna.db` and, when asked, the agreed folder with an
/// installer for `platform` at `version` and its manifest.
struct Team {
    dir: tempfile::TempDir,
}

const INSTALLER: &[u8] = b"MZ... a stand-in for Kizuna's setup, with some bytes to hash ...";

impl Team {
    fn new() -> Team {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("営業 部")).unwrap();
        Team { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("営業 部").join("kizuna.db")
    }

    fn folder(&self) -> PathBuf {
        folder_of(&self.db())
    }

    fn publish(&self, version: &str, platform: &str, file: &str) {
        std::fs::create_dir_all(self.folder()).unwrap();
        std::fs::write(self.folder().join(file), INSTALLER).unwrap();
        let sha: String = Sha256::digest(INSTALLER).iter().map(|b| format!("{b:02x}")).collect();
        self.write_manifest(&Manifest {
            product: crate::platform::APP_ID.into(),
            version: version.into(),
            schema: crate::store::schema::CURRENT + 1,
            installers: vec![Installer {
                platform: platform.into(),
                file: file.into(),
                size: INSTALLER.len() as u64,
                sha256: sha,
            }],
        });
    }

    fn write_manifest(&self, m: &Manifest) {
        std::fs::write(self.folder().join(MANIFEST), serde_json::to_vec_pretty(m).unwrap()).unwrap();
    }
}

const HERE: &str = "windows-x86_64";

#[test]
fn the_folder_is_beside_the_team_file() {
    let team = Team::new();
    assert_eq!(team.folder(), team.dir.path().join("営業 部").join("Kizuna-updates"));
    assert_eq!(look(&team.db()).folder, team.folder().display().to_string());
}

#[test]
fn nothing_in_the_folder_offers_nothing_and_is_no_problem() {
    let team = Team::new();
    let check = look_as(&team.db(), "0.1.0", HERE);
    assert_eq!((check.offer, check.problem), (None, None));
    std::fs::create_dir_all(team.folder()).unwrap();
    let check = look_as(&team.db(), "0.1.0", HERE);
    assert_eq!((check.offer, check.problem), (None, None));
}

#[test]
fn an_older_build_is_offered_the_newer_one_and_the_newer_build_nothing() {
    let team = Team::new();
    team.publish("0.2.0", HERE, "Kizuna-0.2.0-x64-setup.exe");
    let older = look_as(&team.db(), "0.1.0", HERE);
    assert_eq!(older.running, "0.1.0");
    let offer = older.offer.expect("offered to 0.1.0");
    assert_eq!(offer.version, "0.2.0");
    assert_eq!(offer.file, "Kizuna-0.2.0-x64-setup.exe");
    assert_eq!(offer.size, INSTALLER.len() as u64);
    assert_eq!(offer.schema, crate::store::schema::CURRENT + 1);
    for same_or_newer in ["0.2.0", "0.2.1", "1.0.0"] {
        let check = look_as(&team.db(), same_or_newer, HERE);
        assert_eq!((check.offer, check.problem), (None, None), "{same_or_newer}");
    }
    // Versions compare as numbers, not text; a pre-release is older.
    team.publish("0.10.0", HERE, "Kizuna-0.10.0-x64-setup.exe");
    assert!(look_as(&team.db(), "0.9.0", HERE).offer.is_some());
    assert!(look_as(&team.db(), "0.10.0-beta.1", HERE).offer.is_some());
}

#[test]
fn another_systems_installer_is_not_offered_and_says_why() {
    let team = Team::new();
    team.publish("0.2.0", "linux-x86_64", "kizuna_0.2.0_amd64.deb");
    let check = look_as(&team.db(), "0.1.0", HERE);
    assert_eq!(check.offer, None);
    assert_eq!(check.problem, Some(UpdateProblem::NoInstallerForThisComputer));
    assert!(look_as(&team.db(), "0.1.0", "linux-x86_64").offer.is_some());
}

#[test]
fn a_broken_manifest_a_foreign_one_or_a_missing_installer_is_a_problem() {
    let team = Team::new();
    team.publish("0.2.0", HERE, "setup.exe");
    std::fs::remove_file(team.folder().join("setup.exe")).unwrap();
    assert_eq!(
        look_as(&team.db(), "0.1.0", HERE).problem,
        Some(UpdateProblem::InstallerMissing)
    );
    std::fs::write(team.folder().join(MANIFEST), b"{ not json").unwrap();
    assert_eq!(
        look_as(&team.db(), "0.1.0", HERE).problem,
        Some(UpdateProblem::Manifest)
    );
    team.publish("0.2.0", HERE, "setup.exe");
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(team.folder().join(MANIFEST)).unwrap()).unwrap();
    m.product = "com.example.other".into();
    team.write_manifest(&m);
    assert_eq!(
        look_as(&team.db(), "0.1.0", HERE).problem,
        Some(UpdateProblem::Manifest)
    );
    m.product = crate::platform::APP_ID.into();
    m.version = "next".into();
    team.write_manifest(&m);
    assert_eq!(
        look_as(&team.db(), "0.1.0", HERE).problem,
        Some(UpdateProblem::Manifest)
    );
}

#[test]
fn an_installer_named_outside_the_folder_is_never_offered_or_copied() {
    let team = Team::new();
    team.publish("0.2.0", HERE, "setup.exe");
    let outside = team.dir.path().join("営業 部").join("evil.exe");
    std::fs::write(&outside, INSTALLER).unwrap();
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(team.folder().join(MANIFEST)).unwrap()).unwrap();
    for name in ["../evil.exe", "..\\evil.exe", "C:evil.exe", ".."] {
        m.installers[0].file = name.into();
        team.write_manifest(&m);
        assert_eq!(look_as(&team.db(), "0.1.0", HERE).offer, None, "{name}");
        let into = tempfile::tempdir().unwrap();
        let e = verify_as(&team.db(), "0.2.0", into.path(), "0.1.0", HERE).unwrap_err();
        assert_eq!(e.payload().reason.as_deref(), Some("manifest"), "{name}");
    }
}

#[test]
fn the_offered_installer_is_copied_here_and_checked_before_it_can_run() {
    let team = Team::new();
    team.publish("0.2.0", HERE, "Kizuna-0.2.0-x64-setup.exe");
    let into = tempfile::tempdir().unwrap();
    let ok = verify_as(&team.db(), "0.2.0", into.path(), "0.1.0", HERE).unwrap();
    assert_eq!(ok.path, into.path().join("Kizuna-0.2.0-x64-setup.exe"));
    assert_eq!(ok.version, "0.2.0");
    assert!(!ok.signed);
    assert_eq!(std::fs::read(&ok.path).unwrap(), INSTALLER);
}

fn refusal(team: &Team, version: &str, running: &str) -> String {
    let into = tempfile::tempdir().unwrap();
    let e = verify_as(&team.db(), version, into.path(), running, HERE).unwrap_err();
    assert_eq!(e.code(), crate::ErrorCode::Invalid, "{e}");
    assert_eq!(e.payload().field.as_deref(), Some("installer"));
    let left: Vec<_> = std::fs::read_dir(into.path()).unwrap().collect();
    assert!(left.is_empty(), "a refused copy is deleted: {left:?}");
    e.payload().reason.unwrap()
}

#[test]
fn a_tampered_or_damaged_installer_is_refused_and_its_copy_deleted() {
    let team = Team::new();
    team.publish("0.2.0", HERE, "setup.exe");
    let file = team.folder().join("setup.exe");
    // One byte changed, same size: the checksum.
    let mut bytes = INSTALLER.to_vec();
    bytes[10] ^= 0x20;
    std::fs::write(&file, &bytes).unwrap();
    assert_eq!(refusal(&team, "0.2.0", "0.1.0"), "checksum");
    // Cut short while being copied to the share: the size.
    std::fs::write(&file, &INSTALLER[..20]).unwrap();
    assert_eq!(refusal(&team, "0.2.0", "0.1.0"), "size");
    std::fs::write(&file, [INSTALLER, b"more"].concat()).unwrap();
    assert_eq!(refusal(&team, "0.2.0", "0.1.0"), "size");
    std::fs::remove_file(&file).unwrap();
    assert_eq!(refusal(&team, "0.2.0", "0.1.0"), "changed");
}

#[test]
fn only_a_newer_version_still_offered_is_installed() {
    let team = Team::new();
    team.publish("0.2.0", HERE, "setup.exe");
    assert_eq!(refusal(&team, "0.2.0", "0.2.0"), "not_newer");
    assert_eq!(refusal(&team, "0.2.0", "0.3.0"), "not_newer");
    // The admin replaced 0.2.0 with 0.2.1 after the offer was shown.
    assert_eq!(refusal(&team, "0.1.9", "0.1.0"), "changed");
    assert_eq!(
        verify_as(
            &team.db(),
            "0.2.0",
            tempfile::tempdir().unwrap().path(),
            "0.1.0",
            "linux-x86_64"
        )
        .unwrap_err()
        .payload()
        .reason
        .as_deref(),
        Some("no_installer")
    );
}

/// The bytes of a PE32+ header with a security directory of `size` bytes.
fn pe_header(size: u32) -> Vec<u8> {
    let mut b = vec![0u8; 1024];
    b[..2].copy_from_slice(b"MZ");
    b[0x3C..0x40].copy_from_slice(&0x80u32.to_le_bytes());
    b[0x80..0x84].copy_from_slice(b"PE\0\0");
    let optional = 0x80 + 24;
    b[optional..optional + 2].copy_from_slice(&0x20bu16.to_le_bytes());
    let entry = optional + 112 + 4 * 8;
    b[entry..entry + 4].copy_from_slice(&0x2000u32.to_le_bytes());
    b[entry + 4..entry + 8].copy_from_slice(&size.to_le_bytes());
    b
}

#[test]
fn a_signed_windows_executable_is_told_from_an_unsigned_one() {
    assert_eq!(security_directory_size(&pe_header(0)), Some(0));
    assert_eq!(security_directory_size(&pe_header(0x1F00)), Some(0x1F00));
    assert_eq!(security_directory_size(b"PK\x03\x04 a zip, a .deb, a .pkg"), None);
    assert_eq!(security_directory_size(&pe_header(5)[..200]), None, "cut short");
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signed.exe");
    std::fs::write(&signed, pe_header(0x1F00)).unwrap();
    assert!(carries_authenticode_signature(&signed).unwrap());
    let deb = dir.path().join("kizuna.deb");
    std::fs::write(&deb, b"!<arch>\ndebian-binary").unwrap();
    assert!(!carries_authenticode_signature(&deb).unwrap());
}

#[test]
fn the_manifest_dist_writes_is_the_one_an_older_build_accepts() {
    let team = Team::new();
    std::fs::create_dir_all(team.folder()).unwrap();
    std::fs::write(team.folder().join("Kizuna-0.3.0-x64-setup.exe"), INSTALLER).unwrap();
    std::fs::write(team.folder().join("kizuna_0.3.0_amd64.deb"), b"a deb").unwrap();
    std::fs::write(team.folder().join("README.txt"), b"not an installer").unwrap();
    let m = manifest_for(&team.folder(), "0.3.0", 12).unwrap();
    assert_eq!(
        m.installers.iter().map(|i| i.platform.as_str()).collect::<Vec<_>>(),
        ["windows-x86_64", "linux-x86_64"]
    );
    assert_eq!(m.installers[0].size, INSTALLER.len() as u64);
    team.write_manifest(&m);
    let into = tempfile::tempdir().unwrap();
    let ok = verify_as(&team.db(), "0.3.0", into.path(), "0.1.0", HERE).unwrap();
    assert_eq!(std::fs::read(ok.path).unwrap(), INSTALLER);
    assert!(manifest_for(&team.folder(), "three", 12).is_err());
}

#[test]
fn a_macos_package_signature_is_accepted_only_when_pkgutil_trusts_it() {
    let signed = "Package \"Kizuna-0.2.0-aarch64.pkg\":\n   Status: signed by a developer certificate issued by Apple for distribution\n   Notarization: trusted by the Apple notary service\n";
    assert!(pkg_signature(true, signed).unwrap());
    let unsigned = "Package \"Kizuna-0.2.0-aarch64.pkg\":\n   Status: no signature\n";
    assert!(!pkg_signature(false, unsigned).unwrap());
    let untrusted = "Package \"Kizuna-0.2.0-aarch64.pkg\":\n   Status: signed by untrusted certificate\n";
    assert!(pkg_signature(false, untrusted).is_err());
    assert!(
        pkg_signature(false, signed).is_err(),
        "pkgutil failing overrules its words"
    );
    assert!(pkg_signature(true, "").is_err(), "no status at all");
}

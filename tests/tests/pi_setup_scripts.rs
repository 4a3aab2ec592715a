//! `cross/sdcard.sh` against folders shaped like the boot partition Raspberry Pi Imager leaves
//! (with its own first-run script, with cloud-init, with no customisation), and
//! `cross/deploy.sh` with stand-ins for ssh and scp that record what they are asked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use atelier_tests::repo_root;

const IMAGER_CMDLINE: &str = "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 \
rootfstype=ext4 fsck.repair=yes rootwait quiet init=/usr/lib/raspberrypi-sys-mods/firstboot \
systemd.run=/boot/firstrun.sh systemd.run_success_action=reboot \
systemd.unit=kernel-command-line.target\n";

const IMAGER_FIRSTRUN: &str = "#!/bin/bash\n\
set +e\n\
CURRENT_HOSTNAME=`cat /etc/hostname | tr -d \" \\t\\n\\r\"`\n\
/usr/lib/raspberrypi-sys-mods/imager_custom set_hostname comic\n\
/usr/lib/userconf-pi/userconf 'pi' '$5$hash'\n\
rm -f /boot/firstrun.sh\n\
sed -i 's| systemd.run.*||g' /boot/cmdline.txt\n\
exit 0\n";

const STOCK_CONFIG: &str = "# For more options and information see\n\
# http://rptl.io/configtxt\n\
dtparam=audio=on\n\
camera_auto_detect=1\n\
dtoverlay=vc4-kms-v3d\n\
max_framebuffers=2\n\
[cm4]\n\
otg_mode=1\n\
[all]\n";

/// A boot partition as Imager writes it, and a folder of packages built for it.
struct Card {
    dir: tempfile::TempDir,
}

impl Card {
    fn new(cmdline: &str) -> Card {
        let dir = tempfile::tempdir().expect("card");
        std::fs::create_dir_all(dir.path().join("boot")).expect("boot");
        std::fs::write(dir.path().join("boot/config.txt"), STOCK_CONFIG).expect("config");
        std::fs::write(dir.path().join("boot/cmdline.txt"), cmdline).expect("cmdline");
        let packages = dir.path().join("packages");
        std::fs::create_dir_all(&packages).expect("packages");
        for machine in ["comic", "lantern", "polargraph"] {
            for arch in ["arm64", "armhf"] {
                std::fs::write(
                    packages.join(format!("atelier-{machine}_0.1.0-1_{arch}.deb")),
                    format!("{machine} {arch}"),
                )
                .expect("package");
            }
        }
        Card { dir }
    }

    fn boot(&self) -> PathBuf {
        self.dir.path().join("boot")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.boot().join(name)).expect(name)
    }

    fn prepare(&self, machines: &[&str]) -> Output {
        let output = Command::new("bash")
            .arg(repo_root().join("cross/sdcard.sh"))
            .arg("--packages")
            .arg(self.dir.path().join("packages"))
            .arg(self.boot())
            .args(machines)
            .output()
            .expect("bash runs");
        println!("{}", text(&output));
        output
    }
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// Every file of the boot partition and its contents, to compare two runs.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).expect("file")));
            }
        }
    }
    files.sort();
    files
}

fn words(cmdline: &str) -> Vec<&str> {
    cmdline.split_whitespace().collect()
}

#[test]
fn an_imager_card_gets_the_packages_a_first_boot_step_and_each_machine_s_settings() {
    let card = Card::new(IMAGER_CMDLINE);
    std::fs::write(card.boot().join("firstrun.sh"), IMAGER_FIRSTRUN).expect("firstrun");
    let output = card.prepare(&["comic", "lantern"]);
    assert!(output.status.success(), "{}", text(&output));

    // The packages, for arm64 only, and what the first boot needs.
    for file in [
        "atelier/atelier-comic_0.1.0-1_arm64.deb",
        "atelier/atelier-lantern_0.1.0-1_arm64.deb",
        "atelier/firstboot.sh",
        "atelier/firstrun-hook.sh",
        "atelier/atelier-firstboot.service",
    ] {
        assert!(card.boot().join(file).exists(), "{file} missing");
    }
    assert!(
        !card
            .boot()
            .join("atelier/atelier-comic_0.1.0-1_armhf.deb")
            .exists()
    );
    assert_eq!(card.read("atelier/machines"), "comic\nlantern\n");

    // Imager's script is extended, not replaced: every line kept, ours before it deletes itself.
    let firstrun = card.read("firstrun.sh");
    let original: Vec<&str> = IMAGER_FIRSTRUN.lines().collect();
    let now: Vec<&str> = firstrun.lines().collect();
    let kept: Vec<&str> = now
        .iter()
        .copied()
        .filter(|line| original.contains(line))
        .collect();
    assert_eq!(kept, original, "Imager's lines, in order");
    let hook = now
        .iter()
        .position(|l| l.contains("atelier/firstrun-hook.sh"))
        .expect("our hook");
    let removal = now
        .iter()
        .position(|l| l.starts_with("rm -f /boot/firstrun.sh"))
        .expect("Imager's removal");
    assert!(hook < removal, "{firstrun}");

    // config.txt: each setting once, in an [all] section after Imager's conditional ones.
    let config = card.read("config.txt");
    assert!(
        config.starts_with(STOCK_CONFIG),
        "the stock file kept: {config}"
    );
    for line in ["enable_uart=1", "dtparam=i2c_arm=on"] {
        assert_eq!(config.lines().filter(|l| *l == line).count(), 1, "{config}");
    }
    let added = &config[STOCK_CONFIG.len()..];
    assert!(added.trim_start().starts_with("[all]"), "{added}");
    assert!(!config.contains("dtoverlay=pwm\n"), "no plotter here");

    // cmdline.txt: one line, the serial console gone, the lamp's words added, the rest kept.
    let cmdline = card.read("cmdline.txt");
    assert_eq!(cmdline.lines().count(), 1, "{cmdline:?}");
    let now = words(&cmdline);
    assert!(!now.contains(&"console=serial0,115200"), "{cmdline}");
    for word in [
        "video=HDMI-A-1:1280x720@60D",
        "vt.global_cursor_default=0",
        "consoleblank=0",
    ] {
        assert!(now.contains(&word), "{word}: {cmdline}");
    }
    for word in words(IMAGER_CMDLINE) {
        if word != "console=serial0,115200" {
            assert!(now.contains(&word), "{word} kept: {cmdline}");
        }
    }

    // The scripts it wrote are valid shell.
    for script in [
        "firstrun.sh",
        "atelier/firstboot.sh",
        "atelier/firstrun-hook.sh",
    ] {
        let check = Command::new("sh")
            .arg("-n")
            .arg(card.boot().join(script))
            .output()
            .expect("sh");
        assert!(check.status.success(), "{script}: {}", text(&check));
    }

    // The packages' own check agrees that the card now has what the machines need.
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir_all(root.path().join("boot")).expect("boot");
    let firmware = root.path().join("boot/firmware");
    std::os::unix::fs::symlink(card.boot(), &firmware).expect("mounted");
    std::fs::create_dir_all(root.path().join("etc/atelier")).expect("etc");
    for machine in ["comic", "lantern"] {
        std::fs::copy(
            repo_root().join(format!("hardware/{machine}.toml")),
            root.path().join(format!("etc/atelier/{machine}.toml")),
        )
        .expect("defaults");
    }
    let check = |machine: &str| {
        text(
            &Command::new("sh")
                .arg(repo_root().join("cross/deb/shared/setup-check"))
                .arg(machine)
                .env("ATELIER_ROOT", root.path())
                .output()
                .expect("sh"),
        )
    };
    let comic = check("comic");
    assert!(comic.contains("ok: the UART is on"), "{comic}");
    assert!(!comic.contains("console is on it"), "{comic}");
    let lantern = check("lantern");
    for missing in [
        "dtparam=i2c_arm=on to",
        "a forced HDMI mode for a projector",
        "vt.global_cursor_default=0 to",
        "consoleblank=0 to",
    ] {
        assert!(!lantern.contains(missing), "{missing}: {lantern}");
    }

    // Once is enough: a second run changes nothing.
    let before = snapshot(&card.boot());
    let again = card.prepare(&["comic", "lantern"]);
    assert!(again.status.success());
    assert_eq!(
        snapshot(&card.boot()),
        before,
        "a second run changed the card"
    );
}

#[test]
fn a_card_without_customisation_gets_its_own_first_run_which_cleans_up_after_itself() {
    let plain = "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 \
                 fsck.repair=yes rootwait quiet\n";
    let card = Card::new(plain);
    let output = card.prepare(&["polargraph"]);
    assert!(output.status.success(), "{}", text(&output));
    let cmdline = card.read("cmdline.txt");
    assert!(
        cmdline.contains("systemd.run=/boot/firmware/atelier/firstrun.sh"),
        "{cmdline}"
    );
    assert!(card.read("config.txt").contains("\ndtoverlay=pwm\n"));

    // The first run, with / somewhere else: the first-boot unit is in place and enabled, and
    // the kernel command line is back as it was.
    let root = tempfile::tempdir().expect("root");
    let run = Command::new("sh")
        .arg(card.boot().join("atelier/firstrun.sh"))
        .env("ATELIER_ROOT", root.path())
        .output()
        .expect("sh");
    assert!(run.status.success(), "{}", text(&run));
    let unit = root
        .path()
        .join("etc/systemd/system/atelier-firstboot.service");
    assert!(unit.exists());
    let wanted = root
        .path()
        .join("etc/systemd/system/multi-user.target.wants/atelier-firstboot.service");
    assert_eq!(
        std::fs::read_link(&wanted).expect("enabled"),
        Path::new("/etc/systemd/system/atelier-firstboot.service")
    );
    assert_eq!(
        card.read("cmdline.txt"),
        plain,
        "the first run removed itself"
    );
}

#[test]
fn a_cloud_init_card_gets_one_more_runcmd() {
    let card = Card::new(IMAGER_CMDLINE);
    let user_data = "#cloud-config\nhostname: lantern\nruncmd:\n  - [touch, /tmp/imager]\n  - echo hi\nusers:\n  - name: pi\n";
    std::fs::write(card.boot().join("user-data"), user_data).expect("user-data");
    let output = card.prepare(&["lantern"]);
    assert!(output.status.success(), "{}", text(&output));
    let now = card.read("user-data");
    let lines: Vec<&str> = now.lines().collect();
    let ours = lines
        .iter()
        .position(|l| l.contains("atelier/firstrun-hook.sh"))
        .expect("our entry");
    assert_eq!(
        lines[ours - 1],
        "  - echo hi",
        "after Imager's commands: {now}"
    );
    assert_eq!(lines[ours + 1], "users:", "inside runcmd: {now}");
    assert!(lines[ours].starts_with("  - [sh, -c, '"), "{now}");
    assert_eq!(lines.len(), user_data.lines().count() + 1);
}

#[test]
fn bad_cards_and_machines_are_named() {
    let card = Card::new(IMAGER_CMDLINE);
    let output = Command::new("bash")
        .arg(repo_root().join("cross/sdcard.sh"))
        .arg(card.dir.path())
        .arg("comic")
        .output()
        .expect("bash");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("is not a Raspberry Pi OS boot partition"),
        "{}",
        text(&output)
    );
    let output = card.prepare(&["toaster"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).contains("unknown machine 'toaster'"));
    std::fs::remove_file(
        card.dir
            .path()
            .join("packages/atelier-lantern_0.1.0-1_arm64.deb"),
    )
    .expect("remove");
    let output = card.prepare(&["lantern"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("bash cross/package.sh lantern"),
        "{}",
        text(&output)
    );
    assert!(!card.boot().join("atelier").exists(), "nothing written");
}

/// Stand-ins for ssh and scp that log their arguments, one call a line; ssh answers `arch` to
/// `dpkg --print-architecture`.
fn stand_ins(dir: &Path, arch: &str) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let log = dir.join("calls");
    for name in ["ssh", "scp"] {
        let script = format!(
            "#!/bin/sh\necho \"{name} $*\" >>'{}'\ncase \"$*\" in *print-architecture*) echo {arch} ;; esac\n",
            log.display()
        );
        let path = bin.join(name);
        std::fs::write(&path, script).expect("stand-in");
        let mut mode = std::fs::metadata(&path).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
        std::fs::set_permissions(&path, mode).expect("chmod");
    }
    bin
}

fn deploy(card: &Card, bin: &Path, args: &[&str]) -> Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg(repo_root().join("cross/deploy.sh"))
        .args(args)
        .env("PATH", path)
        .env("ATELIER_DEBS", card.dir.path().join("packages"))
        .output()
        .expect("bash");
    println!("{}", text(&output));
    output
}

#[test]
fn deploy_picks_the_package_by_the_pi_s_debian_architecture_and_dry_run_touches_nothing() {
    let card = Card::new(IMAGER_CMDLINE);
    let bin = stand_ins(card.dir.path(), "armhf");
    let calls = card.dir.path().join("calls");

    let dry = deploy(&card, &bin, &["--dry-run", "pi@comic.local", "comic"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(!calls.exists(), "a dry run called ssh or scp");
    let printed = text(&dry);
    for step in [
        "+ ssh pi@comic.local dpkg --print-architecture",
        "+ scp ",
        "+ ssh pi@comic.local sudo apt-get install -y /tmp/",
        "+ ssh pi@comic.local sudo systemctl enable --now atelier-comic",
    ] {
        assert!(printed.contains(step), "{step}: {printed}");
    }

    // A 32-bit Pi OS (on any kernel): the armhf package.
    let real = deploy(&card, &bin, &["pi@comic.local", "comic"]);
    assert!(real.status.success(), "{}", text(&real));
    let log = std::fs::read_to_string(&calls).expect("calls");
    let packages = card.dir.path().join("packages");
    let expected = [
        "ssh pi@comic.local dpkg --print-architecture".to_owned(),
        format!(
            "scp {}/atelier-comic_0.1.0-1_armhf.deb pi@comic.local:/tmp/atelier-comic_0.1.0-1_armhf.deb",
            packages.display()
        ),
        "ssh pi@comic.local sudo apt-get install -y /tmp/atelier-comic_0.1.0-1_armhf.deb"
            .to_owned(),
        "ssh pi@comic.local rm -f /tmp/atelier-comic_0.1.0-1_armhf.deb".to_owned(),
        "ssh pi@comic.local sudo systemctl enable --now atelier-comic".to_owned(),
        "ssh pi@comic.local /usr/lib/atelier/setup-check-comic".to_owned(),
    ];
    assert_eq!(log.lines().collect::<Vec<_>>(), expected);

    // Not a Pi OS architecture: said, nothing copied.
    std::fs::remove_file(&calls).expect("reset");
    let pc = stand_ins(card.dir.path(), "amd64");
    let refused = deploy(&card, &pc, &["pi@pc.local", "lantern"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused).contains("Debian 'amd64' system"),
        "{}",
        text(&refused)
    );
    let log = std::fs::read_to_string(&calls).expect("calls");
    assert_eq!(log.lines().count(), 1, "only the question: {log}");
    let unknown = deploy(&card, &pc, &["pi@pc.local", "toaster"]);
    assert_eq!(unknown.status.code(), Some(2));
}

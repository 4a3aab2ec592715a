//! The packages' post-install check (`cross/deb/shared/setup-check`, installed as
//! `/usr/lib/atelier/setup-check-MACHINE`), run against folders shaped like a Raspberry Pi's
//! root: a fresh Pi OS is told what to switch on, one set up as hardware/MACHINE.md says is
//! ready.

use std::path::Path;
use std::process::Command;

use atelier_tests::repo_root;

/// A Pi OS root as Raspberry Pi Imager leaves it: the boot partition with the stock
/// config.txt and a serial console on the kernel command line, the usual groups, GPIO.
fn fresh_pi(root: &Path) {
    let boot = root.join("boot/firmware");
    std::fs::create_dir_all(&boot).expect("boot");
    std::fs::write(
        boot.join("config.txt"),
        "# For more options and information see\n\
         # http://rptl.io/configtxt\n\
         dtparam=audio=on\n\
         #dtparam=i2c_arm=on\n\
         [all]\n",
    )
    .expect("config.txt");
    std::fs::write(
        boot.join("cmdline.txt"),
        "console=serial0,115200 console=tty1 root=PARTUUID=0-02 rootfstype=ext4 fsck.repair=yes rootwait\n",
    )
    .expect("cmdline.txt");
    std::fs::create_dir_all(root.join("etc/atelier")).expect("etc");
    std::fs::write(
        root.join("etc/group"),
        "root:x:0:\nlp:x:7:\ndialout:x:20:\nvideo:x:44:\ngpio:x:997:\ni2c:x:998:\nspi:x:999:\n",
    )
    .expect("group");
    for machine in ["comic", "lantern", "polargraph"] {
        std::fs::copy(
            repo_root().join(format!("hardware/{machine}.toml")),
            root.join(format!("etc/atelier/{machine}.toml")),
        )
        .expect("defaults");
    }
    // Pi OS starts a login prompt on the first console.
    let wants = root.join("etc/systemd/system/getty.target.wants");
    std::fs::create_dir_all(&wants).expect("wants");
    std::fs::write(wants.join("getty@tty1.service"), "").expect("getty");
    std::fs::create_dir_all(root.join("dev")).expect("dev");
    std::fs::write(root.join("dev/gpiomem"), "").expect("gpiomem");
}

fn check(root: &Path, machine: &str) -> (i32, String) {
    let output = Command::new("sh")
        .arg(repo_root().join("cross/deb/shared/setup-check"))
        .arg(machine)
        .env("ATELIER_ROOT", root)
        .output()
        .expect("sh runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn a_fresh_pi_is_told_to_switch_on_the_uart_and_move_the_console_off_it() {
    let root = tempfile::tempdir().expect("root");
    fresh_pi(root.path());
    let (status, text) = check(root.path(), "comic");
    println!("{text}");
    assert_eq!(status, 1, "something is missing: {text}");
    assert!(text.contains("enable_uart=1"), "{text}");
    assert!(text.contains("console=serial0"), "{text}");
    assert!(text.contains("ok: GPIO (/dev/gpiomem)"), "{text}");
    assert!(!text.contains("ready"), "{text}");
}

#[test]
fn a_pi_set_up_for_the_comic_robot_is_ready() {
    let root = tempfile::tempdir().expect("root");
    fresh_pi(root.path());
    let boot = root.path().join("boot/firmware");
    let config = std::fs::read_to_string(boot.join("config.txt")).expect("config");
    std::fs::write(boot.join("config.txt"), config + "enable_uart=1\n").expect("config");
    std::fs::write(
        boot.join("cmdline.txt"),
        "console=tty1 root=PARTUUID=0-02 rootfstype=ext4 fsck.repair=yes rootwait\n",
    )
    .expect("cmdline");
    let (status, text) = check(root.path(), "comic");
    println!("{text}");
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("ok: the UART is on"), "{text}");
    assert!(text.contains("ready"), "{text}");
}

#[test]
fn a_later_line_of_config_txt_wins_and_edits_choose_the_printer() {
    let root = tempfile::tempdir().expect("root");
    fresh_pi(root.path());
    let boot = root.path().join("boot/firmware");
    std::fs::write(boot.join("config.txt"), "enable_uart=1\nenable_uart = 0\n").expect("config");
    let (status, text) = check(root.path(), "comic");
    assert_eq!(status, 1);
    assert!(
        text.contains("enable_uart=1 to"),
        "switched off again: {text}"
    );

    // The page switched the robot to a USB printer: the UART does not matter any more.
    let state = root.path().join("var/lib/atelier/comic");
    std::fs::create_dir_all(&state).expect("state");
    std::fs::write(
        state.join("edits.toml"),
        "[printer]\nport = \"usb:0416:5011\"\n",
    )
    .expect("edits");
    let (status, text) = check(root.path(), "comic");
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("a USB printer (0416:5011)"), "{text}");
}

#[test]
fn a_missing_group_and_no_gpio_are_named() {
    let root = tempfile::tempdir().expect("root");
    fresh_pi(root.path());
    std::fs::write(root.path().join("etc/group"), "root:x:0:\nlp:x:7:\n").expect("group");
    std::fs::remove_file(root.path().join("dev/gpiomem")).expect("gpiomem");
    let (status, text) = check(root.path(), "comic");
    assert_eq!(status, 1);
    assert!(text.contains("group gpio does not exist"), "{text}");
    assert!(text.contains("group dialout does not exist"), "{text}");
    assert!(!text.contains("group lp does not"), "{text}");
    assert!(
        text.contains("neither /dev/gpiomem nor /dev/gpiochip0"),
        "{text}"
    );
    let (status, text) = check(root.path(), "toaster");
    assert_eq!(status, 2);
    assert!(text.contains("unknown machine 'toaster'"), "{text}");
}

#[test]
fn a_fresh_pi_is_told_what_the_lamp_needs_and_a_prepared_one_is_ready() {
    let root = tempfile::tempdir().expect("root");
    fresh_pi(root.path());
    let (status, text) = check(root.path(), "lantern");
    println!("{text}");
    assert_eq!(status, 1, "{text}");
    for wanted in [
        "dtparam=i2c_arm=on",
        "video=HDMI-A-1:1280x720@60D",
        "vt.global_cursor_default=0",
        "consoleblank=0",
        "systemctl disable getty@tty1",
        "/dev/fb0 does not exist",
    ] {
        assert!(text.contains(wanted), "{wanted}: {text}");
    }

    // As cross/sdcard.sh and a reboot leave it.
    let boot = root.path().join("boot/firmware");
    let config = std::fs::read_to_string(boot.join("config.txt")).expect("config");
    std::fs::write(boot.join("config.txt"), config + "dtparam=i2c_arm=on\n").expect("config");
    std::fs::write(
        boot.join("cmdline.txt"),
        "console=tty1 root=PARTUUID=0-02 rootwait video=HDMI-A-1:1280x720@60D \
         vt.global_cursor_default=0 consoleblank=0\n",
    )
    .expect("cmdline");
    std::fs::remove_file(
        root.path()
            .join("etc/systemd/system/getty.target.wants/getty@tty1.service"),
    )
    .expect("getty");
    std::fs::write(root.path().join("dev/i2c-1"), "").expect("i2c");
    std::fs::write(root.path().join("dev/fb0"), "").expect("fb");
    let (status, text) = check(root.path(), "lantern");
    println!("{text}");
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("ok: I2C bus 1"), "{text}");
    assert!(text.contains("ok: HDMI forced on"), "{text}");
}

/// Installed as setup-check-MACHINE, it checks MACHINE without being told.
#[test]
fn named_for_a_machine_it_checks_that_machine() {
    let root = tempfile::tempdir().expect("root");
    fresh_pi(root.path());
    let bin = tempfile::tempdir().expect("bin");
    let installed = bin.path().join("setup-check-comic");
    std::fs::copy(repo_root().join("cross/deb/shared/setup-check"), &installed).expect("copy");
    let output = Command::new("sh")
        .arg(&installed)
        .env("ATELIER_ROOT", root.path())
        .output()
        .expect("sh runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("atelier-comic: switch on: the UART"),
        "{text}"
    );
    let output = Command::new("sh")
        .arg(repo_root().join("cross/deb/shared/setup-check"))
        .output()
        .expect("sh runs");
    assert_eq!(output.status.code(), Some(2), "no machine: usage");
}

#[test]
fn the_plotter_needs_the_pwm_overlay_for_its_pen_servo() {
    let root = tempfile::tempdir().expect("root");
    fresh_pi(root.path());
    let (status, text) = check(root.path(), "polargraph");
    println!("{text}");
    assert_eq!(status, 1, "{text}");
    assert!(text.contains("add dtoverlay=pwm to"), "{text}");
    let boot = root.path().join("boot/firmware");
    let config = std::fs::read_to_string(boot.join("config.txt")).expect("config");
    std::fs::write(
        boot.join("config.txt"),
        config + "dtoverlay=vc4-kms-v3d\ndtoverlay=pwm,pin=18,func=2\n",
    )
    .expect("config");
    let (status, text) = check(root.path(), "polargraph");
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("ok: the PWM overlay"), "{text}");
}

//! The real backends, on a machine without the hardware: one clear sentence naming the device
//! node and the fix, never a panic. Device nodes are looked up under a temporary folder, so these
//! tests behave the same on a desktop, in CI, under qemu and on a Pi.

use std::path::Path;
use std::time::Duration;

use atelier_board::{BackendKind, Bcm, Board, BoardConfig, OpenError, PortSpec};
use embedded_hal::pwm::SetDutyCycle;
use embedded_io::Write;

fn config_in(dir: &Path, backend: BackendKind) -> BoardConfig {
    BoardConfig {
        backend,
        gpio_chip: dir.join("gpiochip0"),
        dev_dir: dir.to_owned(),
        sys_dir: dir.join("sys"),
        pwm_chip: 0,
    }
}

fn open_error(config: &BoardConfig) -> OpenError {
    Board::open(config).expect_err("no hardware here")
}

#[test]
fn rpi_without_gpiomem_names_the_node_and_the_way_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = open_error(&config_in(dir.path(), BackendKind::Rpi));
    assert!(matches!(error, OpenError::Missing { .. }), "{error:?}");
    let message = error.to_string();
    let node = dir.path().join("gpiomem");
    assert_eq!(
        message,
        format!(
            "{} does not exist: this is not a Raspberry Pi (or its GPIO driver is not loaded); on \
             another Linux board use `--board cdev`, on a desktop `--board sim`",
            node.display()
        )
    );
}

#[test]
fn rpi_on_this_machine_fails_cleanly_unless_it_is_a_pi() {
    if Path::new("/dev/gpiomem").exists() || Path::new("/dev/gpiomem0").exists() {
        // On a real Pi the board opens; that case is for hardware-in-the-loop runs, not this one.
        return;
    }
    let message = open_error(&BoardConfig::with_backend(BackendKind::Rpi)).to_string();
    assert!(
        message.starts_with("/dev/gpiomem does not exist:"),
        "{message}"
    );
}

#[test]
fn cdev_without_a_gpio_chip_names_the_node() {
    let dir = tempfile::tempdir().expect("tempdir");
    let message = open_error(&config_in(dir.path(), BackendKind::Cdev)).to_string();
    assert!(message.starts_with(&format!(
        "{} does not exist:",
        dir.path().join("gpiochip0").display()
    )));
    assert!(
        message.contains("set `gpio_chip` in the config"),
        "{message}"
    );
}

#[test]
fn a_file_that_is_not_a_gpio_chip_is_refused_when_a_pin_is_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gpiochip0"), b"").expect("fake node");
    let mut board = Board::open(&config_in(dir.path(), BackendKind::Cdev)).expect("node exists");
    let error = board
        .output(Bcm::new(17).expect("valid"), "light")
        .expect_err("not a chip");
    let message = error.to_string();
    assert!(message.starts_with("GPIO17 (light) ("), "{message}");
    assert!(
        message.contains("gpiochip0) could not be opened"),
        "{message}"
    );
}

#[test]
fn i2c_switched_off_says_how_to_switch_it_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gpiochip0"), b"").expect("fake node");
    let mut board = Board::open(&config_in(dir.path(), BackendKind::Cdev)).expect("node exists");
    let message = board.i2c(1).expect_err("no i2c-1").to_string();
    assert!(message.contains("i2c-1 does not exist"), "{message}");
    assert!(message.contains("dtparam=i2c_arm=on"), "{message}");
}

#[test]
fn sysfs_pwm_writes_period_and_pulse_width_in_nanoseconds() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gpiochip0"), b"").expect("fake node");
    let channel = dir.path().join("sys/class/pwm/pwmchip0/pwm0");
    std::fs::create_dir_all(&channel).expect("fake sysfs");
    let mut board = Board::open(&config_in(dir.path(), BackendKind::Cdev)).expect("node exists");
    let mut servo = board
        .pwm(0, Duration::from_millis(20), "pen")
        .expect("fake sysfs");
    let read = |name: &str| std::fs::read_to_string(channel.join(name)).expect(name);
    assert_eq!(read("period"), "20000000");
    assert_eq!(read("enable"), "1");
    servo.set_duty_cycle_fraction(3, 40).expect("write");
    // 3/40 of 20 ms is 1.5 ms, a servo's centre; the 16-bit duty rounds it by under 1 µs.
    let duty: i64 = read("duty_cycle").parse().expect("number");
    assert!((duty - 1_500_000).abs() < 1_000, "duty_cycle {duty} ns");
}

#[test]
fn pwm_overlay_missing_says_which_line_to_add() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gpiochip0"), b"").expect("fake node");
    let mut board = Board::open(&config_in(dir.path(), BackendKind::Cdev)).expect("node exists");
    let message = board
        .pwm(0, Duration::from_millis(20), "pen")
        .expect_err("no pwm")
        .to_string();
    assert!(message.contains("dtoverlay=pwm-2chan"), "{message}");
}

#[test]
fn a_file_port_collects_the_bytes_and_a_missing_printer_is_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gpiochip0"), b"").expect("fake node");
    let mut board = Board::open(&config_in(dir.path(), BackendKind::Cdev)).expect("node exists");
    let out = dir.path().join("printer.bin");
    let spec: PortSpec = format!("file:{}", out.display()).parse().expect("spec");
    let mut port = board.port(&spec).expect("file port");
    port.write_all(b"\x1b@hello").expect("write");
    drop(port);
    assert_eq!(std::fs::read(&out).expect("written"), b"\x1b@hello");

    let lp = PortSpec::Device(dir.path().join("usb/lp0"));
    let message = board.port(&lp).expect_err("no printer").to_string();
    assert!(
        message.contains("usb/lp0 does not exist: the printer is not plugged in"),
        "{message}"
    );
}

#[test]
fn an_unknown_board_name_lists_the_backends() {
    let error = "pi".parse::<BackendKind>().expect_err("not a backend");
    assert_eq!(error, "unknown board `pi`: use rpi, cdev or sim");
    for kind in BackendKind::ALL {
        assert_eq!(kind.name().parse::<BackendKind>(), Ok(kind));
    }
}

#[test]
fn the_sim_backend_is_not_opened_from_a_config() {
    let message = open_error(&BoardConfig::with_backend(BackendKind::Sim)).to_string();
    assert!(message.contains("Board::sim"), "{message}");
}

#[test]
fn a_usb_printer_that_is_not_plugged_in_is_one_sentence_naming_it() {
    // Whatever this machine has (no USB bus at all in a container, or other devices), an id
    // nobody uses is "not plugged in" or "cannot list": a sentence naming the port, not a panic.
    let spec: PortSpec = "usb:fffe:fffd".parse().expect("valid spec");
    let error = atelier_board::open_port(&spec)
        .expect_err("nothing has that id")
        .to_string();
    assert!(error.contains("usb:fffe:fffd"), "{error}");
    assert!(
        error.contains("no such device is plugged in") || error.contains("cannot list USB devices"),
        "{error}"
    );
}

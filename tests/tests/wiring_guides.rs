//! The wiring guides (hardware/MACHINE.md) agree with the Raspberry Pi's header and with the
//! shipped defaults (hardware/MACHINE.toml): every header pin named is the BCM GPIO the table
//! says, and every pin the config drives is wired in the table to the part it names.

use atelier_tests::hardware;

/// The 40-pin header: physical pin → what is on it (the Raspberry Pi pinout, written out here
/// by hand, not taken from any of the code under test).
const HEADER: [&str; 40] = [
    "3V3", "5V", "GPIO2", "5V", "GPIO3", "GND", "GPIO4", "GPIO14", "GND", "GPIO15", "GPIO17",
    "GPIO18", "GPIO27", "GND", "GPIO22", "GPIO23", "3V3", "GPIO24", "GPIO10", "GND", "GPIO9",
    "GPIO25", "GPIO11", "GPIO8", "GND", "GPIO7", "GPIO0", "GPIO1", "GPIO5", "GND", "GPIO6",
    "GPIO12", "GPIO13", "GND", "GPIO19", "GPIO16", "GPIO26", "GPIO20", "GND", "GPIO21",
];

/// One row of a guide's wiring table.
#[derive(Debug)]
struct Row {
    part: String,
    header_pin: Option<usize>,
    bcm: String,
}

/// The rows of every table of `hardware/NAME.md` whose header is `| … | Pi header pin | BCM | …`.
fn wiring_table(name: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(hardware(name)).expect("guide");
    let mut rows = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if !line.trim_start().starts_with('|') {
            inside = false;
            continue;
        }
        if cells.get(1) == Some(&"Pi header pin") {
            assert_eq!(cells.get(2), Some(&"BCM"), "{name}: {line}");
            inside = true;
            continue;
        }
        if !inside || cells.iter().all(|c| c.chars().all(|ch| ch == '-')) {
            continue;
        }
        rows.push(Row {
            part: cells[0].to_lowercase(),
            header_pin: cells[1].parse().ok(),
            // "GPIO14 (TXD)" → "GPIO14".
            bcm: cells[2].split_whitespace().next().unwrap_or("").to_owned(),
        });
    }
    assert!(!rows.is_empty(), "{name} has no wiring table");
    rows
}

fn defaults(name: &str) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(hardware(name)).expect("defaults")).expect("TOML")
}

/// Every row's header pin carries what its BCM column says.
fn header_pins_match_the_pi(name: &str, rows: &[Row]) {
    for row in rows {
        let Some(pin) = row.header_pin else {
            assert!(
                row.bcm == "—" || row.bcm.is_empty(),
                "{name}: {row:?} names a signal but no header pin"
            );
            continue;
        };
        assert!(
            (1..=40).contains(&pin),
            "{name}: {row:?}: no such header pin"
        );
        assert_eq!(
            HEADER[pin - 1],
            row.bcm,
            "{name}: header pin {pin} is {}, the table says {} for {}",
            HEADER[pin - 1],
            row.bcm,
            row.part
        );
    }
}

/// The row for the part whose name holds every word of `words`, wired to `gpio`.
fn wired(name: &str, rows: &[Row], words: &[&str], gpio: i64) {
    let bcm = format!("GPIO{gpio}");
    let found = rows
        .iter()
        .filter(|row| words.iter().all(|w| row.part.contains(w)))
        .any(|row| row.bcm == bcm);
    assert!(
        found,
        "{name}: the defaults put {} on {bcm}, the wiring table does not: {rows:#?}",
        words.join(" ")
    );
}

/// Each integer in `[pins]` wired to the part its key names (`ready_led` → a "ready … led").
fn pins_table_is_wired(guide: &str, config: &str) -> usize {
    let rows = wiring_table(guide);
    header_pins_match_the_pi(guide, &rows);
    let defaults = defaults(config);
    let pins = defaults["pins"].as_table().expect("[pins]");
    let mut checked = 0;
    for (key, value) in pins {
        let Some(gpio) = value.as_integer() else {
            continue;
        };
        let words: Vec<&str> = key.split('_').collect();
        wired(guide, &rows, &words, gpio);
        checked += 1;
    }
    checked
}

#[test]
fn the_comic_robot_s_guide_wires_its_defaults() {
    let checked = pins_table_is_wired("comic.md", "comic.toml");
    assert_eq!(checked, 4, "button and three LEDs");
    let rows = wiring_table("comic.md");
    let defaults = defaults("comic.toml");
    let port = defaults["printer"]["port"].as_str().expect("port");
    assert!(port.starts_with("serial:/dev/serial0"), "{port}");
    // The Pi's UART: TXD to the printer's RX, RXD from its TX.
    wired("comic.md", &rows, &["printer", "rx"], 14);
    wired("comic.md", &rows, &["printer", "tx"], 15);
}

#[test]
fn the_plotter_s_guide_wires_its_defaults() {
    let checked = pins_table_is_wired("polargraph.md", "polargraph.toml");
    assert_eq!(checked, 5, "two STEP, two DIR, ENABLE");
    let rows = wiring_table("polargraph.md");
    let defaults = defaults("polargraph.toml");
    let channel = defaults["pen"]["servo_pwm_channel"]
        .as_integer()
        .expect("the servo on hardware PWM");
    // PWM0 is on GPIO18, PWM1 on GPIO19 (the pwm and pwm-2chan overlays' defaults).
    wired(
        "polargraph.md",
        &rows,
        &["servo"],
        [18, 19][channel as usize],
    );
}

/// The ULN2003 wiring the defaults suggest in a comment (`# left_coils = [5, 6, 13, 19]`) is
/// the guide's: IN1 to IN4 in order.
#[test]
fn the_plotter_s_uln2003_table_wires_the_suggested_coils() {
    let rows = wiring_table("polargraph.md");
    let text = std::fs::read_to_string(hardware("polargraph.toml")).expect("defaults");
    for side in ["left", "right"] {
        let line = text
            .lines()
            .find(|l| {
                l.trim_start_matches(['#', ' '])
                    .starts_with(&format!("{side}_coils"))
            })
            .unwrap_or_else(|| panic!("polargraph.toml suggests no {side}_coils"));
        let list = line.split_once('=').expect("a value").1;
        let coils: toml::Value = toml::from_str(&format!("v = {list}")).expect("a TOML list");
        let coils = coils["v"].as_array().expect("a list");
        assert_eq!(coils.len(), 4, "{line}");
        for (i, gpio) in coils.iter().enumerate() {
            let input = format!("in{}", i + 1);
            wired(
                "polargraph.md",
                &rows,
                &[side, "board", &input],
                gpio.as_integer().expect("a pin"),
            );
        }
    }
}

#[test]
fn the_lamp_s_guide_wires_its_defaults() {
    let rows = wiring_table("lantern.md");
    header_pins_match_the_pi("lantern.md", &rows);
    let defaults = defaults("lantern.toml");
    let bus = defaults["sensor"]["i2c_bus"].as_integer().expect("i2c_bus");
    assert_eq!(bus, 1, "the header's I2C is bus 1");
    wired("lantern.md", &rows, &["sda"], 2);
    wired("lantern.md", &rows, &["scl"], 3);
}

/// The check itself: a guide that named the wrong header pin would be caught.
#[test]
fn a_wrong_header_pin_is_caught() {
    let rows = vec![Row {
        part: "ready led".into(),
        header_pin: Some(11),
        bcm: "GPIO4".into(),
    }];
    let caught = std::panic::catch_unwind(|| header_pins_match_the_pi("test", &rows));
    assert!(caught.is_err());
}

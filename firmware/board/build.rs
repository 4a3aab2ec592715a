//! Turns "feature on and building for Linux" into one cfg per real backend, so the sources say
//! `#[cfg(rpi_backend)]` instead of repeating the pair everywhere.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rpi_backend)");
    println!("cargo::rustc-check-cfg=cfg(cdev_backend)");
    println!("cargo::rustc-check-cfg=cfg(serial_backend)");
    println!("cargo::rustc-check-cfg=cfg(usb_backend)");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    for (feature, cfg) in [
        ("RPI", "rpi_backend"),
        ("CDEV", "cdev_backend"),
        ("SERIAL", "serial_backend"),
        ("USB", "usb_backend"),
    ] {
        if linux && std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some() {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}

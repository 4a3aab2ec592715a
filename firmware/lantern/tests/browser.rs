//! The companion in a real browser: headless Chromium driven over WebDriver (chromedriver,
//! fantoccini). A phone pairs with the code the simulated lamp projects, puts the space
//! porthole on the ceiling, the lamp is tilted to the ceiling, and the page's live preview
//! shows the star map. The test saves a screenshot of the page.
//!
//! Needs Debian's `chromium` and `chromium-driver` (tests/run.sh installs them).

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_browser::until;
use atelier_config::Places;
use fantoccini::Locator;
use lantern::config::LanternConfig;
use lantern::simulated::{CEILING, WALL};

/// The mean brightness (0–255) of a PNG, and the share of its pixels brighter than 96 (stars,
/// their labels, the porthole's rim; all of a lit lamp).
fn brightness(png: &[u8]) -> (f64, f64) {
    let image = image::load_from_memory(png).expect("a PNG").to_luma8();
    let pixels = image.pixels().count() as f64;
    let sum: f64 = image.pixels().map(|p| f64::from(p.0[0])).sum();
    let bright = image.pixels().filter(|p| p.0[0] > 96).count() as f64;
    (sum / pixels, bright / pixels)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_pairs_puts_the_porthole_on_the_ceiling_and_sees_the_stars() {
    let dir = tempfile::tempdir().expect("tmp");
    // Every surface starts with a lamp filling the picture, so a dark sky with a sprinkle of
    // bright points can only be the star map.
    let defaults = common::defaults_with_apps(
        dir.path(),
        640,
        360,
        r#"
[[apps]]
surface = "ceiling"
[apps.lamp]
kelvin = 4000
shape = "full"

[[apps]]
surface = "wall"
[apps.lamp]
kelvin = 10000
shape = "full"

[[apps]]
surface = "table"
[apps.lamp]
kelvin = 1900
shape = "full"
"#,
    );
    let places = Places::find("lantern", Some(&defaults)).with_state(dir.path().join("state"));
    let config: LanternConfig = places.load().expect("valid");
    assert_eq!(
        config
            .apps
            .iter()
            .find(|a| a.surface == "ceiling")
            .expect("ceiling")
            .settings()
            .name(),
        "lamp"
    );

    let lamp = common::LampThread::start(&config, WALL);
    let codes = Arc::new(Mutex::new(Vec::new()));
    let gate = common::gate(&places, &config, &lamp.handle, &codes);
    let companion = lantern::companion::Companion::new(places.clone(), lamp.handle.clone());
    let (router, _) = lantern::companion::router(companion, gate);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback");
    let page = format!("http://{}/", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(atelier_web::serve(listener, router, async {
        let _ = stopped.await;
    }));

    // The session holds chromedriver: it is killed, with its Chromium, when the test ends.
    let session = atelier_browser::headless(dir.path(), 412, 1400).await;
    let browser = session.client.clone();

    browser.goto(&page).await.expect("the page loads");
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#ask-code"))
        .await
        .expect("the pairing panel")
        .click()
        .await
        .expect("ask for a code");
    let mut state = lamp.handle.state();
    tokio::time::timeout(
        Duration::from_secs(10),
        state.wait_for(|s| s.pairing_code_shown),
    )
    .await
    .expect("the lamp projects the code")
    .expect("lamp running");
    let code = codes
        .lock()
        .expect("codes")
        .last()
        .cloned()
        .expect("a code");
    browser
        .find(Locator::Css("#code"))
        .await
        .expect("code field")
        .send_keys(&code)
        .await
        .expect("type the code");
    browser
        .find(Locator::Css("#pair-form button[type=submit]"))
        .await
        .expect("pair button")
        .click()
        .await
        .expect("pair");
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(
            "li.surface[data-surface='ceiling'] form.app-form",
        ))
        .await
        .expect("paired: the surfaces show");
    tokio::time::timeout(
        Duration::from_secs(10),
        state.wait_for(|s| !s.pairing_code_shown),
    )
    .await
    .expect("the code goes once paired")
    .expect("lamp running");

    // Every app, with the form's own default fields, is accepted for the table: the page
    // offers nothing the lamp refuses.
    for app in lantern::apps::AppSettings::NAMES {
        let table = browser
            .find(Locator::Css(
                "li.surface[data-surface='table'] form.app-form",
            ))
            .await
            .expect("the table's form");
        table
            .find(Locator::Css("select[name=app]"))
            .await
            .expect("app menu")
            .select_by_value(app)
            .await
            .expect("choose the app");
        table
            .find(Locator::Css("button[type=submit]"))
            .await
            .expect("save button")
            .click()
            .await
            .expect("save");
        let want = format!("table shows {app}.");
        until(
            &format!("the page says {want}"),
            Duration::from_secs(10),
            || {
                let browser = browser.clone();
                let want = want.clone();
                async move {
                    let status = browser.find(Locator::Css("#status")).await.ok()?;
                    let text = status.text().await.ok()?;
                    assert!(
                        status.attr("class").await.ok()?.as_deref() != Some("error"),
                        "{app}: the lamp refused the page's form: {text}"
                    );
                    (text == want).then_some(())
                }
            },
        )
        .await;
    }
    let ceiling = browser
        .find(Locator::Css(
            "li.surface[data-surface='ceiling'] form.app-form",
        ))
        .await
        .expect("the ceiling's form");
    ceiling
        .find(Locator::Css("select[name=app]"))
        .await
        .expect("app menu")
        .select_by_value("space-porthole")
        .await
        .expect("choose the porthole");
    ceiling
        .find(Locator::Css("button[type=submit]"))
        .await
        .expect("save button")
        .click()
        .await
        .expect("save");
    until(
        "the ceiling's app is saved",
        Duration::from_secs(10),
        || {
            let places = places.clone();
            async move {
                let config: LanternConfig = places.load().ok()?;
                let app = config.apps.iter().find(|a| a.surface == "ceiling")?;
                (app.settings().name() == "space-porthole").then_some(())
            }
        },
    )
    .await;

    let preview_before = browser
        .find(Locator::Css("#preview"))
        .await
        .expect("preview")
        .screenshot()
        .await
        .expect("preview shot");
    // The lamp is turned up to the ceiling.
    lamp.sim.turn_to(CEILING, Duration::from_millis(800));
    until(
        "the page says the lamp points at the ceiling",
        Duration::from_secs(15),
        || {
            let browser = browser.clone();
            async move {
                let text = browser
                    .find(Locator::Css("#sensed"))
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                (text == "ceiling").then_some(())
            }
        },
    )
    .await;
    // The live preview shows the star map: a dark sky with bright stars, where the ceiling's
    // old app was a bright lamp filling the picture.
    let preview = browser
        .find(Locator::Css("#preview"))
        .await
        .expect("preview");
    let (wall_mean, _) = brightness(&preview_before);
    assert!(wall_mean > 120.0, "the wall's lamp is bright: {wall_mean}");
    let last = Arc::new(Mutex::new((0.0, 0.0)));
    let seen = Arc::clone(&last);
    let (mean, stars) = until(
        "the preview shows the star map",
        Duration::from_secs(15),
        || {
            let preview = preview.clone();
            let seen = Arc::clone(&seen);
            async move {
                let shot = preview.screenshot().await.ok()?;
                let (mean, stars) = brightness(&shot);
                *seen.lock().expect("seen") = (mean, stars);
                std::fs::write(
                    Path::new(env!("CARGO_TARGET_TMPDIR")).join("lantern-preview.png"),
                    &shot,
                )
                .ok()?;
                (mean < 60.0 && stars > 0.002 && stars < 0.2).then_some((mean, stars))
            }
        },
    )
    .await;
    let screenshot = browser.screenshot().await.expect("screenshot");
    let saved = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lantern-companion.png");
    std::fs::write(&saved, &screenshot).expect("save the screenshot");
    eprintln!(
        "preview: mean brightness {mean:.1}, {:.2}% star pixels; screenshot at {}",
        stars * 100.0,
        saved.display()
    );
    assert_eq!(
        lamp.handle.state().borrow().showing.as_deref(),
        Some("ceiling")
    );

    browser.close().await.expect("browser closes");
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
}

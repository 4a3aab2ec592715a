//! The desktop simulator in a real browser (headless Chromium over WebDriver): the real
//! `atelier-sim` process; the page shows the lamp's own companion page in its frame; the
//! hardware panel's buttons turn the simulated lamp, and the companion page inside the frame
//! sees it; Space presses the comic robot's button and the comic comes out on the simulated
//! paper; a sample plotted at ×1000 finishes on the simulated wall. Screenshots of the desktop page (wide), the paper, and a phone-sized window are saved
//! in the test's target folder.
//!
//! Needs Debian's `chromium` and `chromium-driver` (tests/run.sh installs them).

mod common;

use std::path::Path;
use std::time::Duration;

use atelier_browser::until;
use fantoccini::Locator;

use common::{small_plotter_config, start_with, until_showing};

/// The text of `selector` inside the lamp's frame, once the frame's page has it.
async fn in_lamp_frame(browser: &fantoccini::Client, selector: &str) -> Option<String> {
    browser.enter_frame(0).await.ok()?;
    let text = match browser.find(Locator::Css(selector)).await {
        Ok(element) => element.text().await.ok(),
        Err(_) => None,
    };
    browser.enter_parent_frame().await.ok()?;
    text
}

fn save(png: &[u8], name: &str) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, png).expect("screenshot saved");
    eprintln!("screenshot: {}", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
async fn the_hardware_panel_turns_the_lamp_and_its_page_in_the_frame_follows() {
    let dir = tempfile::tempdir().expect("browser folder");
    let plotter_config = small_plotter_config(dir.path());
    let sim = start_with(&[
        "--comic-speed",
        "20",
        "--plotter-speed",
        "1000",
        "--plotter-config",
        plotter_config.to_str().expect("UTF-8 path"),
    ]);
    let session = atelier_browser::headless(dir.path(), 1280, 1500).await;
    let browser = session.client.clone();
    let page = format!("http://{}/", sim.address);
    browser.goto(&page).await.expect("the page loads");
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#lantern iframe"))
        .await
        .expect("the lamp's frame");
    // The companion inside the frame reads the lamp: read access is open on the simulator.
    until(
        "the frame's companion says the lamp points at the ceiling",
        Duration::from_secs(20),
        || async { (in_lamp_frame(&browser, "#sensed").await? == "ceiling").then_some(()) },
    )
    .await;

    for (button, surface) in [("wall", "wall"), ("table", "table"), ("ceiling", "ceiling")] {
        browser
            .find(Locator::Css(&format!("button[data-toward='{button}']")))
            .await
            .expect("the panel's button")
            .click()
            .await
            .expect("click");
        let pressed = until(
            "the panel shows the button pressed",
            Duration::from_secs(10),
            || async {
                let element = browser
                    .find(Locator::Css(&format!("button[data-toward='{button}']")))
                    .await
                    .ok()?;
                (element.attr("aria-pressed").await.ok()?.as_deref() == Some("true")).then_some(())
            },
        );
        pressed.await;
        // The real lamp, through its own API, and its page in the frame.
        until_showing(&sim, surface);
        until(
            &format!("the frame's companion says {surface}"),
            Duration::from_secs(20),
            || async { (in_lamp_frame(&browser, "#sensed").await? == surface).then_some(()) },
        )
        .await;
        if surface == "wall" {
            save(
                &browser.screenshot().await.expect("screenshot"),
                "atelier-sim-lamp-at-the-wall.png",
            );
        }
    }

    // Dragging the lamp's beam round to point down turns the lamp to the table (the pointer
    // events a mouse or a finger sends, on the dial's lowest point).
    browser
        .execute(
            "const dial = document.querySelector('#lamp-drag');
             dial.scrollIntoView();
             const box = dial.getBoundingClientRect();
             const at = { clientX: box.left + box.width / 2, clientY: box.bottom - 4,
                          pointerId: 1, bubbles: true };
             dial.setPointerCapture = () => {};
             dial.dispatchEvent(new PointerEvent('pointerdown', at));
             dial.dispatchEvent(new PointerEvent('pointerup', at));",
            vec![],
        )
        .await
        .expect("the drag");
    until_showing(&sim, "table");

    // The comic robot's big button, pressed from the keyboard: a comic comes out on the
    // simulated paper, and the page shows it.
    // The robot watches its button once it is up (it has made its first comic ahead): a press
    // before that is missed, on a Pi as here.
    until(
        "the comic robot is up",
        Duration::from_secs(300),
        || async {
            let events = browser.find(Locator::Css("#comic-events")).await.ok()?;
            events
                .text()
                .await
                .ok()?
                .contains("comic 1 made")
                .then_some(())
        },
    )
    .await;
    // The keyboard's focus on the desktop page itself, not in the lamp's frame.
    browser
        .find(Locator::Css("header h1"))
        .await
        .expect("the page's title")
        .click()
        .await
        .expect("focus the page");
    browser
        .find(Locator::Css("body"))
        .await
        .expect("the page")
        .send_keys(" ")
        .await
        .expect("press Space");
    until(
        "the page says the press was taken",
        Duration::from_secs(60),
        || async {
            let counts = browser.find(Locator::Css("#comic-counts")).await.ok()?;
            let text = counts.text().await.ok()?;
            text.contains("1 pressed").then_some(())
        },
    )
    .await;
    // Under qemu (the suite for the Pi) composing and printing take minutes, not seconds.
    until(
        "the page says the comic is on paper",
        Duration::from_secs(300),
        || async {
            let counts = browser.find(Locator::Css("#comic-counts")).await.ok()?;
            counts
                .text()
                .await
                .ok()?
                .contains("1 on paper")
                .then_some(())
        },
    )
    .await;
    let paper = until(
        "the paper shows the comic",
        Duration::from_secs(20),
        || async {
            let height = browser
                .execute(
                    "return document.querySelector('#paper').naturalHeight;",
                    vec![],
                )
                .await
                .ok()?
                .as_u64()?;
            // A comic is hundreds of rows of paper.
            if height < 300 {
                return None;
            }
            browser.find(Locator::Css("#paper")).await.ok()
        },
    )
    .await;
    save(
        &paper.screenshot().await.expect("the paper's screenshot"),
        "atelier-sim-comic-paper.png",
    );
    save(
        &browser.screenshot().await.expect("screenshot"),
        "atelier-sim-comic.png",
    );
    // The robot's own page in its frame follows the same robot: comic 1 is in its archive.
    until(
        "the robot's page lists comic 1",
        Duration::from_secs(60),
        || async {
            browser.enter_frame(1).await.ok()?;
            let listed = browser
                .find(Locator::Css("#archive img[alt='Comic 1']"))
                .await
                .is_ok();
            browser.enter_parent_frame().await.ok()?;
            listed.then_some(())
        },
    )
    .await;

    // The plotter: a sample in a style, plotted as fast as the simulator goes.
    browser
        .find(Locator::Css("#sample"))
        .await
        .expect("the picture menu")
        .select_by_value("ramp.png")
        .await
        .expect("choose the ramp");
    browser
        .find(Locator::Css("#style"))
        .await
        .expect("the style menu")
        .select_by_value("squarewave")
        .await
        .expect("choose squarewave");
    browser
        .find(Locator::Css("#plot"))
        .await
        .expect("the Plot button")
        .click()
        .await
        .expect("plot");
    until(
        "the page says the plot is done",
        Duration::from_secs(300),
        || async {
            let status = browser.find(Locator::Css("#plotter-status")).await.ok()?;
            let text = status.text().await.ok()?;
            assert!(!text.starts_with("failed"), "the plot failed: {text}");
            text.starts_with("done").then_some(())
        },
    )
    .await;
    // The canvas is fetched again once the plot is done.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let wall = browser
        .find(Locator::Css("#polargraph .wall"))
        .await
        .expect("the wall");
    save(
        &wall.screenshot().await.expect("the wall's screenshot"),
        "atelier-sim-plotter.png",
    );

    // A bad value from the page is shown, not swallowed: the tilt slider is in range, so send
    // one the page itself would never send.
    let answer = browser
        .execute_async(
            "const done = arguments[0];
             fetch('api/lantern/panel', {method: 'PUT', headers: {'Content-Type': 'application/json'},
                                         body: JSON.stringify({noise_g: 9})})
               .then(r => r.json().then(j => done([r.status, j.error])));",
            vec![],
        )
        .await
        .expect("script runs");
    assert_eq!(answer[0], 422, "{answer}");
    assert!(
        answer[1].as_str().unwrap_or_default().contains("0 to 0.5"),
        "{answer}"
    );

    // Phone-sized: the machines stack, nothing needs sideways scrolling.
    browser
        .set_window_size(412, 900)
        .await
        .expect("phone-sized window");
    let overflow = browser
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .expect("script runs");
    assert_eq!(overflow.as_i64(), Some(0), "the page scrolls sideways");
    save(
        &browser.screenshot().await.expect("screenshot"),
        "atelier-sim-phone.png",
    );
    // The comic robot's own page on a phone, as `comic run` serves it on a Pi.
    browser
        .goto(&format!("{page}comic/"))
        .await
        .expect("the robot's page loads");
    until(
        "the robot's page lists comic 1",
        Duration::from_secs(20),
        || async {
            browser
                .find(Locator::Css("#archive img[alt='Comic 1']"))
                .await
                .ok()
        },
    )
    .await;
    save(
        &browser.screenshot().await.expect("screenshot"),
        "atelier-sim-comic-page.png",
    );
    // The plotter's own page: the finished plot's paper on the wall, as `polargraph run`
    // serves it on a Pi.
    browser
        .goto(&format!("{page}polargraph/"))
        .await
        .expect("the plotter's page loads");
    until(
        "the plotter's page shows its paper",
        Duration::from_secs(20),
        || async {
            let width = browser
                .execute(
                    "return document.querySelector('#canvas').naturalWidth;",
                    vec![],
                )
                .await
                .ok()?
                .as_u64()?;
            let activity = browser.find(Locator::Css("#activity")).await.ok()?;
            let text = activity.text().await.ok()?;
            (width > 0 && text.starts_with("idle")).then_some(())
        },
    )
    .await;
    save(
        &browser.screenshot().await.expect("screenshot"),
        "atelier-sim-plotter-page.png",
    );
    browser.close().await.expect("browser closes");
}

//! Live updates: a machine's state, as it changes, to every open page by server-sent events.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Serialize;
use tokio::sync::watch;

/// Streams `state` to one page: the current value at once, then every change as an event named
/// `event` with the value as JSON. Changes faster than the page reads are merged (a watch keeps
/// only the latest), so a slow phone never makes the machine queue updates for it.
pub fn sse<T>(
    state: watch::Receiver<T>,
    event: &'static str,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    T: Serialize + Send + Sync + 'static,
{
    let stream =
        futures_util::stream::unfold((state, true), move |(mut state, first)| async move {
            if !first && state.changed().await.is_err() {
                return None;
            }
            let json = serde_json::to_string(&*state.borrow_and_update()).unwrap_or_default();
            Some((Ok(Event::default().event(event).data(json)), (state, false)))
        });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Streams what `sample` returns to one page, looked at every `every` (a fixed rate, however
/// long a look and a send take) and sent as an event named `event` when it changed (and once
/// at the start): for a machine whose state changes far more often than a page can show (a
/// plotter's step counters), the work per page is bounded by the rate, not by the machine.
pub fn sse_sampled<T, F>(
    sample: F,
    every: Duration,
    event: &'static str,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    T: Serialize + PartialEq + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let mut ticks = tokio::time::interval(every);
    // A page that fell behind gets the state now, not a burst of missed looks.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let stream = futures_util::stream::unfold(
        (sample, None::<T>, ticks),
        move |(sample, mut last, mut ticks)| async move {
            loop {
                ticks.tick().await;
                let now = sample();
                if last.as_ref() != Some(&now) {
                    let json = serde_json::to_string(&now).unwrap_or_default();
                    return Some((
                        Ok(Event::default().event(event).data(json)),
                        (sample, Some(now), ticks),
                    ));
                }
                last = Some(now);
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

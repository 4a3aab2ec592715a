//! From an app's drawing to the projector: the in-memory [`Frame`], text at projector size,
//! rotation and mirroring, crossfades, and the outputs behind [`FrameSink`].

mod fb;
mod frame;
mod orient;
mod sink;
pub mod text;

pub use embedded_graphics::pixelcolor::Rgb888;
#[cfg(target_os = "linux")]
pub use fb::FbSink;
pub use fb::{Channel, FbLayout};
pub use frame::Frame;
pub use orient::{Orientation, Rotation, crossfade};
pub use sink::{FrameSink, OutputState, PngSink, Resilient, SimSink, SinkError, save_png};
pub use text::Text;

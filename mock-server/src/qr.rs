//! QR codes as the service sends them: a PNG image, base64-encoded without
//! a `data:` prefix. The mock's codes are real and scannable; their content
//! imitates a WhatsApp pairing reference.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcode::{Color, QrCode};

/// Pixels per QR module.
const SCALE: usize = 8;
/// Light modules around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// A QR code the mock handed out. The image is drawn when a response first
/// carries it: a mock of thousands of instances starts, and restarts them,
/// without drawing codes nobody asks for (drawing is what made starting a
/// fleet of 500 cost seconds in a debug build).
#[derive(Debug, Clone)]
pub(crate) struct QrImage {
    /// What the code says.
    pub(crate) payload: String,
    /// The PNG, base64-encoded, once drawn.
    png_base64: OnceLock<String>,
}

impl QrImage {
    pub(crate) fn new(payload: String) -> Self {
        Self {
            payload,
            png_base64: OnceLock::new(),
        }
    }

    /// The PNG, base64-encoded (drawn on the first call).
    pub(crate) fn png_base64(&self) -> &str {
        self.png_base64
            .get_or_init(|| STANDARD.encode(png_of(&self.payload)))
    }
}

/// Encodes `payload` as a black-on-white 8-bit grayscale PNG.
pub(crate) fn png_of(payload: &str) -> Vec<u8> {
    // A payload of a few dozen bytes always fits a QR code; the mock builds
    // its payloads itself, so failure here is a bug in the mock.
    let code = QrCode::new(payload.as_bytes()).expect("mock QR payloads fit in a QR code");
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (row, column) = (index / modules + QUIET_ZONE, index % modules + QUIET_ZONE);
            for y in row * SCALE..(row + 1) * SCALE {
                pixels[y * side + column * SCALE..y * side + (column + 1) * SCALE].fill(0);
            }
        }
    }
    encode_grayscale(side, &pixels)
}

fn encode_grayscale(side: usize, pixels: &[u8]) -> Vec<u8> {
    let side = u32::try_from(side).expect("QR images are a few hundred pixels wide");
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    // Writing to a Vec cannot fail, and the size matches the header.
    let mut writer = encoder.write_header().expect("PNG header to a Vec");
    writer.write_image_data(pixels).expect("PNG data to a Vec");
    writer.finish().expect("PNG end to a Vec");
    png
}

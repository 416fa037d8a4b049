//! Draws a QR code in the terminal from the PNG the API sends: the PNG is
//! decoded (`png`), the code in it read (`rqrr`), and the same content
//! drawn again (`qrcode`) with half-block characters, two module rows per
//! text line, light modules as blocks (the convention of `qrencode -t
//! UTF8`, made for dark terminals). On a terminal the lines also set
//! white-on-black colours, so the code scans whatever the theme.

use std::fmt;
use std::io::Cursor;

use qrcode::render::Renderer;
use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode, Version};

/// Light modules drawn around the code; scanners need a margin (two is
/// enough on a screen, and keeps the code small in a terminal).
const QUIET_ZONE: u32 = 2;
/// Images larger than this are not QR codes from this API.
const MAX_PNG_BYTES: usize = 16 * 1024 * 1024;

/// Why a QR code could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrImageError(String);

impl fmt::Display for QrImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the QR code cannot be drawn: {}", self.0)
    }
}

impl std::error::Error for QrImageError {}

impl From<hypersender::InvalidQrCode> for QrImageError {
    fn from(error: hypersender::InvalidQrCode) -> Self {
        Self(error.to_string())
    }
}

/// The QR code in a PNG image, read back into a code to draw.
pub fn read(png: &[u8]) -> Result<QrCode, QrImageError> {
    let image = Grayscale::decode(png)?;
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(image.width, image.height, |x, y| {
            image.luma[y * image.width + x]
        });
    let grids = prepared.detect_grids();
    let grid = grids
        .first()
        .ok_or_else(|| not_a_qr_code("no code found"))?;
    let (meta, content) = grid
        .decode()
        .map_err(|e| not_a_qr_code(&format!("it does not decode: {e}")))?;
    // The same version and error correction as the original, so the drawn
    // code has its size; a content that does not fit them (it always
    // should) is drawn at the size it needs.
    let level = match meta.ecc_level {
        0 => EcLevel::M,
        1 => EcLevel::L,
        2 => EcLevel::H,
        _ => EcLevel::Q,
    };
    let version = i16::try_from(meta.version.0).unwrap_or(40);
    QrCode::with_version(content.as_bytes(), Version::Normal(version), level)
        .or_else(|_| QrCode::new(content.as_bytes()))
        .map_err(|e| not_a_qr_code(&format!("its content cannot be drawn again: {e}")))
}

fn not_a_qr_code(why: &str) -> QrImageError {
    QrImageError(format!("the image does not look like a QR code ({why})"))
}

/// The code as text, two module rows per line; `colors` adds ANSI colours.
pub fn render(code: &QrCode, colors: bool) -> String {
    let drawn = Renderer::<Dense1x2>::new(&code.to_colors(), code.width(), QUIET_ZONE)
        // Light modules as blocks: inverted for dark terminals.
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .build();
    let mut lines: Vec<String> = drawn.lines().map(str::to_owned).collect();
    // With an odd number of module rows the last line holds one row (quiet
    // zone) over nothing, which the renderer draws as a half block; below
    // the code is light too, so it is a whole one.
    if (code.width() + 2 * QUIET_ZONE as usize) % 2 == 1
        && let Some(last) = lines.last_mut()
    {
        *last = last.replace('\u{2580}', "\u{2588}");
    }
    let mut text = String::new();
    for line in lines {
        if colors {
            text.push_str("\x1b[97;40m");
        }
        text.push_str(&line);
        if colors {
            text.push_str("\x1b[0m");
        }
        text.push('\n');
    }
    text
}

/// A PNG as 8-bit luminance, alpha composed over white.
struct Grayscale {
    width: usize,
    height: usize,
    luma: Vec<u8>,
}

impl Grayscale {
    fn decode(png: &[u8]) -> Result<Self, QrImageError> {
        let not_png =
            |e: &dyn fmt::Display| QrImageError(format!("qr_code is not a PNG image ({e})"));
        let mut decoder = png::Decoder::new_with_limits(
            Cursor::new(png),
            png::Limits {
                bytes: MAX_PNG_BYTES,
            },
        );
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(|e| not_png(&e))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| not_png(&"the image is too large"))?;
        let mut pixels = vec![0; size];
        let frame = reader.next_frame(&mut pixels).map_err(|e| not_png(&e))?;
        let channels = frame.color_type.samples();
        let (width, height) = (frame.width as usize, frame.height as usize);
        let luma = (0..width * height)
            .map(|i| {
                let at = (i / width) * frame.line_size + (i % width) * channels;
                luminance(frame.color_type, &pixels[at..at + channels])
            })
            .collect();
        Ok(Self {
            width,
            height,
            luma,
        })
    }
}

fn luminance(color: png::ColorType, sample: &[u8]) -> u8 {
    let gray = |r: u8, g: u8, b: u8| {
        ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
    };
    let over_white = |value: u8, alpha: u8| {
        let alpha = u32::from(alpha);
        ((u32::from(value) * alpha + 255 * (255 - alpha)) / 255) as u8
    };
    match (color, sample) {
        (png::ColorType::GrayscaleAlpha, [v, a]) => over_white(*v, *a),
        (png::ColorType::Rgb, [r, g, b]) => gray(*r, *g, *b),
        (png::ColorType::Rgba, [r, g, b, a]) => over_white(gray(*r, *g, *b), *a),
        (_, [v, ..]) => *v,
        (_, []) => 255,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::Color;

    type Pixel = fn(bool) -> Vec<u8>;

    /// `code` as a PNG: `scale` pixels per module, `margin` modules around.
    fn encode(
        code: &QrCode,
        scale: usize,
        margin: usize,
        color: png::ColorType,
        pixel: Pixel,
    ) -> Vec<u8> {
        let colors = code.to_colors();
        let modules = code.width();
        let dark = |row: Option<usize>, column: Option<usize>| match (row, column) {
            (Some(r), Some(c)) if r < modules && c < modules => {
                colors[r * modules + c] == Color::Dark
            }
            _ => false,
        };
        let side = (modules + 2 * margin) * scale;
        let mut data = Vec::new();
        for y in 0..side {
            for x in 0..side {
                let row = (y / scale).checked_sub(margin);
                let column = (x / scale).checked_sub(margin);
                data.extend(pixel(dark(row, column)));
            }
        }
        let mut png = Vec::new();
        let mut encoder = png::Encoder::new(&mut png, side as u32, side as u32);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        png
    }

    fn reference() -> QrCode {
        QrCode::new(b"2@mock-pairing-reference,with-some-length-to-it").unwrap()
    }

    #[test]
    fn reads_the_code_back_at_any_scale_and_colour_type() {
        let expected = reference();
        let cases: [(usize, usize, png::ColorType, Pixel); 5] = [
            (2, 4, png::ColorType::Grayscale, |d| {
                vec![if d { 0 } else { 255 }]
            }),
            (3, 2, png::ColorType::Grayscale, |d| {
                vec![if d { 20 } else { 230 }]
            }),
            (8, 4, png::ColorType::Rgb, |d| {
                if d {
                    vec![0, 0, 80]
                } else {
                    vec![255, 255, 240]
                }
            }),
            // Transparent background, as some renderers make it.
            (5, 2, png::ColorType::Rgba, |d| {
                if d {
                    vec![0, 0, 0, 255]
                } else {
                    vec![0, 0, 0, 0]
                }
            }),
            (6, 4, png::ColorType::GrayscaleAlpha, |d| {
                vec![0, if d { 255 } else { 0 }]
            }),
        ];
        for (scale, margin, color, pixel) in cases {
            let png = encode(&expected, scale, margin, color, pixel);
            let read = read(&png).unwrap_or_else(|e| panic!("scale {scale}, {color:?}: {e}"));
            assert_eq!(
                read.to_colors(),
                expected.to_colors(),
                "scale {scale}, {color:?}"
            );
        }
    }

    #[test]
    fn draws_two_module_rows_per_line_inside_a_quiet_zone() {
        let code = QrCode::new(b"hi").unwrap();
        let text = render(&code, false);
        let lines: Vec<&str> = text.lines().collect();
        let span = code.width() + 2 * QUIET_ZONE as usize;
        assert_eq!(lines.len(), span.div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == span));
        assert!(lines[0].chars().all(|c| c == '█'), "quiet zone is light");
        assert!(
            lines[lines.len() - 1].chars().all(|c| c == '█'),
            "and so is below it"
        );
        // Top-left finder pattern: module row 0 is dark, row 1 dark-light-dark;
        // they share text line 1, where light halves are drawn.
        let finder: String = lines[1].chars().skip(QUIET_ZONE as usize).take(7).collect();
        assert_eq!(finder, " ▄▄▄▄▄ ");
        let colored = render(&code, true);
        assert!(
            colored
                .lines()
                .all(|l| l.starts_with("\x1b[97;40m") && l.ends_with("\x1b[0m"))
        );
    }

    /// Why `png` cannot be drawn.
    fn failure(png: &[u8]) -> String {
        match read(png) {
            Ok(_) => panic!("a bad image was read"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn explains_what_is_wrong_with_a_bad_image() {
        let error = |qr_code: &str| match hypersender::QrCode::new(qr_code).png() {
            Ok(png) => failure(&png),
            Err(invalid) => QrImageError::from(invalid).to_string(),
        };
        assert!(error("not base64!").contains("qr_code: not valid base64"));
        // The documentation's example is cut short.
        assert!(error("iVBORw0KGgoAAAANSUhEUgAAA...").contains("not valid base64"));
        assert!(error("aGVsbG8=").contains("qr_code: not a PNG image"));
        for (what, pixel) in [
            ("blank", (|_| vec![255]) as Pixel),
            ("all dark", |_| vec![0]),
        ] {
            let png = encode(&reference(), 2, 0, png::ColorType::Grayscale, pixel);
            let message = failure(&png);
            assert!(
                message.contains("does not look like a QR code"),
                "{what}: {message}"
            );
        }
        let png = encode(&reference(), 4, 4, png::ColorType::Grayscale, |d| {
            vec![if d { 0 } else { 255 }]
        });
        assert!(failure(&png[..png.len() / 2]).contains("not a PNG"));
    }
}

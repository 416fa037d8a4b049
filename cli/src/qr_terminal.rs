//! Draws a QR code in the terminal from the PNG the API sends.
//!
//! The image is read back into its grid of modules (located by the top-left
//! finder pattern, then sampled at each module's centre) and drawn with
//! half-block characters, two module rows per text line, light modules as
//! blocks (the convention of `qrencode -t UTF8`, made for dark terminals).
//! On a terminal the lines also set white-on-black colours, so the code
//! scans whatever the theme.

use std::fmt;
use std::io::Cursor;

/// Light modules drawn around the code; scanners need a margin.
const QUIET_ZONE: usize = 2;
/// Images larger than this are not QR codes from this API.
const MAX_PNG_BYTES: usize = 16 * 1024 * 1024;
/// QR codes are 21 (version 1) to 177 (version 40) modules across.
const SIDES: std::ops::RangeInclusive<usize> = 21..=177;
/// Finder patterns are 7 modules across.
const FINDER: usize = 7;

/// Why a QR code could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrImageError(String);

impl fmt::Display for QrImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the QR code cannot be drawn: {}", self.0)
    }
}

impl std::error::Error for QrImageError {}

/// A QR code's modules, row by row (`true` is dark).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modules {
    side: usize,
    dark: Vec<bool>,
}

impl Modules {
    fn is_dark(&self, row: usize, column: usize) -> bool {
        row < self.side && column < self.side && self.dark[row * self.side + column]
    }
}

impl From<hypersender::InvalidQrCode> for QrImageError {
    fn from(error: hypersender::InvalidQrCode) -> Self {
        Self(error.to_string())
    }
}

/// Reads the modules of the QR code in a PNG image.
pub fn modules(png: &[u8]) -> Result<Modules, QrImageError> {
    let image = Grayscale::decode(png)?;
    let (left, top, width, height) = image
        .dark_bounds()
        .ok_or_else(|| QrImageError("the image has no dark pixels".into()))?;
    let finder_run = (left..left + width)
        .take_while(|&x| image.is_dark(x, top))
        .count();
    let module = finder_run as f64 / FINDER as f64;
    let side = (width as f64 / module).round() as usize;
    let tall = (height as f64 / module).round() as usize;
    if module < 1.0 || side != tall || !SIDES.contains(&side) || !(side - 17).is_multiple_of(4) {
        return Err(not_a_qr_code(format!(
            "its dark area is {width}x{height} pixels with a {finder_run}-pixel corner run"
        )));
    }
    let pitch_x = width as f64 / side as f64;
    let pitch_y = height as f64 / side as f64;
    let dark = (0..side * side)
        .map(|i| {
            let x = left as f64 + ((i % side) as f64 + 0.5) * pitch_x;
            let y = top as f64 + ((i / side) as f64 + 0.5) * pitch_y;
            image.is_dark(x as usize, y as usize)
        })
        .collect();
    let modules = Modules { side, dark };
    if has_finder_patterns(&modules) {
        Ok(modules)
    } else {
        Err(not_a_qr_code("its corners lack finder patterns".to_owned()))
    }
}

fn not_a_qr_code(why: String) -> QrImageError {
    QrImageError(format!("the image does not look like a QR code ({why})"))
}

/// The three 7x7 corner squares every QR code has: a dark ring, a light
/// ring, a dark 3x3 centre.
fn has_finder_patterns(modules: &Modules) -> bool {
    let far = modules.side - FINDER;
    [(0, 0), (0, far), (far, 0)].iter().all(|&(row, column)| {
        (0..FINDER).all(|r| {
            (0..FINDER).all(|c| {
                let ring = r.min(c).min(FINDER - 1 - r).min(FINDER - 1 - c);
                modules.is_dark(row + r, column + c) == (ring != 1)
            })
        })
    })
}

/// The code as text, two module rows per line; `colors` adds ANSI colours.
pub fn render(modules: &Modules, colors: bool) -> String {
    let span = modules.side + 2 * QUIET_ZONE;
    // Coordinates include the quiet zone; outside the code is light.
    let light = |row: usize, column: usize| {
        let inside = |v: usize| v.checked_sub(QUIET_ZONE);
        match (inside(row), inside(column)) {
            (Some(r), Some(c)) => !modules.is_dark(r, c),
            _ => true,
        }
    };
    let mut text = String::new();
    for row in (0..span).step_by(2) {
        if colors {
            text.push_str("\x1b[97;40m");
        }
        for column in 0..span {
            let bottom = row + 1 >= span || light(row + 1, column);
            text.push(match (light(row, column), bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if colors {
            text.push_str("\x1b[0m");
        }
        text.push('\n');
    }
    text
}

/// An image as 8-bit luminance, transparency composited over white.
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

    fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.luma[y * self.width + x] < 128
    }

    /// Left, top, width and height of the smallest box holding every dark
    /// pixel.
    fn dark_bounds(&self) -> Option<(usize, usize, usize, usize)> {
        let dark = |i: usize| self.luma[i] < 128;
        let mut rows =
            (0..self.height).filter(|&y| (0..self.width).any(|x| dark(y * self.width + x)));
        let top = rows.next()?;
        let bottom = rows.next_back().unwrap_or(top);
        let mut columns =
            (0..self.width).filter(|&x| (0..self.height).any(|y| dark(y * self.width + x)));
        let left = columns.next()?;
        let right = columns.next_back().unwrap_or(left);
        Some((left, top, right - left + 1, bottom - top + 1))
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
    use qrcode::{Color, QrCode};

    /// The code's modules, as the qrcode crate made them.
    fn reference(payload: &str) -> Modules {
        let code = QrCode::new(payload.as_bytes()).unwrap();
        Modules {
            side: code.width(),
            dark: code.to_colors().iter().map(|c| *c == Color::Dark).collect(),
        }
    }

    /// How one pixel is stored, given whether it is dark.
    type Pixel = fn(bool) -> Vec<u8>;

    /// Draws `modules` as a PNG: `scale` pixels per module, `margin`
    /// modules of quiet zone, each pixel as `pixel(dark)` in `color`.
    fn encode(
        modules: &Modules,
        scale: usize,
        margin: usize,
        color: png::ColorType,
        pixel: fn(bool) -> Vec<u8>,
    ) -> Vec<u8> {
        let side = (modules.side + 2 * margin) * scale;
        let mut data = Vec::new();
        for y in 0..side {
            for x in 0..side {
                let (row, column) = (
                    (y / scale).checked_sub(margin),
                    (x / scale).checked_sub(margin),
                );
                let dark = matches!((row, column), (Some(r), Some(c)) if modules.is_dark(r, c));
                data.extend(pixel(dark));
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

    #[test]
    fn reads_the_modules_back_at_any_scale_and_colour_type() {
        let expected = reference("2@mock-pairing-reference,with-some-length-to-it");
        let cases: [(usize, usize, png::ColorType, Pixel); 5] = [
            (1, 4, png::ColorType::Grayscale, |d| {
                vec![if d { 0 } else { 255 }]
            }),
            (3, 0, png::ColorType::Grayscale, |d| {
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
            assert_eq!(
                modules(&png),
                Ok(expected.clone()),
                "scale {scale}, {color:?}"
            );
        }
    }

    #[test]
    fn draws_two_module_rows_per_line_inside_a_quiet_zone() {
        let code = reference("hi");
        let text = render(&code, false);
        let lines: Vec<&str> = text.lines().collect();
        let span = code.side + 2 * QUIET_ZONE;
        assert_eq!(lines.len(), span.div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == span));
        assert!(lines[0].chars().all(|c| c == '█'), "quiet zone is light");
        // Top-left finder pattern: module row 0 is dark, row 1 dark-light-dark;
        // they share text line 1, where light halves are drawn.
        let finder: String = lines[1].chars().skip(QUIET_ZONE).take(FINDER).collect();
        assert_eq!(finder, " ▄▄▄▄▄ ");
        let colored = render(&code, true);
        assert!(
            colored
                .lines()
                .all(|l| l.starts_with("\x1b[97;40m") && l.ends_with("\x1b[0m"))
        );
    }

    #[test]
    fn explains_what_is_wrong_with_a_bad_image() {
        let error = |qr_code: &str| {
            hypersender::QrCode::new(qr_code)
                .png()
                .map_err(QrImageError::from)
                .and_then(|png| modules(&png))
                .unwrap_err()
                .to_string()
        };
        assert!(error("not base64!").contains("qr_code: not valid base64"));
        // The documentation's example is cut short.
        assert!(error("iVBORw0KGgoAAAANSUhEUgAAA...").contains("not valid base64"));
        assert!(error("aGVsbG8=").contains("qr_code: not a PNG image"));
        let blank = encode(&reference("x"), 2, 0, png::ColorType::Grayscale, |_| {
            vec![255]
        });
        assert!(
            modules(&blank)
                .unwrap_err()
                .to_string()
                .contains("no dark pixels")
        );
        let square = encode(&reference("x"), 2, 0, png::ColorType::Grayscale, |_| {
            vec![0]
        });
        assert!(
            modules(&square)
                .unwrap_err()
                .to_string()
                .contains("does not look like a QR code")
        );
        let png = encode(&reference("x"), 4, 4, png::ColorType::Grayscale, |d| {
            vec![if d { 0 } else { 255 }]
        });
        assert!(
            modules(&png[..png.len() / 2])
                .unwrap_err()
                .to_string()
                .contains("not a PNG")
        );
    }
}

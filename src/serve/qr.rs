//! QR codes of the links: half-block characters for the terminal, inline SVG for the printed sheet.

use qrcode::{Color, EcLevel, QrCode};

/// Modules of light margin around the code, as scanners expect.
const QUIET: usize = 2;

fn modules(text: &str) -> Option<(usize, Vec<bool>)> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Some((width, dark))
}

/// The code in half-block characters, light modules drawn (terminals are mostly dark), with its
/// quiet zone; empty when the text does not fit in a QR code.
pub fn terminal(text: &str) -> String {
    let Some((width, dark)) = modules(text) else {
        return String::new();
    };
    let size = width + 2 * QUIET;
    let light = |x: usize, y: usize| {
        if x < QUIET || y < QUIET || x >= width + QUIET || y >= width + QUIET {
            return true;
        }
        !dark[(y - QUIET) * width + (x - QUIET)]
    };
    let mut out = String::new();
    for y in (0..size).step_by(2) {
        out.push_str("  ");
        for x in 0..size {
            let top = light(x, y);
            let bottom = y + 1 < size && light(x, y + 1);
            out.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
    }
    out
}

/// The code as an inline SVG image (dark modules on white), labelled for screen readers.
pub fn svg(text: &str, label: &str) -> String {
    let Some((width, dark)) = modules(text) else {
        return String::new();
    };
    let size = width + 2 * QUIET;
    let mut path = String::new();
    for y in 0..width {
        for x in 0..width {
            if dark[y * width + x] {
                path.push_str(&format!("M{} {}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    format!(
        r##"<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" aria-label="{}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##,
        crate::text::html_escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_render_for_terminal_and_page() {
        let url = "http://192.168.1.20:8080/r/abcdefghijklmnopqrstuvwx";
        let t = terminal(url);
        assert!(t.lines().count() > 10);
        let s = svg(url, "QR code for <Ann>");
        assert!(s.starts_with("<svg") && s.contains("&lt;Ann&gt;"));
    }
}

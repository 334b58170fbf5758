//! Hand-written inline SVG for the HTML report: the overall gauge, score bars, stacked answer bars.
//!
//! Every function returns finished markup; any text in it is escaped here, so the template may
//! insert it as is. Colours that must follow the page's light or dark theme are CSS classes
//! (`track`, `na`, `missing`, `marker`), styled by the page.

use crate::text::html_escape;

/// The colour ramp of scores: red at 0, amber at 50, green at 100.
const RAMP: [(f64, [u8; 3]); 3] = [
    (0.0, [0xc6, 0x4b, 0x3c]),
    (50.0, [0xe3, 0xa5, 0x3a]),
    (100.0, [0x2f, 0x9a, 0x6a]),
];

/// The colour of a score in percent, as `#rrggbb`, along the ramp from red to green.
pub fn ramp(score: f64) -> String {
    let s = if score.is_finite() {
        score.clamp(0.0, 100.0)
    } else {
        0.0
    };
    let [(a, from), (b, to)] = if s <= RAMP[1].0 {
        [RAMP[0], RAMP[1]]
    } else {
        [RAMP[1], RAMP[2]]
    };
    let t = (s - a) / (b - a);
    let mix = |i: usize| (f64::from(from[i]) + (f64::from(to[i]) - f64::from(from[i])) * t).round();
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(0) as u8,
        mix(1) as u8,
        mix(2) as u8
    )
}

/// Dark or white text, whichever reads better on a `#rrggbb` fill.
fn text_on(fill: &str) -> &'static str {
    let channel = |i: usize| {
        fill.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |v| f64::from(v) / 255.0)
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    if luminance > 0.55 {
        "#1b2230"
    } else {
        "#ffffff"
    }
}

/// A number for an attribute: at most two decimals, no trailing zeros.
fn num(x: f64) -> String {
    let s = format!("{:.2}", if x.is_finite() { x } else { 0.0 });
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A horizontal bar for a score in percent, stretched to its box; `marker` draws a tick at an earlier score.
pub fn score_bar(score: Option<f64>, marker: Option<f64>) -> String {
    let mut out = String::from(
        r#"<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect class="track" width="100" height="10"/>"#,
    );
    if let Some(s) = score {
        let s = s.clamp(0.0, 100.0);
        out.push_str(&format!(
            r#"<rect width="{}" height="10" fill="{}"/>"#,
            num(s),
            ramp(s)
        ));
    }
    if let Some(m) = marker {
        let m = num(m.clamp(0.0, 100.0));
        out.push_str(&format!(
            r#"<line class="marker" x1="{m}" x2="{m}" y1="0" y2="10" vector-effect="non-scaling-stroke"/>"#
        ));
    }
    out.push_str("</svg>");
    out
}

/// §14: a score bar with its 95 % interval drawn as a whisker (a line with end caps) across it.
pub fn with_whisker(bar: String, ci: Option<[f64; 2]>) -> String {
    let (Some([lo, hi]), Some(body)) = (ci, bar.strip_suffix("</svg>")) else {
        return bar;
    };
    let (lo, hi) = (num(lo.clamp(0.0, 100.0)), num(hi.clamp(0.0, 100.0)));
    format!(
        r#"{body}<g class="whisker"><line x1="{lo}" x2="{hi}" y1="5" y2="5" vector-effect="non-scaling-stroke"/><line x1="{lo}" x2="{lo}" y1="2" y2="8" vector-effect="non-scaling-stroke"/><line x1="{hi}" x2="{hi}" y1="2" y2="8" vector-effect="non-scaling-stroke"/></g></svg>"#
    )
}

/// A score bar with a target's tick added: a dashed line at the score aimed for.
pub fn with_target(bar: &str, target: f64) -> String {
    let t = num(target.clamp(0.0, 100.0));
    let tick = format!(
        r#"<line class="target" x1="{t}" x2="{t}" y1="0" y2="10" vector-effect="non-scaling-stroke"><title>target {}</title></line>"#,
        super::score(Some(target))
    );
    match bar.rfind("</svg>") {
        Some(i) => format!("{}{tick}{}", &bar[..i], &bar[i..]),
        None => bar.to_string(),
    }
}

/// One part of a stacked bar: a choice (or n/a, or no answer) and how many gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub label: String,
    pub count: u64,
    pub fill: Fill,
}

/// A segment's colour: from the ramp, or a class the page styles for its theme.
#[derive(Debug, Clone, PartialEq)]
pub enum Fill {
    Colour(String),
    Class(&'static str),
}

/// Width and height of a stacked bar; it scales evenly, so its numbers never stretch.
const STACK_W: f64 = 240.0;
const STACK_H: f64 = 22.0;

/// The team's answers to an item as one bar, segments in the order given, each with its count
/// written inside when it fits and a tooltip `label: count`.
pub fn stacked_bar(segments: &[Segment]) -> String {
    let total: u64 = segments.iter().map(|s| s.count).sum();
    let summary: Vec<String> = segments
        .iter()
        .filter(|s| s.count > 0)
        .map(|s| format!("{}: {}", s.label, s.count))
        .collect();
    let mut out = format!(
        r#"<svg class="stack" viewBox="0 0 {} {}" role="img" aria-label="{}">"#,
        num(STACK_W),
        num(STACK_H),
        html_escape(&summary.join(", "))
    );
    out.push_str(&format!(
        r#"<rect class="track" width="{}" height="{}"/>"#,
        num(STACK_W),
        num(STACK_H)
    ));
    let mut x = 0.0;
    for s in segments.iter().filter(|s| s.count > 0) {
        let w = STACK_W * s.count as f64 / total as f64;
        let (fill_attr, ink) = match &s.fill {
            Fill::Colour(c) => (format!(r#"fill="{}""#, html_escape(c)), text_on(c)),
            Fill::Class(class) => (format!(r#"class="{class}""#), ""),
        };
        out.push_str(&format!(
            r#"<g><title>{}: {}</title><rect x="{}" width="{}" height="{}" {fill_attr}/>"#,
            html_escape(&s.label),
            s.count,
            num(x),
            num(w),
            num(STACK_H),
        ));
        let digits = s.count.to_string();
        if w >= 9.0 + 7.0 * digits.len() as f64 {
            let ink = if ink.is_empty() {
                String::from(r#"class="ink""#)
            } else {
                format!(r#"fill="{ink}""#)
            };
            out.push_str(&format!(
                r#"<text x="{}" y="{}" text-anchor="middle" {ink}>{digits}</text>"#,
                num(x + w / 2.0),
                num(STACK_H / 2.0 + 4.5),
            ));
        }
        out.push_str("</g>");
        x += w;
    }
    // Hairlines between segments, drawn last so no segment covers them.
    let mut x = 0.0;
    let drawn: Vec<&Segment> = segments.iter().filter(|s| s.count > 0).collect();
    for s in drawn.iter().take(drawn.len().saturating_sub(1)) {
        x += STACK_W * s.count as f64 / total as f64;
        out.push_str(&format!(
            r#"<line class="sep" x1="{0}" x2="{0}" y1="0" y2="{1}"/>"#,
            num(x),
            num(STACK_H)
        ));
    }
    out.push_str("</svg>");
    out
}

/// The overall score as a ring, the number in its middle; `marker` draws a tick across the
/// ring at an earlier score.
pub fn gauge(score: Option<f64>, marker: Option<f64>) -> String {
    const R: f64 = 52.0;
    let circumference = 2.0 * std::f64::consts::PI * R;
    let mut out = String::from(
        r#"<svg class="gauge" viewBox="0 0 120 120" role="img" aria-label="Overall score"><circle class="track" cx="60" cy="60" r="52" fill="none" stroke-width="12"/>"#,
    );
    let text = match score {
        Some(s) => {
            let s = s.clamp(0.0, 100.0);
            let arc = circumference * s / 100.0;
            out.push_str(&format!(
                r#"<circle cx="60" cy="60" r="52" fill="none" stroke="{}" stroke-width="12" stroke-linecap="round" stroke-dasharray="{} {}" transform="rotate(-90 60 60)"/>"#,
                ramp(s),
                num(arc),
                num(circumference)
            ));
            format!("{s:.1}")
        }
        None => "—".to_string(),
    };
    if let Some(m) = marker {
        // Clockwise from the top, as the arc runs; across the ring and a little beyond it.
        let angle = 2.0 * std::f64::consts::PI * m.clamp(0.0, 100.0) / 100.0;
        let at = |r: f64| (60.0 + r * angle.sin(), 60.0 - r * angle.cos());
        let ((x1, y1), (x2, y2)) = (at(R - 8.0), at(R + 8.0));
        out.push_str(&format!(
            r#"<line class="marker" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        ));
    }
    out.push_str(&format!(
        r#"<text class="gauge-value" x="60" y="64" text-anchor="middle">{text}</text><text class="gauge-unit" x="60" y="82" text-anchor="middle">of 100</text></svg>"#
    ));
    out
}

/// A small square of colour for a legend.
pub fn swatch(fill: &Fill) -> String {
    let fill = match fill {
        Fill::Colour(c) => format!(r#"fill="{}""#, html_escape(c)),
        Fill::Class(class) => format!(r#"class="{class}""#),
    };
    format!(
        r#"<svg class="swatch" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="3" {fill}/></svg>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(label: &str, count: u64, fill: Fill) -> Segment {
        Segment {
            label: label.into(),
            count,
            fill,
        }
    }

    #[test]
    fn the_ramp_runs_from_red_through_amber_to_green() {
        assert_eq!(ramp(0.0), "#c64b3c");
        assert_eq!(ramp(50.0), "#e3a53a");
        assert_eq!(ramp(100.0), "#2f9a6a");
        assert_eq!(ramp(-20.0), ramp(0.0));
        assert_eq!(ramp(140.0), ramp(100.0));
        assert_eq!(ramp(f64::NAN), ramp(0.0));
        // halfway between red and amber
        assert_eq!(ramp(25.0), "#d5783b");
    }

    #[test]
    fn text_contrasts_with_its_fill() {
        assert_eq!(text_on("#2f9a6a"), "#ffffff");
        assert_eq!(text_on("#e3a53a"), "#1b2230");
        assert_eq!(text_on("#ffffff"), "#1b2230");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(72.5), "72.5");
        assert_eq!(num(100.0), "100");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::INFINITY), "0");
    }

    #[test]
    fn a_score_bar_fills_to_the_score_and_marks_the_baseline() {
        let bar = score_bar(Some(72.5), Some(60.0));
        assert!(
            bar.contains(r##"<rect width="72.5" height="10" fill="#"##),
            "{bar}"
        );
        assert!(bar.contains(r#"x1="60" x2="60""#), "{bar}");
        let empty = score_bar(None, None);
        assert!(
            !empty.contains("fill=") && !empty.contains("marker"),
            "{empty}"
        );
        assert!(score_bar(Some(180.0), None).contains(r#"width="100" height="10" fill"#));
    }

    #[test]
    fn a_stacked_bar_splits_its_width_by_count_in_order() {
        let bar = stacked_bar(&[
            seg("No", 1, Fill::Colour(ramp(0.0))),
            seg("Yes", 3, Fill::Colour(ramp(100.0))),
            seg("n/a", 0, Fill::Class("na")),
        ]);
        assert!(
            bar.contains(r##"<rect x="0" width="60" height="22" fill="#c64b3c"/>"##),
            "{bar}"
        );
        assert!(
            bar.contains(r##"<rect x="60" width="180" height="22" fill="#2f9a6a"/>"##),
            "{bar}"
        );
        assert!(!bar.contains("n/a"), "empty segments are left out: {bar}");
        assert_eq!(
            bar.matches("<line").count(),
            1,
            "one hairline between two segments"
        );
        assert!(bar.contains(r#"aria-label="No: 1, Yes: 3""#), "{bar}");
        assert!(bar.contains(">3</text>"), "{bar}");
    }

    #[test]
    fn a_stacked_bar_with_no_answers_is_an_empty_track() {
        let bar = stacked_bar(&[seg("No", 0, Fill::Colour(ramp(0.0)))]);
        assert!(bar.contains(r#"class="track""#));
        assert!(!bar.contains("<g>") && !bar.contains("NaN"), "{bar}");
    }

    #[test]
    fn labels_are_escaped_in_titles_and_aria() {
        let bar = stacked_bar(&[seg(
            "\"><script>alert(1)</script>",
            2,
            Fill::Class("missing"),
        )]);
        assert!(!bar.contains("<script>"), "{bar}");
        assert!(bar.contains("&quot;&gt;&lt;script&gt;"), "{bar}");
        assert!(bar.contains(r#"class="missing""#));
    }

    #[test]
    fn the_gauge_draws_an_arc_in_proportion() {
        let g = gauge(Some(50.0), None);
        assert!(g.contains("stroke-dasharray=\"163.36 326.73\""), "{g}");
        assert!(g.contains(">50.0</text>"));
        let none = gauge(None, None);
        assert!(none.contains(">—</text>") && !none.contains("dasharray"));
        assert!(!g.contains("marker"));
    }

    #[test]
    fn the_gauge_marks_an_earlier_score_across_its_ring() {
        // A quarter of the way round is three o'clock: a horizontal tick right of the centre.
        let g = gauge(Some(80.0), Some(25.0));
        assert!(
            g.contains(r#"<line class="marker" x1="104" y1="60" x2="120" y2="60"/>"#),
            "{g}"
        );
        let top = gauge(Some(80.0), Some(0.0));
        assert!(top.contains(r#"x1="60" y1="16" x2="60" y2="0""#), "{top}");
    }
}

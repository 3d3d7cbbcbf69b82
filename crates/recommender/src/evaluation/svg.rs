//! The frontier as a picture: a hand-written SVG scatter of sweep points, cost-weighted
//! slack across, OOM-free pod-days up, one colour per algorithm, each algorithm's points
//! that no other of its points beats on all three axes joined by a line. CPU risk and the
//! knobs are in each point's tooltip. No dependency: the markup is small and fixed.

use std::fmt::Write;

use super::frontier::{SweepPoint, pareto_front};

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 500.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;

/// Algorithms in drawing order with their colours.
const SERIES: [(&str, &str); 3] = [("vpa", "#d62728"), ("krr", "#1f77b4"), ("kcost", "#2ca02c")];

/// An SVG of `points` with OOM-free pod-days from `min_oom_free` to 1; points below are
/// counted in the caption, not drawn.
pub fn frontier_svg(points: &[SweepPoint], min_oom_free: f64, title: &str) -> String {
    let shown: Vec<&SweepPoint> = points
        .iter()
        .filter(|p| p.oom_free_pod_days >= min_oom_free)
        .collect();
    let lowest_slack = shown.iter().map(|p| p.slack).fold(1.0_f64, f64::min);
    let highest_slack = shown.iter().map(|p| p.slack).fold(0.0_f64, f64::max);
    let x_min = (lowest_slack * 20.0).floor() / 20.0;
    let x_max = ((highest_slack * 20.0).ceil() / 20.0).max(x_min + 0.05);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |slack: f64| LEFT + (slack - x_min) / (x_max - x_min) * plot_w;
    let y = |oom_free: f64| TOP + (1.0 - oom_free) / (1.0 - min_oom_free).max(1e-9) * plot_h;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="22" font-size="14" font-weight="bold">{}</text>"#,
        LEFT,
        escape(title)
    );
    // Axes, ticks and grid.
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>"##
    );
    let mut tick = x_min;
    while tick <= x_max + 1e-9 {
        let px = x(tick);
        let _ = writeln!(
            svg,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{:.1}" stroke="#eee"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{:.0}%</text>"##,
            TOP + plot_h,
            TOP + plot_h + 16.0,
            tick * 100.0
        );
        tick += 0.05;
    }
    let steps = 6;
    for i in 0..=steps {
        let value = min_oom_free + (1.0 - min_oom_free) * f64::from(i) / f64::from(steps);
        let py = y(value);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#eee"/><text x="{:.1}" y="{:.1}" text-anchor="end">{:.1}%</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            py + 4.0,
            value * 100.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">cost-weighted slack (M1, pooled) — lower wastes less</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 18.0
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(18 {:.1}) rotate(-90)" text-anchor="middle">OOM-free pod-days — higher is safer</text>"#,
        TOP + plot_h / 2.0
    );
    // Points and fronts.
    for (i, (algorithm, colour)) in SERIES.iter().enumerate() {
        let front: Vec<String> = pareto_front(points, algorithm)
            .iter()
            .filter(|p| p.oom_free_pod_days >= min_oom_free)
            .map(|p| format!("{:.1},{:.1}", x(p.slack), y(p.oom_free_pod_days)))
            .collect();
        if front.len() > 1 {
            let _ = writeln!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-opacity="0.6"/>"#,
                front.join(" ")
            );
        }
        for p in shown.iter().filter(|p| p.algorithm == *algorithm) {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{colour}" fill-opacity="0.8"><title>{} {}: OOM-free {:.2}%, CPU risk {:.2}%, slack {:.1}%</title></circle>"#,
                x(p.slack),
                y(p.oom_free_pod_days),
                algorithm,
                escape(&p.params_label()),
                p.oom_free_pod_days * 100.0,
                p.cpu_risk * 100.0,
                p.slack * 100.0
            );
        }
        let hidden = points
            .iter()
            .filter(|p| p.algorithm == *algorithm && p.oom_free_pod_days < min_oom_free)
            .count();
        let legend_y = TOP + 10.0 + 36.0 * i as f64;
        let legend_x = LEFT + plot_w + 16.0;
        let _ = writeln!(
            svg,
            r##"<circle cx="{legend_x:.1}" cy="{legend_y:.1}" r="5" fill="{colour}"/><text x="{:.1}" y="{:.1}">{algorithm}</text><text x="{:.1}" y="{:.1}" font-size="10" fill="#555">{hidden} below {:.0}% not shown</text>"##,
            legend_x + 10.0,
            legend_y + 4.0,
            legend_x + 10.0,
            legend_y + 18.0,
            min_oom_free * 100.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn point(algorithm: &str, oom_free: f64, slack: f64) -> SweepPoint {
        SweepPoint {
            algorithm: algorithm.to_owned(),
            params: BTreeMap::from([("margin".to_owned(), 0.15)]),
            oom_free_pod_days: oom_free,
            cpu_risk: 0.03,
            slack,
        }
    }

    #[test]
    fn draws_every_point_at_or_above_the_floor_and_counts_the_rest() {
        let points = vec![
            point("vpa", 0.96, 0.6),
            point("vpa", 0.80, 0.4),
            point("krr", 0.98, 0.7),
            point("kcost", 0.99, 0.55),
            point("kcost", 0.97, 0.50),
        ];
        let svg = frontier_svg(&points, 0.95, "a < b");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(
            svg.matches("<circle cx=").count(),
            4 + 3,
            "4 points, 3 legend dots"
        );
        assert!(svg.contains("1 below 95% not shown"));
        assert!(svg.contains("a &lt; b"));
        // kcost's two points form its front.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("vpa margin=0.15: OOM-free 96.00%"));
    }
}

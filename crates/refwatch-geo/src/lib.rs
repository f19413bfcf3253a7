//! Maps without a tile server or script: boundaries from Natural Earth
//! (shipped as TopoJSON in `data/`, see its README) drawn as SVG, with the
//! places of incidents marked by circles sized by their number.
//!
//! Pure: the boundary data is compiled in; coordinates in, SVG out.

#![deny(missing_docs)]

use std::fmt::Write;

use serde_json::Value;

const PRK: &str = include_str!("../data/prk.topo.json");
const CHN: &str = include_str!("../data/chn.topo.json");
const WORLD: &str = include_str!("../data/world.topo.json");

/// Countries drawn from the world file: the DPRK's and China's neighbours
/// and the transit countries on the way to South Korea.
const NEIGHBOURS: [&str; 10] = [
    "KOR", "MNG", "RUS", "LAO", "THA", "VNM", "MMR", "KHM", "JPN", "TWN",
];

/// A polygon ring in degrees (longitude, latitude).
type Ring = Vec<(f64, f64)>;

/// Decodes every polygon ring of a TopoJSON file, optionally keeping only
/// geometries whose id is in `only`.
fn rings(text: &str, only: Option<&[&str]>) -> Vec<Ring> {
    let Ok(topo) = serde_json::from_str::<Value>(text) else {
        return vec![];
    };
    let scale = [
        topo["transform"]["scale"][0].as_f64().unwrap_or(1.0),
        topo["transform"]["scale"][1].as_f64().unwrap_or(1.0),
    ];
    let translate = [
        topo["transform"]["translate"][0].as_f64().unwrap_or(0.0),
        topo["transform"]["translate"][1].as_f64().unwrap_or(0.0),
    ];
    // Arcs are delta-encoded integer positions.
    let arcs: Vec<Vec<(f64, f64)>> = topo["arcs"]
        .as_array()
        .map(|arcs| {
            arcs.iter()
                .map(|arc| {
                    let (mut x, mut y) = (0.0, 0.0);
                    arc.as_array()
                        .map(|pts| {
                            pts.iter()
                                .map(|p| {
                                    x += p[0].as_f64().unwrap_or(0.0);
                                    y += p[1].as_f64().unwrap_or(0.0);
                                    (x * scale[0] + translate[0], y * scale[1] + translate[1])
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    let ring_of = |indices: &Value| -> Ring {
        let mut ring: Ring = Vec::new();
        for i in indices
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
        {
            // A negative index ~i means arc i reversed.
            let (index, reversed) = if i < 0 {
                ((!i) as usize, true)
            } else {
                (i as usize, false)
            };
            let Some(arc) = arcs.get(index) else { continue };
            let points: Vec<(f64, f64)> = if reversed {
                arc.iter().rev().copied().collect()
            } else {
                arc.clone()
            };
            let skip = usize::from(!ring.is_empty());
            ring.extend(points.into_iter().skip(skip));
        }
        ring
    };
    let mut out = Vec::new();
    for object in topo["objects"]
        .as_object()
        .into_iter()
        .flat_map(|o| o.values())
    {
        for g in object["geometries"].as_array().into_iter().flatten() {
            if let Some(only) = only
                && !g["id"].as_str().is_some_and(|id| only.contains(&id))
            {
                continue;
            }
            match g["type"].as_str() {
                Some("Polygon") => {
                    out.extend(g["arcs"].as_array().into_iter().flatten().map(ring_of))
                }
                Some("MultiPolygon") => {
                    for polygon in g["arcs"].as_array().into_iter().flatten() {
                        out.extend(polygon.as_array().into_iter().flatten().map(ring_of));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// A place to mark.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
    /// Its label.
    pub label: String,
    /// How many incidents happened there.
    pub count: u64,
}

/// The area drawn: the DPRK, north-east China and the transit countries.
const LON: (f64, f64) = (95.0, 135.0);
const LAT: (f64, f64) = (9.0, 47.0);
const WIDTH: f64 = 640.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The map as SVG, titled for screen readers, with a marker per place.
pub fn map_svg(markers: &[Marker], title: &str, desc: &str) -> String {
    let k = ((LAT.0 + LAT.1) / 2.0).to_radians().cos();
    let sx = WIDTH / ((LON.1 - LON.0) * k);
    let height = (LAT.1 - LAT.0) * sx;
    let project = |lon: f64, lat: f64| ((lon - LON.0) * k * sx, (LAT.1 - lat) * sx);
    // Rings are simplified for slow links: points closer than a pixel to the
    // last one kept are dropped, coordinates are whole pixels, and rings
    // wholly outside the view are left out.
    let view = |x: f64, y: f64| {
        (-50.0..=WIDTH + 50.0).contains(&x) && (-50.0..=height + 50.0).contains(&y)
    };
    let path = |ring: &Ring| -> Option<String> {
        let points: Vec<(f64, f64)> = ring.iter().map(|&(lon, lat)| project(lon, lat)).collect();
        if !points.iter().any(|&(x, y)| view(x, y)) {
            return None;
        }
        let mut d = String::new();
        let mut last: Option<(f64, f64)> = None;
        let mut kept = 0;
        for &(x, y) in &points {
            if let Some((lx, ly)) = last
                && (x - lx).abs() < 1.5
                && (y - ly).abs() < 1.5
            {
                continue;
            }
            let _ = write!(
                d,
                "{}{:.0},{:.0}",
                if last.is_none() { "M" } else { "L" },
                x,
                y
            );
            last = Some((x, y));
            kept += 1;
        }
        (kept > 2).then(|| d + "Z")
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH:.0} {height:.0}\" width=\"100%\" role=\"img\" aria-labelledby=\"map-title map-desc\"><title id=\"map-title\">{}</title><desc id=\"map-desc\">{}</desc><rect width=\"100%\" height=\"100%\" fill=\"#eef4f8\"/>",
        escape(title),
        escape(desc)
    );
    for (rings, fill) in [
        (rings(WORLD, Some(&NEIGHBOURS)), "#f4f1ea"),
        (rings(CHN, None), "#f7e9d7"),
        (rings(PRK, None), "#f2d4cf"),
    ] {
        let _ = write!(
            s,
            "<g fill=\"{fill}\" stroke=\"#8c8c8c\" stroke-width=\"0.5\">"
        );
        for d in rings.iter().filter(|r| r.len() > 2).filter_map(path) {
            let _ = write!(s, "<path d=\"{d}\"/>");
        }
        s.push_str("</g>");
    }
    let mut sorted: Vec<&Marker> = markers
        .iter()
        .filter(|m| (LON.0..=LON.1).contains(&m.lon) && (LAT.0..=LAT.1).contains(&m.lat))
        .collect();
    sorted.sort_by_key(|m| std::cmp::Reverse(m.count));
    // Labels go right of their circle, or left, above or below when that
    // would overlap a label already placed (bigger places are placed first).
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    let overlaps = |a: (f64, f64, f64, f64), b: &(f64, f64, f64, f64)| {
        a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
    };
    for m in sorted {
        let (x, y) = project(m.lon, m.lat);
        let r = 3.0 + 3.0 * (m.count as f64).sqrt();
        let label = format!("{} ({})", m.label, m.count);
        // An estimate of the text's width: CJK characters are wider.
        let width: f64 = label
            .chars()
            .map(|c| if c.is_ascii() { 5.6 } else { 10.0 })
            .sum();
        let candidates = [
            (x + r + 2.0, y + 3.0),
            (x - r - 2.0 - width, y + 3.0),
            (x - width / 2.0, y - r - 3.0),
            (x - width / 2.0, y + r + 11.0),
        ];
        let boxed = |(lx, ly): (f64, f64)| (lx, ly - 9.0, lx + width, ly + 2.0);
        let (lx, ly) = candidates
            .iter()
            .copied()
            .find(|&c| placed.iter().all(|p| !overlaps(boxed(c), p)))
            .unwrap_or(candidates[0]);
        placed.push(boxed((lx, ly)));
        let _ = write!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"#b2182b\" fill-opacity=\"0.55\" stroke=\"#67001f\"><title>{}: {}</title></circle><text x=\"{lx:.1}\" y=\"{ly:.1}\" font-size=\"10\">{}</text>",
            escape(&m.label),
            m.count,
            escape(&label)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests;

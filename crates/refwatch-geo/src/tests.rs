use super::*;

#[test]
fn the_boundary_files_decode_to_plausible_shapes() {
    let prk = rings(PRK, None);
    assert!(prk.len() >= 12, "{}", prk.len());
    // Every DPRK point lies in the DPRK's bounding box.
    for ring in &prk {
        for &(lon, lat) in ring {
            assert!(
                (124.0..131.0).contains(&lon) && (37.5..43.1).contains(&lat),
                "{lon},{lat}"
            );
        }
    }
    let chn = rings(CHN, None);
    assert!(chn.len() >= 31);
    let neighbours = rings(WORLD, Some(&NEIGHBOURS));
    assert!(neighbours.len() >= 10);
    assert!(
        rings(WORLD, Some(&["LAO"]))
            .iter()
            .flatten()
            .all(|&(lon, lat)| (100.0..108.0).contains(&lon) && (13.5..22.6).contains(&lat))
    );
}

#[test]
fn the_map_marks_places_and_escapes_labels() {
    let svg = map_svg(
        &[
            Marker {
                lon: 123.43,
                lat: 41.81,
                label: "Shenyang <b>".into(),
                count: 2,
            },
            Marker {
                lon: 2.35,
                lat: 48.85,
                label: "Paris".into(),
                count: 1,
            },
        ],
        "Title",
        "Description",
    );
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert!(svg.contains("Shenyang &lt;b&gt; (2)"));
    assert!(
        !svg.contains("Paris"),
        "places outside the area are left out"
    );
    assert!(svg.matches("<path").count() > 50);
}

#[test]
fn labels_of_nearby_places_do_not_overlap() {
    let svg = map_svg(
        &[
            Marker {
                lon: 102.72,
                lat: 25.04,
                label: "Kunming".into(),
                count: 1,
            },
            Marker {
                lon: 101.5,
                lat: 25.0,
                label: "Yunnan".into(),
                count: 2,
            },
        ],
        "t",
        "d",
    );
    let positions: Vec<(f64, f64)> = svg
        .split("<text x=\"")
        .skip(1)
        .map(|rest| {
            let x: f64 = rest.split('"').next().unwrap().parse().unwrap();
            let y: f64 = rest
                .split("y=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            (x, y)
        })
        .collect();
    assert_eq!(positions.len(), 2);
    let (a, b) = (positions[0], positions[1]);
    // Boxes of about 60 x 11 pixels must not overlap.
    let apart = (a.0 - b.0).abs() > 60.0 || (a.1 - b.1).abs() > 11.0;
    assert!(apart, "{positions:?}");
}

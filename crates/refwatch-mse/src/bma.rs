//! Bayesian model averaging over decomposable graphical models, the
//! method of Madigan and York (1997) as R's `dga` package (HRDAG) runs it.
//!
//! A decomposable graph on the lists says which lists may depend on each
//! other: an edge allows a dependence, a missing edge makes two lists
//! independent given the others. Each graph has a hyper-Dirichlet prior
//! on the cell probabilities (delta per cell of the full table; a clique's
//! marginal cell gets delta · 2^(lists − clique size)), so its marginal
//! likelihood for a given number never listed, Nm, factors over its
//! cliques C and separators S:
//!
//! log p = Σ_C [m(C) + z] − Σ_S [m(S) + z] + ln(N! / (Nm! Π y!)) + ln prior(N),
//!
//! where m(C) = Σ_cells [lnΓ(D + α_C) − lnΓ(α_C)] over the clique's
//! marginal table D (whose empty cell holds Nm more), z = lnΓ(delta 2^k) −
//! lnΓ(N + delta 2^k), N = n + Nm, and the prior on N is 1 / N (dga's
//! default). Graphs are equally likely a priori. The posterior over
//! (graph, Nm) is normalised over every decomposable graph and a grid of
//! Nm that reaches far enough for the posterior to have died away.

use crate::CaptureTable;
use crate::loglinear::ln_gamma;

/// The most lists averaged over (5 lists: 822 graphs; dga ships graphs for
/// 3, 4 and 5 lists).
pub const MAX_LISTS: usize = 5;
/// The fewest lists: with two, the only graph allowing dependence leaves
/// the number never listed to the prior.
pub const MIN_LISTS: usize = 3;

/// The number never listed is taken whole up to this many; beyond, on a
/// geometric grid (the posterior is smooth there, while near 0 a graph
/// that leaves the empty cell free can put a sharp peak).
const WHOLE: f64 = 50_000.0;
/// Points of the geometric part of the grid, at most.
const GEOMETRIC: usize = 150_000;
/// How far (in log posterior) below the peak the grid must reach.
const TAIL: f64 = 25.0;

/// A decomposable graph on the lists, by its maximal cliques and the
/// separators of a junction tree (lists as bit masks: list j is bit j).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// Maximal cliques.
    pub cliques: Vec<u32>,
    /// Separators (empty ones left out: they contribute nothing).
    pub separators: Vec<u32>,
    /// Edges as pairs of list indices.
    pub edges: Vec<(usize, usize)>,
}

fn is_clique(adjacent: &[Vec<bool>], set: u32) -> bool {
    let members: Vec<usize> = (0..adjacent.len()).filter(|&j| set >> j & 1 == 1).collect();
    members
        .iter()
        .enumerate()
        .all(|(i, &a)| members[i + 1..].iter().all(|&b| adjacent[a][b]))
}

/// Whether the graph is chordal: every vertex can be removed in turn
/// while its remaining neighbours form a clique.
fn is_chordal(adjacent: &[Vec<bool>]) -> bool {
    let k = adjacent.len();
    let mut left: u32 = (1 << k) - 1;
    while left != 0 {
        let simplicial = (0..k).filter(|&v| left >> v & 1 == 1).find(|&v| {
            let neighbours = (0..k)
                .filter(|&u| u != v && left >> u & 1 == 1 && adjacent[v][u])
                .fold(0u32, |m, u| m | 1 << u);
            is_clique(adjacent, neighbours)
        });
        match simplicial {
            Some(v) => left &= !(1 << v),
            None => return false,
        }
    }
    true
}

/// Cliques and junction-tree separators of a chordal graph: the maximal
/// cliques, joined by a maximum-weight spanning tree of their
/// intersections (any such tree is a junction tree).
fn junction(adjacent: &[Vec<bool>]) -> (Vec<u32>, Vec<u32>) {
    let k = adjacent.len();
    let all: Vec<u32> = (1u32..(1 << k))
        .filter(|&s| is_clique(adjacent, s))
        .collect();
    let cliques: Vec<u32> = all
        .iter()
        .copied()
        .filter(|&c| !all.iter().any(|&d| d != c && d & c == c))
        .collect();
    let mut pairs: Vec<(usize, usize)> = (0..cliques.len())
        .flat_map(|a| (a + 1..cliques.len()).map(move |b| (a, b)))
        .collect();
    pairs.sort_by_key(|&(a, b)| std::cmp::Reverse((cliques[a] & cliques[b]).count_ones()));
    let mut group: Vec<usize> = (0..cliques.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    let mut separators = Vec::new();
    for (a, b) in pairs {
        let (ra, rb) = (root(&mut group, a), root(&mut group, b));
        if ra != rb {
            group[ra] = rb;
            let s = cliques[a] & cliques[b];
            if s != 0 {
                separators.push(s);
            }
        }
    }
    (cliques, separators)
}

/// Every decomposable graph on `k` lists (8 for 3 lists, 61 for 4, 822
/// for 5), the graph without edges first.
pub fn decomposable_graphs(k: usize) -> Vec<Graph> {
    let pairs: Vec<(usize, usize)> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
        .collect();
    (0u32..(1 << pairs.len()))
        .filter_map(|chosen| {
            let mut adjacent = vec![vec![false; k]; k];
            let edges: Vec<(usize, usize)> = pairs
                .iter()
                .enumerate()
                .filter(|(i, _)| chosen >> i & 1 == 1)
                .map(|(_, &e)| e)
                .collect();
            for &(a, b) in &edges {
                adjacent[a][b] = true;
                adjacent[b][a] = true;
            }
            if !is_chordal(&adjacent) {
                return None;
            }
            let (cliques, separators) = junction(&adjacent);
            Some(Graph {
                cliques,
                separators,
                edges,
            })
        })
        .collect()
}

/// The settings of the averaging.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Settings {
    /// The hyper-Dirichlet prior's count per cell of the full table;
    /// `None` for dga's suggested 2^-lists.
    pub delta: Option<f64>,
}

/// Why averaging could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BmaError {
    /// Too few or too many lists.
    #[error(
        "model averaging over decomposable graphs runs on {MIN_LISTS} to {MAX_LISTS} lists (this table has {0}); use the log-linear models or LCMCR"
    )]
    Lists(usize),
    /// A prior count that is not positive.
    #[error("the prior count per cell (delta) must be above 0")]
    Delta,
}

/// The posterior of the population size, averaged over the graphs.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// People observed.
    pub observed: u64,
    /// Population sizes of the grid.
    pub n: Vec<f64>,
    /// Posterior probability of each population size of the grid (the
    /// mass of the stretch of the grid it stands for).
    pub probability: Vec<f64>,
    /// Every graph with its posterior probability, most probable first.
    pub graphs: Vec<(Graph, f64)>,
    /// The prior count per cell used.
    pub delta: f64,
    /// Posterior mass in the last quarter of the range searched: above 0.001
    /// the range (and so the upper quantiles) may be cut short.
    pub tail_mass: f64,
}

impl Posterior {
    /// The smallest population size whose cumulative posterior reaches `q`.
    pub fn quantile(&self, q: f64) -> f64 {
        let mut total = 0.0;
        for (n, p) in self.n.iter().zip(&self.probability) {
            total += p;
            if total >= q {
                return *n;
            }
        }
        self.n.last().copied().unwrap_or(f64::NAN)
    }
}

/// The parts of the log posterior that do not depend on the graph.
struct Scores {
    k: usize,
    n: f64,
    delta: f64,
    /// Per component (bit mask over lists): the sum over the marginal
    /// cells other than the empty one, and the empty cell's count and α.
    components: Vec<(f64, f64, f64)>,
    /// Σ lnΓ(y + 1) over the observed cells.
    ln_y_factorials: f64,
}

impl Scores {
    fn new(table: &CaptureTable, delta: f64) -> Self {
        let k = table.k();
        // Table patterns put list j at bit k - 1 - j; components use bit j.
        let lists_of =
            |pattern: u32| (0..k).fold(0u32, |m, j| m | ((pattern >> (k - 1 - j)) & 1) << j);
        let cells: Vec<(u32, f64)> = table
            .cells()
            .map(|(p, c)| (lists_of(p), c as f64))
            .collect();
        let components = (0u32..(1 << k))
            .map(|c| {
                if c == 0 {
                    return (0.0, 0.0, 0.0);
                }
                let size = c.count_ones();
                let alpha = delta * 2f64.powi((k as u32 - size) as i32);
                let mut marginal = vec![0.0; 1 << size];
                for &(lists, count) in &cells {
                    // Compress the lists of the component into an index.
                    let (mut index, mut bit) = (0usize, 0);
                    for j in 0..k {
                        if c >> j & 1 == 1 {
                            index |= ((lists >> j & 1) as usize) << bit;
                            bit += 1;
                        }
                    }
                    marginal[index] += count;
                }
                let rest: f64 = marginal[1..]
                    .iter()
                    .map(|&d| ln_gamma(d + alpha) - ln_gamma(alpha))
                    .sum::<f64>()
                    - ln_gamma(alpha);
                (rest, marginal[0], alpha)
            })
            .collect();
        Self {
            k,
            n: table.observed() as f64,
            delta,
            components,
            ln_y_factorials: cells.iter().map(|(_, c)| ln_gamma(c + 1.0)).sum(),
        }
    }

    /// m(C) + z for every component at `missing` people never listed.
    fn component_terms(&self, missing: f64) -> Vec<f64> {
        let total_alpha = self.delta * 2f64.powi(self.k as i32);
        let z = ln_gamma(total_alpha) - ln_gamma(self.n + missing + total_alpha);
        self.components
            .iter()
            .map(|&(rest, empty, alpha)| rest + ln_gamma(empty + missing + alpha) + z)
            .collect()
    }

    /// The graph-free part: multinomial coefficient and the 1 / N prior.
    fn common(&self, missing: f64) -> f64 {
        let total = self.n + missing;
        ln_gamma(total + 1.0) - self.ln_y_factorials - ln_gamma(missing + 1.0) - total.ln()
    }
}

fn graph_score(graph: &Graph, terms: &[f64]) -> f64 {
    graph
        .cliques
        .iter()
        .map(|&c| terms[c as usize])
        .sum::<f64>()
        - graph
            .separators
            .iter()
            .map(|&s| terms[s as usize])
            .sum::<f64>()
}

/// The highest log posterior over the graphs at `missing`.
fn best_score(scores: &Scores, graphs: &[Graph], missing: f64) -> f64 {
    let terms = scores.component_terms(missing);
    let common = scores.common(missing);
    graphs
        .iter()
        .map(|g| graph_score(g, &terms) + common)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The grid of the number never listed, from 0 to at least `reach`, with
/// the width each point stands for: every whole number up to [`WHOLE`],
/// then points growing by a fixed ratio.
fn grid(reach: f64) -> (Vec<f64>, Vec<f64>) {
    let whole = reach.min(WHOLE).ceil();
    let mut points: Vec<f64> = (0..=whole as u64).map(|m| m as f64).collect();
    if reach > whole {
        let ratio = ((reach / whole).ln() / GEOMETRIC as f64).exp_m1().max(1e-6);
        let mut x = whole;
        while x < reach {
            x *= 1.0 + ratio;
            points.push(x);
        }
    }
    let widths = (0..points.len())
        .map(|i| {
            if points[i] <= whole {
                1.0
            } else {
                let next = points
                    .get(i + 1)
                    .copied()
                    .unwrap_or(points[i] * 2.0 - points[i - 1]);
                (next - points[i - 1]) / 2.0
            }
        })
        .collect();
    (points, widths)
}

/// The posterior of the population size, averaged over every decomposable
/// graph on the table's lists.
pub fn average(table: &CaptureTable, settings: &Settings) -> Result<Posterior, BmaError> {
    let k = table.k();
    if !(MIN_LISTS..=MAX_LISTS).contains(&k) {
        return Err(BmaError::Lists(k));
    }
    let delta = settings.delta.unwrap_or(2f64.powi(-(k as i32)));
    if !(delta > 0.0 && delta.is_finite()) {
        return Err(BmaError::Delta);
    }
    let scores = Scores::new(table, delta);
    let graphs = decomposable_graphs(k);
    // Reach out until the best graph's posterior mass per unit of ln(Nm)
    // (density times Nm, so that a long tail counts by its mass) has
    // fallen TAIL below the highest seen.
    let n = scores.n;
    let per_log = |missing: f64| best_score(&scores, &graphs, missing) + missing.max(1.0).ln();
    let mut peak = per_log(0.0);
    let mut reach = (n * 0.5).max(64.0);
    loop {
        let here = per_log(reach);
        // A coarse look between for the peak.
        for i in 1..8 {
            peak = peak.max(per_log(reach * f64::from(i) / 8.0));
        }
        peak = peak.max(here);
        if here < peak - TAIL || reach > 1e12 {
            break;
        }
        reach *= 2.0;
    }
    let (grid, widths) = grid(reach);
    let points = grid.len();
    // One pass, weights scaled by the highest log posterior seen so far
    // (rescaled when a higher one comes): memory grows with the grid and
    // the graphs, not with their product (5 lists: 822 graphs × up to
    // 200,000 points would be 1.3 GB of scores).
    let mut top = f64::NEG_INFINITY;
    let mut probability = vec![0.0; points];
    let mut graph_mass = vec![0.0; graphs.len()];
    let mut row = vec![0.0; graphs.len()];
    for (i, (&missing, width)) in grid.iter().zip(&widths).enumerate() {
        let terms = scores.component_terms(missing);
        let common = scores.common(missing) + width.ln();
        for (lp, graph) in row.iter_mut().zip(&graphs) {
            *lp = graph_score(graph, &terms) + common;
        }
        let here = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if here > top {
            let scale = (top - here).exp();
            probability[..i].iter_mut().for_each(|p| *p *= scale);
            graph_mass.iter_mut().for_each(|m| *m *= scale);
            top = here;
        }
        for (g, &lp) in row.iter().enumerate() {
            let w = (lp - top).exp();
            probability[i] += w;
            graph_mass[g] += w;
        }
    }
    let total: f64 = probability.iter().sum();
    probability.iter_mut().for_each(|p| *p /= total);
    let tail_mass = grid
        .iter()
        .zip(&probability)
        .filter(|&(&m, _)| m >= 0.75 * reach)
        .map(|(_, p)| p)
        .sum();
    let mut ranked: Vec<(Graph, f64)> = graphs
        .into_iter()
        .zip(graph_mass.iter().map(|m| m / total))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(Posterior {
        observed: table.observed(),
        n: grid.iter().map(|m| n + m).collect(),
        probability,
        graphs: ranked,
        delta,
        tail_mass,
    })
}

/// A graph in words: its cliques as groups of list names, "independent"
/// lists alone.
pub fn describe(graph: &Graph, lists: &[String]) -> String {
    let name = |mask: u32| {
        (0..lists.len())
            .filter(|&j| mask >> j & 1 == 1)
            .map(|j| lists[j].as_str())
            .collect::<Vec<_>>()
            .join("–")
    };
    graph
        .cliques
        .iter()
        .map(|&c| format!("[{}]", name(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(k: usize, cells: &[(u32, u64)]) -> CaptureTable {
        CaptureTable::new(
            (1..=k).map(|i| format!("l{i}")).collect(),
            cells.iter().copied(),
        )
        .unwrap()
    }

    #[test]
    fn the_decomposable_graphs_are_counted_as_dga_ships_them() {
        // dga's graphs3, graphs4 and graphs5 hold 8, 61 and 822 graphs.
        assert_eq!(decomposable_graphs(3).len(), 8);
        assert_eq!(decomposable_graphs(4).len(), 61);
        assert_eq!(decomposable_graphs(5).len(), 822);
        // The 4-cycle is not decomposable; the path 1-2-3 has cliques
        // {1,2}, {2,3} and separator {2}.
        let four = decomposable_graphs(4);
        let cycle = [(0, 1), (1, 2), (2, 3), (0, 3)];
        assert!(!four.iter().any(|g| g.edges == cycle));
        let path = decomposable_graphs(3)
            .into_iter()
            .find(|g| g.edges == [(0, 1), (1, 2)])
            .unwrap();
        assert_eq!(path.cliques, vec![0b011, 0b110]);
        assert_eq!(path.separators, vec![0b010]);
    }

    #[test]
    fn the_independence_graph_scores_as_a_product_of_beta_binomials() {
        // Under the graph without edges each list is its own clique: the
        // marginal likelihood is a product, over the lists, of the
        // beta-binomial of those on and off the list (α = δ 2^(k-1) each).
        let t = table(
            3,
            &[
                (0b100, 30),
                (0b010, 20),
                (0b001, 25),
                (0b110, 8),
                (0b101, 6),
                (0b011, 5),
                (0b111, 2),
            ],
        );
        let delta = 0.125;
        let scores = Scores::new(&t, delta);
        let empty = &decomposable_graphs(3)[0];
        assert!(empty.edges.is_empty());
        let missing = 40.0;
        let total = 96.0 + missing;
        let alpha = delta * 4.0;
        let on = [
            30.0 + 8.0 + 6.0 + 2.0,
            20.0 + 8.0 + 5.0 + 2.0,
            25.0 + 6.0 + 5.0 + 2.0,
        ];
        let want: f64 = on
            .iter()
            .map(|&n| {
                ln_gamma(2.0 * alpha) - ln_gamma(total + 2.0 * alpha)
                    + ln_gamma(n + alpha)
                    + ln_gamma(total - n + alpha)
                    - 2.0 * ln_gamma(alpha)
            })
            .sum();
        let got = graph_score(empty, &scores.component_terms(missing));
        assert!((got - want).abs() < 1e-9, "{got} {want}");
    }

    #[test]
    fn the_saturated_graph_scores_as_a_dirichlet_multinomial() {
        let cells = [
            (0b100, 30),
            (0b010, 20),
            (0b001, 25),
            (0b110, 8),
            (0b101, 6),
            (0b011, 5),
            (0b111, 2),
        ];
        let t = table(3, &cells);
        let delta = 0.3;
        let scores = Scores::new(&t, delta);
        let full = decomposable_graphs(3).pop().unwrap();
        assert_eq!(full.cliques, vec![0b111]);
        let missing = 17.0;
        let mut want = ln_gamma(8.0 * delta) - ln_gamma(96.0 + missing + 8.0 * delta);
        want += ln_gamma(missing + delta) - ln_gamma(delta);
        for (_, c) in cells {
            want += ln_gamma(c as f64 + delta) - ln_gamma(delta);
        }
        let got = graph_score(&full, &scores.component_terms(missing));
        assert!((got - want).abs() < 1e-9, "{got} {want}");
    }

    /// Expected counts over 4 lists for `n` people where lists 1 and 2
    /// depend on each other (being on list 1 makes list 2 likelier) and
    /// lists 3 and 4 are independent of them and of each other.
    fn dependent_counts(n: f64) -> (CaptureTable, f64) {
        let p1 = 0.3;
        let p2 = [0.15, 0.5]; // off list 1, on list 1
        let p3 = 0.25;
        let p4 = 0.2;
        let mut cells = Vec::new();
        let mut unseen = 0.0;
        for pattern in 0u32..16 {
            let on = |j: usize| pattern >> (3 - j) & 1 == 1;
            let pr = |p: f64, yes: bool| if yes { p } else { 1.0 - p };
            let prob =
                pr(p1, on(0)) * pr(p2[usize::from(on(0))], on(1)) * pr(p3, on(2)) * pr(p4, on(3));
            if pattern == 0 {
                unseen = n * prob;
            } else {
                cells.push((pattern, (n * prob).round() as u64));
            }
        }
        (table(4, &cells), unseen)
    }

    #[test]
    fn averaging_finds_the_dependence_and_covers_the_size() {
        let (t, unseen) = dependent_counts(20_000.0);
        let post = average(&t, &Settings::default()).unwrap();
        let truth = t.observed() as f64 + unseen;
        let (lo, hi) = (post.quantile(0.025), post.quantile(0.975));
        assert!(lo < truth && truth < hi, "{lo} {truth} {hi}");
        assert!((post.quantile(0.5) - truth).abs() < 0.02 * truth);
        // The graphs that hold the 1–2 dependence carry the posterior.
        let with_edge: f64 = post
            .graphs
            .iter()
            .filter(|(g, _)| g.edges.contains(&(0, 1)))
            .map(|(_, p)| p)
            .sum();
        assert!(with_edge > 0.99, "{with_edge}");
        assert!(post.tail_mass < 1e-3);
        let total: f64 = post.probability.iter().sum();
        assert!((total - 1.0).abs() < 1e-9);
        // Mt, which assumes the lists independent, misses low.
        let mt = crate::loglinear::fit(crate::loglinear::Model::Mt, &t).unwrap();
        assert!(mt.interval.unwrap().1 < truth);
    }

    #[test]
    fn a_huge_list_with_few_overlaps_is_averaged_over_its_whole_range() {
        // A billion people on list a, hundreds on b and c, 22 on a and b:
        // the grid must reach some 10^10 and stay fine near 0, where the
        // saturated graph piles its mass. Most weight goes to a
        // independent of b and c, whose estimate is near Lincoln and
        // Petersen's n_a n_b / m_ab.
        let t = table(
            3,
            &[
                (0b100, 1_000_000_000),
                (0b010, 500),
                (0b110, 20),
                (0b001, 300),
                (0b101, 10),
                (0b011, 5),
                (0b111, 2),
            ],
        );
        let post = average(&t, &Settings::default()).unwrap();
        let petersen = (1_000_000_032.0 * 527.0) / 22.0;
        let median = post.quantile(0.5);
        assert!(
            (median - petersen).abs() < 0.05 * petersen,
            "{median} {petersen}"
        );
        let top = &post.graphs[0];
        assert_eq!(top.0.edges, vec![(1, 2)], "{:?}", post.graphs[..3].to_vec());
        assert!(post.tail_mass < 1e-3);
    }

    #[test]
    fn too_few_or_too_many_lists_are_refused_with_the_limit() {
        let two = table(2, &[(0b10, 5), (0b01, 4), (0b11, 3)]);
        let err = average(&two, &Settings::default()).unwrap_err();
        assert!(err.to_string().contains("3 to 5 lists"));
        let t = table(3, &[(0b100, 5), (0b110, 3)]);
        assert_eq!(
            average(&t, &Settings { delta: Some(0.0) }).unwrap_err(),
            BmaError::Delta
        );
    }
}

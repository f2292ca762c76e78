//! k-means on standardised features: k-means++ seeding from a fixed seed, Lloyd's
//! iterations with centroids summed in index order (so the result is the same whatever the
//! thread count), k chosen by the silhouette on an even sample when not given (on a larger
//! even sample of the points, too, when there are many).

use rayon::prelude::*;

/// A clustering.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// The cluster of each point.
    pub labels: Vec<usize>,
    /// Centroids in standardised units.
    pub centroids: Vec<Vec<f64>>,
    /// The mean silhouette on the sample it was chosen on.
    pub silhouette: f64,
}

/// SplitMix64: a small seeded generator for the seeding draws.
struct SplitMix(u64);

impl SplitMix {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn distance2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn nearest(point: &[f64], centroids: &[Vec<f64>]) -> usize {
    let mut best = (0, f64::INFINITY);
    for (c, centroid) in centroids.iter().enumerate() {
        let d = distance2(point, centroid);
        if d < best.1 {
            best = (c, d);
        }
    }
    best.0
}

/// Standardises each column to mean 0 and standard deviation 1 (a constant column to 0).
pub fn standardise(rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = rows.to_vec();
    standardise_in_place(&mut out);
    out
}

/// [`standardise`] without a copy: each column's mean and spread are taken before the
/// column is rewritten, so the numbers are the same.
pub(crate) fn standardise_in_place(rows: &mut [Vec<f64>]) {
    let Some(width) = rows.first().map(Vec::len) else {
        return;
    };
    let n = rows.len() as f64;
    for j in 0..width {
        let mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
        let var = rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n;
        let sd = var.sqrt();
        for row in rows.iter_mut() {
            row[j] = if sd > 0.0 { (row[j] - mean) / sd } else { 0.0 };
        }
    }
}

/// k-means with `k` clusters from `seed`.
pub fn kmeans(points: &[Vec<f64>], k: usize, seed: u64) -> (Vec<usize>, Vec<Vec<f64>>) {
    let n = points.len();
    let k = k.min(n).max(1);
    let mut rng = SplitMix(seed);
    // k-means++: each next centroid drawn in proportion to the squared distance to the
    // nearest one so far.
    let mut centroids = vec![points[(rng.unit() * n as f64) as usize % n].clone()];
    let mut d2: Vec<f64> = points.iter().map(|p| distance2(p, &centroids[0])).collect();
    while centroids.len() < k {
        let total: f64 = d2.iter().sum();
        if total <= 0.0 {
            break;
        }
        let mut target = rng.unit() * total;
        let mut pick = n - 1;
        for (i, d) in d2.iter().enumerate() {
            if target < *d {
                pick = i;
                break;
            }
            target -= d;
        }
        centroids.push(points[pick].clone());
        let last = centroids.last().expect("one").clone();
        d2.par_iter_mut()
            .zip(points)
            .for_each(|(d, p)| *d = d.min(distance2(p, &last)));
    }
    let mut labels = vec![usize::MAX; n];
    for _ in 0..100 {
        let next: Vec<usize> = points.par_iter().map(|p| nearest(p, &centroids)).collect();
        if next == labels {
            break;
        }
        labels = next;
        let width = points[0].len();
        let mut sums = vec![vec![0.0; width]; centroids.len()];
        let mut counts = vec![0usize; centroids.len()];
        for (p, &l) in points.iter().zip(&labels) {
            counts[l] += 1;
            for (s, v) in sums[l].iter_mut().zip(p) {
                *s += v;
            }
        }
        for (c, (sum, count)) in sums.into_iter().zip(counts).enumerate() {
            if count > 0 {
                centroids[c] = sum.into_iter().map(|s| s / count as f64).collect();
            }
        }
    }
    (labels, centroids)
}

/// The mean silhouette of `labels` over the points at `sample` indices.
pub fn silhouette(points: &[Vec<f64>], labels: &[usize], sample: &[usize], k: usize) -> f64 {
    let scores: Vec<f64> = sample
        .par_iter()
        .map(|&i| {
            let mut sum = vec![0.0; k];
            let mut count = vec![0usize; k];
            for &j in sample {
                if j != i {
                    sum[labels[j]] += distance2(&points[i], &points[j]).sqrt();
                    count[labels[j]] += 1;
                }
            }
            let own = labels[i];
            if count[own] == 0 {
                return 0.0;
            }
            let a = sum[own] / count[own] as f64;
            let b = (0..k)
                .filter(|&c| c != own && count[c] > 0)
                .map(|c| sum[c] / count[c] as f64)
                .fold(f64::INFINITY, f64::min);
            if !b.is_finite() {
                return 0.0;
            }
            (b - a) / a.max(b).max(f64::MIN_POSITIVE)
        })
        .collect();
    scores.iter().sum::<f64>() / scores.len().max(1) as f64
}

/// Points above which k is chosen on an even sample of the points rather than on all of
/// them.
const CHOOSE_ON: usize = 20_000;

/// Clusters `points` (already standardised) into `k` clusters, or into the k in 2..=`max_k`
/// with the best silhouette on an even sample of at most 2,000 points. Above 20,000 points
/// each candidate k is tried on an even sample of at most 20,000, and only the chosen k is
/// run on all points: one full k-means instead of one per candidate.
pub fn cluster(points: &[Vec<f64>], k: Option<usize>, max_k: usize, seed: u64) -> Clustering {
    let n = points.len();
    if n == 0 {
        return Clustering {
            labels: Vec::new(),
            centroids: Vec::new(),
            silhouette: 0.0,
        };
    }
    let stride = n.div_ceil(2000).max(1);
    let sample: Vec<usize> = (0..n).step_by(stride).collect();
    let k = match k {
        Some(k) => k.clamp(1, n),
        None if n > CHOOSE_ON => {
            let stride = n.div_ceil(CHOOSE_ON);
            let subset: Vec<Vec<f64>> = points.iter().step_by(stride).cloned().collect();
            cluster(&subset, None, max_k, seed).centroids.len()
        }
        None => {
            let mut best: Option<Clustering> = None;
            for k in 2..=max_k.max(2).min(n) {
                let (labels, centroids) = kmeans(points, k, seed);
                let s = silhouette(points, &labels, &sample, centroids.len());
                if best.as_ref().is_none_or(|b| s > b.silhouette) {
                    best = Some(Clustering {
                        labels,
                        centroids,
                        silhouette: s,
                    });
                }
            }
            return best.expect("at least one candidate");
        }
    };
    let (labels, centroids) = kmeans(points, k, seed);
    let silhouette = silhouette(points, &labels, &sample, centroids.len());
    Clustering {
        labels,
        centroids,
        silhouette,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> Vec<Vec<f64>> {
        let mut points = Vec::new();
        for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
            for i in 0..50 {
                let a = f64::from(i) * 0.7;
                points.push(vec![cx + a.sin(), cy + a.cos()]);
            }
        }
        points
    }

    #[test]
    fn finds_three_blobs_and_is_repeatable() {
        let points = standardise(&blobs());
        let c = cluster(&points, None, 6, 7);
        assert_eq!(c.centroids.len(), 3);
        assert!(c.silhouette > 0.8);
        for blob in c.labels.chunks(50) {
            assert!(blob.iter().all(|&l| l == blob[0]));
        }
        assert_eq!(cluster(&points, None, 6, 7), c);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_eq!(pool.install(|| cluster(&points, None, 6, 7)), c);
        }
    }
}

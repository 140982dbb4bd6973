//! Percentiles and summaries of a sample.

/// Mean and percentiles of a sample (see [`percentile`] for the method).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Distribution {
    /// Arithmetic mean, summed in sample order.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Distribution {
    /// Summarise `values` (in sample order; not modified). An empty sample gives NaNs.
    pub fn of(values: &[f64]) -> Distribution {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Distribution {
            mean,
            p5: percentile(&sorted, 0.05),
            p50: percentile(&sorted, 0.50),
            p95: percentile(&sorted, 0.95),
        }
    }
}

/// The `p`-quantile (`p` in `[0, 1]`) of an ascending-sorted sample, by **linear
/// interpolation between closest ranks** (Hyndman & Fan type 7, the default of R and
/// NumPy): with `n` values `x[0] ≤ … ≤ x[n−1]` and `h = (n − 1)·p`, the result is
/// `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`. So `p = 0` gives the minimum, `p = 1` the
/// maximum, and the median of an even sample is the mean of the two middle values.
/// An empty sample gives NaN; `p` is clamped to `[0, 1]`.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    if lo + 1 >= n {
        return sorted[n - 1];
    }
    let frac = h - lo as f64;
    if frac == 0.0 {
        sorted[lo]
    } else {
        sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_7_quantiles() {
        let x = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(percentile(&x, 0.0), 10.0);
        assert_eq!(percentile(&x, 1.0), 40.0);
        assert_eq!(percentile(&x, 0.5), 25.0);
        // h = 3 × 0.05 = 0.15 → 10 + 0.15 × 10.
        assert!((percentile(&x, 0.05) - 11.5).abs() < 1e-12);
        assert_eq!(percentile(&[7.0], 0.95), 7.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}

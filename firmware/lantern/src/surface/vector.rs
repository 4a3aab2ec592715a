//! The few 3-vector operations the classifier needs, on plain arrays.

pub(crate) type Vec3 = [f32; 3];

pub(crate) fn dot(a: Vec3, b: Vec3) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub(crate) fn norm(a: Vec3) -> f32 {
    dot(a, a).sqrt()
}

/// `a` scaled to unit length, or `None` for a zero or non-finite vector.
pub(crate) fn normalize(a: Vec3) -> Option<Vec3> {
    let n = norm(a);
    (n.is_finite() && n > 1e-6).then(|| [a[0] / n, a[1] / n, a[2] / n])
}

pub(crate) fn distance(a: Vec3, b: Vec3) -> f32 {
    norm([a[0] - b[0], a[1] - b[1], a[2] - b[2]])
}

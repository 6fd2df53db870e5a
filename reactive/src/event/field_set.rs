//! A fixed-size set of field indices, used for diffs and dependency masks.

/// The largest number of fields (plain and computed) a reactive struct may have.
pub const MAX_FIELDS: usize = 256;

/// A set of field indices (bit `i` is the field at position `i` of the field table).
///
/// `Copy` and allocation-free: diffs and dependency masks are built on every batch.
///
/// ```
/// use reactive::FieldSet;
///
/// let mut set = FieldSet::EMPTY;
/// set.insert(3);
/// assert!(set.contains(3) && !set.contains(2));
/// assert_eq!(set.iter().collect::<Vec<_>>(), vec![3]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FieldSet([u64; MAX_FIELDS / 64]);

impl FieldSet {
    /// The empty set.
    pub const EMPTY: FieldSet = FieldSet([0; MAX_FIELDS / 64]);

    /// A set of the given indices; usable in constants.
    ///
    /// ```
    /// use reactive::FieldSet;
    /// const DEPS: FieldSet = FieldSet::from_indices(&[0, 2]);
    /// assert_eq!(DEPS.len(), 2);
    /// ```
    pub const fn from_indices(indices: &[usize]) -> FieldSet {
        let mut words = [0u64; MAX_FIELDS / 64];
        let mut i = 0;
        while i < indices.len() {
            let index = indices[i];
            assert!(index < MAX_FIELDS, "field index out of range");
            words[index / 64] |= 1 << (index % 64);
            i += 1;
        }
        FieldSet(words)
    }

    /// The set of one index.
    #[inline]
    pub fn single(index: usize) -> FieldSet {
        let mut set = FieldSet::EMPTY;
        set.insert(index);
        set
    }

    /// Adds `index` to the set. Indices at or above [`MAX_FIELDS`] are ignored (the derive
    /// never produces them).
    #[inline]
    pub fn insert(&mut self, index: usize) {
        if let Some(word) = self.0.get_mut(index / 64) {
            *word |= 1 << (index % 64);
        }
    }

    /// Removes `index` from the set.
    #[inline]
    pub fn remove(&mut self, index: usize) {
        if let Some(word) = self.0.get_mut(index / 64) {
            *word &= !(1 << (index % 64));
        }
    }

    /// Whether `index` is in the set.
    #[inline]
    pub fn contains(&self, index: usize) -> bool {
        self.0
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

    /// Whether the two sets share an index.
    #[inline]
    pub fn intersects(&self, other: &FieldSet) -> bool {
        self.0.iter().zip(other.0.iter()).any(|(a, b)| a & b != 0)
    }

    /// Whether the set is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|word| *word == 0)
    }

    /// The number of indices in the set.
    pub fn len(&self) -> usize {
        self.0.iter().map(|word| word.count_ones() as usize).sum()
    }

    /// The indices in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..MAX_FIELDS).filter(move |index| self.contains(*index))
    }
}

impl std::fmt::Debug for FieldSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

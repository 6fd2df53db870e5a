//! Typed field keys: the associated consts the derive generates (`User::NAME`).

use std::fmt;
use std::marker::PhantomData;

/// A key naming one field of `T` whose value has type [`Key::Value`].
///
/// Implemented by [`Field`] (plain fields) and [`ComputedField`] (read-only). Reading works
/// with either; writing needs a [`WritableKey`].
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone)]
/// struct Point { x: i64, y: i64 }
///
/// fn read<K: Key<Point>>(p: &Point, key: K) -> K::Value { key.get(p).clone() }
/// assert_eq!(read(&Point { x: 1, y: 2 }, Point::Y), 2);
/// assert_eq!(Point::Y.name(), "y");
/// ```
pub trait Key<T>: Copy + Send + Sync + 'static {
    /// The field's type.
    type Value: PartialEq + Clone + Send + Sync + 'static;
    /// The field's position in the field table.
    fn index(&self) -> usize;
    /// The field's name in events, reports and queries.
    fn name(&self) -> &'static str;
    /// Borrows the field out of a value.
    fn get<'a>(&self, value: &'a T) -> &'a Self::Value;
}

/// A key whose field can be written: every plain field. Computed fields are read-only.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone)]
/// struct Point { x: i64, y: i64 }
///
/// let p = Model::new(Point { x: 1, y: 2 });
/// p.set(Point::X, 10)?;
/// assert_eq!(p.get(Point::X), 10);
/// # Ok::<(), reactive::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is the key of a computed field, which is read-only",
    label = "computed fields cannot be set",
    note = "a computed field is recomputed from its dependencies: set one of those instead"
)]
pub trait WritableKey<T>: Key<T> {
    /// Borrows the field mutably.
    fn get_mut<'a>(&self, value: &'a mut T) -> &'a mut Self::Value;
}

/// What the type of a reactive field is: `PartialEq + Clone + Send + Sync + 'static` (the
/// runtime diffs, clones and shares it). Implemented for every such type.
///
/// ```
/// fn field_type<V: reactive::FieldValue>() {}
/// field_type::<Option<Vec<String>>>();
/// ```
pub trait FieldValue: PartialEq + Clone + Send + Sync + 'static {}

impl<V: PartialEq + Clone + Send + Sync + 'static> FieldValue for V {}

/// A typed listener of one field: any `Fn(&Change<V>) + Send + Sync + 'static`, as
/// `on_<field>` takes it. Implemented for every such closure or function.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone)]
/// struct Counter { n: u64 }
///
/// fn log_changes(listener: impl reactive::FieldListener<u64>) -> impl reactive::FieldListener<u64> {
///     move |change: &reactive::Change<u64>| listener(change)
/// }
/// let counter = Model::new(Counter { n: 0 });
/// let _sub = counter.on_n(log_changes(|change| assert_eq!(change.value, 1)));
/// counter.set_n(1)?;
/// # Ok::<(), reactive::Error>(())
/// ```
pub trait FieldListener<V>: Fn(&crate::Change<V>) + Send + Sync + 'static {}

impl<V, F: Fn(&crate::Change<V>) + Send + Sync + 'static> FieldListener<V> for F {}

/// The key of a plain (writable) field, generated as an associated const.
pub struct Field<T, V> {
    index: u16,
    name: &'static str,
    get: fn(&T) -> &V,
    get_mut: fn(&mut T) -> &mut V,
    _marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Field<T, V> {
    #[doc(hidden)]
    pub const fn __new(
        index: u16,
        name: &'static str,
        get: fn(&T) -> &V,
        get_mut: fn(&mut T) -> &mut V,
    ) -> Self {
        Field {
            index,
            name,
            get,
            get_mut,
            _marker: PhantomData,
        }
    }
}

/// The key of a computed field: it can be read and listened to, never set.
pub struct ComputedField<T, V> {
    index: u16,
    name: &'static str,
    get: fn(&T) -> &V,
    _marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V> ComputedField<T, V> {
    #[doc(hidden)]
    pub const fn __new(index: u16, name: &'static str, get: fn(&T) -> &V) -> Self {
        ComputedField {
            index,
            name,
            get,
            _marker: PhantomData,
        }
    }
}

macro_rules! key_common {
    ($ty:ident) => {
        impl<T, V> Clone for $ty<T, V> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<T, V> Copy for $ty<T, V> {}
        impl<T, V> fmt::Debug for $ty<T, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($ty), self.name)
            }
        }
        impl<T: 'static, V> Key<T> for $ty<T, V>
        where
            V: PartialEq + Clone + Send + Sync + 'static,
        {
            type Value = V;
            #[inline]
            fn index(&self) -> usize {
                self.index as usize
            }
            #[inline]
            fn name(&self) -> &'static str {
                self.name
            }
            #[inline]
            fn get<'a>(&self, value: &'a T) -> &'a V {
                (self.get)(value)
            }
        }
    };
}
key_common!(Field);
key_common!(ComputedField);

macro_rules! key_emit {
    ($ty:ident) => {
        impl<T, V> $ty<T, V> {
            /// The field's name, in const context (for the field table).
            pub(crate) const fn name_const(&self) -> &'static str {
                self.name
            }
        }
        impl<T, V: Clone + 'static> crate::model::meta::EmitChange<T> for $ty<T, V> {
            #[inline]
            fn emit(
                &self,
                old: &T,
                new: &T,
                f: &mut dyn FnMut(crate::event::erased::ErasedChange<'_>),
            ) {
                let change = crate::Change {
                    value: (self.get)(new).clone(),
                    previous: (self.get)(old).clone(),
                };
                f(crate::event::erased::ErasedChange::new(&change))
            }
        }
    };
}
key_emit!(Field);
key_emit!(ComputedField);

impl<T: 'static, V> WritableKey<T> for Field<T, V>
where
    V: PartialEq + Clone + Send + Sync + 'static,
{
    #[inline]
    fn get_mut<'a>(&self, value: &'a mut T) -> &'a mut V {
        (self.get_mut)(value)
    }
}

impl crate::event::types::Changes {
    /// Whether the batch changed the field of `key`.
    ///
    /// ```
    /// use reactive::prelude::*;
    ///
    /// #[derive(Reactive, Clone)]
    /// struct Job { done: u64, total: u64 }
    ///
    /// let job = Model::new(Job { done: 0, total: 3 });
    /// job.on_change(|_, changes: &Changes| assert!(changes.contains(Job::DONE))).detach();
    /// job.set_done(1)?;
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn contains<T, K: Key<T>>(&self, key: K) -> bool {
        self.field_set().contains(key.index())
    }
}

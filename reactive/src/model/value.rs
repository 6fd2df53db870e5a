//! Conversions accepted by setters.

/// A value a setter accepts for a field of type `V`: `V` itself, `&str` for `String`, and a
/// bare value for an `Option` field.
///
/// Kept narrower than `Into` on purpose: integer literals still infer (`set_count(5)` on a
/// `u64` field), which `impl Into<u64>` would not.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone)]
/// struct Profile { name: String, age: u64, nickname: Option<String> }
///
/// let p = Model::new(Profile { name: "a".into(), age: 1, nickname: None });
/// p.set_name("Ada")?;                 // &str for String
/// p.set_age(36)?;                     // literals infer
/// p.set_nickname("ada".to_string())?; // a bare value for an Option
/// assert_eq!(p.nickname(), Some("ada".to_string()));
/// # Ok::<(), reactive::Error>(())
/// ```
pub trait IntoValue<V> {
    /// Converts into the field's type.
    fn into_value(self) -> V;
}

impl<V> IntoValue<V> for V {
    #[inline]
    fn into_value(self) -> V {
        self
    }
}

impl<V> IntoValue<Option<V>> for V {
    #[inline]
    fn into_value(self) -> Option<V> {
        Some(self)
    }
}

impl IntoValue<String> for &str {
    #[inline]
    fn into_value(self) -> String {
        self.to_owned()
    }
}

impl IntoValue<String> for &String {
    #[inline]
    fn into_value(self) -> String {
        self.clone()
    }
}

impl IntoValue<Option<String>> for &str {
    #[inline]
    fn into_value(self) -> Option<String> {
        Some(self.to_owned())
    }
}

//! Validation reports: what [`Error::Validation`](crate::Error::Validation) carries.
//!
//! With `#[reactive(validate)]` and garde rules on the fields, a batch is validated once when
//! the outermost batch commits; see [`Model::validate`](crate::Model::validate).

use std::fmt;

use serde::Serialize;

/// The errors of a validation, per field (keyed by the field's name in the field table;
/// errors of the whole value are keyed by `""`), in field-table order.
///
/// ```
/// use reactive::ValidationReport;
///
/// let mut report = ValidationReport::new();
/// report.push("email", "not a valid email address");
/// assert_eq!(report.fields().collect::<Vec<_>>(), ["email"]);
/// assert_eq!(report.errors_of("email").collect::<Vec<_>>(), ["not a valid email address"]);
/// assert_eq!(report.to_string(), "email: not a valid email address");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ValidationReport {
    errors: Vec<FieldError>,
}

/// One validation error of one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name (`""` for an error of the whole value).
    pub field: String,
    /// Where inside the field, for nested values, or `""`: `"city"` for an error at
    /// `address.city`, `"[2]"` for one at `tags[2]`, `"[0].name"` for one at `items[0].name`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ValidationReport {
    /// An empty report.
    pub fn new() -> Self {
        ValidationReport::default()
    }

    /// Adds an error on `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push_at(field, "", message)
    }

    /// Adds an error on `field`, at `path` inside it.
    pub fn push_at(
        &mut self,
        field: impl Into<String>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(FieldError {
            field: field.into(),
            path: path.into(),
            message: message.into(),
        });
    }

    /// Whether there is no error.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many errors there are.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Every error, in order.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.errors.iter()
    }

    /// The fields with errors, each once, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        let mut seen: Vec<&str> = Vec::new();
        self.errors.iter().filter_map(move |e| {
            if seen.contains(&e.field.as_str()) {
                None
            } else {
                seen.push(&e.field);
                Some(e.field.as_str())
            }
        })
    }

    /// The messages of one field's errors.
    pub fn errors_of<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.errors
            .iter()
            .filter(move |e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Keeps only the errors `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&FieldError) -> bool) {
        self.errors.retain(keep)
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            match (e.field.is_empty(), e.path.is_empty()) {
                (true, _) => write!(f, "{}", e.message)?,
                (false, true) => write!(f, "{}: {}", e.field, e.message)?,
                // `tags[2]`, not `tags.[2]`.
                (false, false) if e.path.starts_with('[') => {
                    write!(f, "{}{}: {}", e.field, e.path, e.message)?
                }
                (false, false) => write!(f, "{}.{}: {}", e.field, e.path, e.message)?,
            }
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a ValidationReport {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

/// Reads a garde report: the first component of each error's path is the field (the Rust
/// identifier, `r#` stripped), the rest is the path inside it; an error without a path
/// concerns the whole value (field `""`). With the `validate` feature (a default one).
///
/// ```
/// use reactive::ValidationReport;
///
/// #[derive(garde::Validate)]
/// struct Signup {
///     #[garde(length(min = 2))]
///     name: String,
///     #[garde(length(max = 2), inner(length(min = 1)))]
///     tags: Vec<String>,
/// }
///
/// let signup = Signup { name: "A".into(), tags: vec!["ok".into(), "".into()] };
/// let report = ValidationReport::from(garde::Validate::validate(&signup).unwrap_err());
/// assert_eq!(report.fields().collect::<Vec<_>>(), ["name", "tags"]);
/// let tag = report.iter().find(|e| e.field == "tags").unwrap();
/// assert_eq!(tag.path, "[1]");
/// assert_eq!(report.to_string(), "name: length is lower than 2; tags[1]: length is lower than 1");
/// ```
#[cfg(feature = "validate")]
impl From<garde::Report> for ValidationReport {
    fn from(report: garde::Report) -> Self {
        from_garde(report, &[], &[])
    }
}

/// [`ValidationReport::from`] a garde report, with `renames` mapping Rust identifiers (as
/// garde writes them) to field names, and the errors put in the order of `fields` (garde
/// reports fields in alphabetical order); errors of the whole value come first, errors of
/// fields not in `fields` last, and each field's errors keep garde's order.
#[cfg(feature = "validate")]
fn from_garde(
    report: garde::Report,
    renames: &[(&str, &str)],
    fields: &[&str],
) -> ValidationReport {
    use garde::error::Kind;

    let mut out = ValidationReport::new();
    for (path, error) in report.into_inner() {
        // `__iter` yields the innermost component first; garde's own `select!` reads it so.
        let mut components = path.__iter().rev();
        let field = match components.next() {
            None => String::new(),
            Some((_, key)) => {
                let key = key.as_str();
                renames
                    .iter()
                    .find(|(ident, _)| *ident == key)
                    .map(|(_, name)| *name)
                    .unwrap_or_else(|| key.strip_prefix("r#").unwrap_or(key))
                    .to_string()
            }
        };
        let mut inner = String::new();
        for (kind, component) in components {
            match kind {
                Kind::Index => {
                    inner.push('[');
                    inner.push_str(component);
                    inner.push(']');
                }
                Kind::Key => {
                    if !inner.is_empty() {
                        inner.push('.');
                    }
                    inner.push_str(component);
                }
                // A level without a key (an `Option`'s content) adds nothing to the path.
                Kind::None => inner.push_str(component),
            }
        }
        out.push_at(field, inner, error.message());
    }
    if !fields.is_empty() {
        out.errors.sort_by_key(|e| match e.field.as_str() {
            "" => 0,
            name => fields
                .iter()
                .position(|f| *f == name)
                .map_or(usize::MAX, |i| i + 1),
        });
    }
    out
}

/// What `#[reactive(validate)]` needs of a type: `garde::Validate` with a context that has a
/// default. Not a public API.
#[doc(hidden)]
#[cfg_attr(
    feature = "validate",
    diagnostic::on_unimplemented(
        message = "`{Self}` has `#[reactive(validate)]` but does not implement `garde::Validate`",
        label = "`{Self}` needs `garde::Validate` for this",
        note = "derive it beside `Reactive`: `#[derive(Reactive, garde::Validate)]`, with `#[garde(..)]` rules (or `#[garde(skip)]`) on every field; `reactive` uses garde 0.22, and a `#[garde(context(..))]` type must implement `Default`"
    )
)]
#[cfg_attr(
    not(feature = "validate"),
    diagnostic::on_unimplemented(
        message = "`{Self}` has `#[reactive(validate)]`, but the `validate` feature of `reactive` is off",
        label = "validation needs the `validate` feature",
        note = "it is a default feature; enable it again: `reactive = {{ version = \"..\", features = [\"validate\"] }}`"
    )
)]
pub trait GardeValidate {
    /// Runs the garde rules; `renames` maps Rust identifiers to field names, `fields` (the
    /// field table's names, by index) gives the order of the errors.
    fn __reactive_validate(
        &self,
        renames: &[(&str, &str)],
        fields: fn(usize) -> Option<&'static str>,
    ) -> Result<(), ValidationReport>;
}

#[cfg(feature = "validate")]
impl<T> GardeValidate for T
where
    T: garde::Validate + ?Sized,
    T::Context: Default,
{
    fn __reactive_validate(
        &self,
        renames: &[(&str, &str)],
        fields: fn(usize) -> Option<&'static str>,
    ) -> Result<(), ValidationReport> {
        garde::Validate::validate(self).map_err(|report| {
            let fields: Vec<&str> = (0..).map_while(fields).collect();
            from_garde(report, renames, &fields)
        })
    }
}

#[cfg(all(test, feature = "validate"))]
mod tests {
    use garde::error::NoKey;
    use garde::{Error, Path, Report};

    use super::*;

    fn places(report: &ValidationReport) -> Vec<(&str, &str, &str)> {
        report
            .iter()
            .map(|e| (e.field.as_str(), e.path.as_str(), e.message.as_str()))
            .collect()
    }

    #[test]
    fn garde_paths_become_a_field_and_a_path_inside_it() {
        let mut report = Report::new();
        report.append(Path::new("r#type").join("kind"), Error::new("a"));
        report.append(Path::new("tags").join(2usize), Error::new("b"));
        report.append(
            Path::new("items").join(0usize).join("name"),
            Error::new("c"),
        );
        report.append(Path::new("nick").join(NoKey::default()), Error::new("d"));
        report.append(Path::empty(), Error::new("e"));
        assert_eq!(
            places(&ValidationReport::from(report)),
            [
                ("type", "kind", "a"),
                ("tags", "[2]", "b"),
                ("items", "[0].name", "c"),
                ("nick", "", "d"),
                ("", "", "e"),
            ]
        );
    }

    #[test]
    fn renamed_fields_take_their_names_and_the_table_gives_the_order() {
        let mut report = Report::new();
        // garde reports fields alphabetically.
        report.append(Path::new("a_field"), Error::new("1"));
        report.append(Path::new("unknown"), Error::new("2"));
        report.append(Path::new("z_field"), Error::new("3"));
        report.append(Path::new("z_field"), Error::new("4"));
        report.append(Path::empty(), Error::new("5"));
        let report = from_garde(report, &[("z_field", "zed")], &["zed", "a_field"]);
        assert_eq!(
            places(&report),
            [
                ("", "", "5"),
                ("zed", "", "3"),
                ("zed", "", "4"),
                ("a_field", "", "1"),
                ("unknown", "", "2"),
            ]
        );
        assert_eq!(
            report.to_string(),
            "5; zed: 3; zed: 4; a_field: 1; unknown: 2"
        );
    }
}

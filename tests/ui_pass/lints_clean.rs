//! The generated code raises no lint in the user's crate, under the strictest rustc levels.
#![deny(warnings, unused_lifetimes, unused_qualifications, missing_docs)]

/// Entities and reactive structs of every shape, with public items to document.
pub mod shapes {
    use reactive::prelude::*;

    /// A plain struct with computed and skipped fields.
    #[derive(Reactive, Clone, Debug)]
    pub struct Counter {
        /// The count.
        pub n: u64,
        /// A label.
        pub label: String,
        /// Twice the count.
        #[reactive(computed = self.n * 2)]
        pub double: u64,
        /// A cache.
        #[reactive(skip)]
        pub cache: Option<u64>,
        /// A function pointer: compared, as every field is.
        pub callback: fn(u64) -> u64,
    }

    /// A generic struct.
    #[derive(Reactive, Clone, Debug, PartialEq)]
    pub struct Tagged<T: Clone + PartialEq + Send + Sync + 'static> {
        /// The tag.
        pub tag: T,
    }

    /// An entity.
    #[derive(Reactive, Clone, Debug)]
    #[entity("notes")]
    pub struct Note {
        /// The id.
        #[reactive(id, generated)]
        pub id: Option<u64>,
        /// The body.
        pub body: String,
        /// The version.
        #[reactive(version)]
        pub version: u64,
    }

    /// An entity with hooks.
    #[derive(Reactive, Clone, Debug)]
    #[entity("accounts")]
    #[reactive(hooks)]
    pub struct Account {
        /// The id.
        pub id: String,
        /// The owner.
        pub owner: String,
    }

    impl ModelHooks for Account {}
}

fn double(n: u64) -> u64 {
    n * 2
}

/// Drives every shape (`pub` so that `tests/derive_pedantic.rs` can run it too).
pub fn main() {
    use reactive::prelude::*;
    let counter = Model::new(shapes::Counter {
        n: 1,
        label: "n".into(),
        double: 0,
        cache: None,
        callback: double,
    });
    counter.set_n(2).unwrap();
    assert_eq!(counter.double(), 4);
    let tagged = Model::new(shapes::Tagged { tag: 'a' });
    assert_eq!(tagged.tag(), 'a');
    let note = Model::draft(shapes::Note {
        id: None,
        body: "hi".into(),
        version: 0,
    });
    assert_eq!(note.body(), "hi");
    let account = Model::new(shapes::Account {
        id: "a".into(),
        owner: "Ada".into(),
    });
    assert_eq!(account.owner(), "Ada");
}

//! Every path in the generated code is absolute: the derive compiles in a module without the
//! prelude (as serde's derives do), for a plain struct, computed fields and an entity.
#![no_implicit_prelude]

mod inner {
    #![no_implicit_prelude]

    #[derive(::reactive::Reactive, ::std::clone::Clone, ::std::fmt::Debug)]
    pub struct Counter {
        pub n: u64,
        pub label: ::std::string::String,
        #[reactive(computed = self.n * 2)]
        pub double: u64,
        #[reactive(computed = Self::describe, deps(label, n))]
        pub text: ::std::string::String,
        #[reactive(skip)]
        pub cache: ::std::option::Option<u64>,
    }

    impl Counter {
        fn describe(&self) -> ::std::string::String {
            ::std::format!("{}: {}", self.label, self.n)
        }
    }

    #[derive(::reactive::Reactive, ::std::clone::Clone, ::std::fmt::Debug)]
    #[entity("notes")]
    pub struct Note {
        #[reactive(id, generated)]
        pub id: ::std::option::Option<u64>,
        pub body: ::std::string::String,
        #[reactive(version)]
        pub version: u64,
    }

    #[derive(::reactive::Reactive, ::std::clone::Clone)]
    #[reactive(hooks)]
    pub struct Account {
        pub owner: ::std::string::String,
    }

    impl ::reactive::ModelHooks for Account {}
}

fn main() {
    let counter = ::reactive::Model::new(inner::Counter {
        n: 1,
        label: ::std::string::ToString::to_string("n"),
        double: 0,
        text: ::std::string::String::new(),
        cache: ::std::option::Option::None,
    });
    counter.set_n(2).unwrap();
    ::std::assert_eq!(counter.double(), 4);
    ::std::assert_eq!(counter.text(), "n: 2");
    let note = ::reactive::Model::draft(inner::Note {
        id: ::std::option::Option::None,
        body: ::std::string::ToString::to_string("hi"),
        version: 0,
    });
    note.set_body(::std::string::ToString::to_string("hello")).unwrap();
    ::std::assert_eq!(note.body(), "hello");
}

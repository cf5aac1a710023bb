//! `wire_enum!`: a closed set of wire strings as an enum, each spelling written once: the enum,
//! its serde names, [`Choice`](crate::validate::Choice) (so `Fields::choice` validates it and lists
//! the members in its error), and comparison with text.

/// Declares an enum of wire strings: serde renames each member to its string and [`Choice`]
/// lists the members in order, so the spelling is written once.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant,)+
        }

        impl $crate::validate::Choice for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const NAMES: &'static [&'static str] = &[$($wire),+];
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl $name {
            /// The wire spelling (also [`Choice::as_str`](crate::validate::Choice::as_str)).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }

        /// Compares with a wire spelling (`status == "FAILED"`).
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

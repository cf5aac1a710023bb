//! The field rules of the CodeArts models: limits, the patterns of names and ids, and how a copy
//! is named. The limits are Huawei's unless marked as ours (docs/codearts.md lists them all).

use crate::ids::is_huawei_id;
use crate::validate::StrRule;

/// Application names: 3 to 128 characters.
pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 128;
/// Application and operation descriptions.
pub const DESCRIPTION_MAX: usize = 1024;
/// Operation fields.
pub const OP_NAME_MAX: usize = 128;
pub const OP_TEXT_MAX: usize = 1024;
pub const OP_CODE_MAX: usize = 102_400;
pub const OP_PARAMS_MAX: usize = 204_800;
/// Our own bounds where the docs give none (documented in docs/codearts.md).
pub const ARRANGE_INFOS_MAX: usize = 10;
pub const OPERATIONS_MAX: usize = 100;
pub const AGENCY_URN_MAX: usize = 512;
pub const SLAVE_RESOURCE_TYPE_MAX: usize = 64;
pub const TIMEOUT_MIN: i64 = 0;
pub const TIMEOUT_MAX: i64 = 86_400;
pub const SEARCH_MAX: usize = 128;
pub const BATCH_DELETE_MAX: usize = 100;
/// Listing bounds (Huawei's).
pub const PAGE_MIN: i64 = 1;
pub const PAGE_MAX: i64 = 99_999;
pub const SIZE_MIN: i64 = 1;
pub const SIZE_MAX: i64 = 100;
/// `ansible_type`: 0 or 1.
pub const ANSIBLE_TYPE_MIN: i64 = 0;
pub const ANSIBLE_TYPE_MAX: i64 = 1;

/// `group_id` value of a listing that asks for applications in no group.
pub const NO_GROUP: &str = "no_grouped";

/// Letters, digits, `_` and `-` (the length is checked separately).
pub fn is_app_name(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Letters, digits, spaces and `-_,;:./()`, not starting or ending with a space.
pub fn is_operation_name(s: &str) -> bool {
    !s.starts_with(' ')
        && !s.ends_with(' ')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" -_,;:./()".contains(&b))
}

fn is_id_or_empty(s: &str) -> bool {
    s.is_empty() || is_huawei_id(s)
}

fn is_group_filter(s: &str) -> bool {
    s == NO_GROUP || is_id_or_empty(s)
}

/// A required id (project, application): 32 letters and digits.
pub const ID: StrRule = StrRule::required(32).pattern(is_huawei_id, "32 letters and digits");
pub(crate) const OPTIONAL_ID: StrRule =
    StrRule::optional(32).pattern(is_huawei_id, "32 letters and digits");
pub(crate) const ID_OR_EMPTY: StrRule =
    StrRule::optional(32).pattern(is_id_or_empty, "empty or 32 letters and digits");
/// A listing's `group_id`.
pub(super) const GROUP_FILTER: StrRule = StrRule::optional(32).pattern(
    is_group_filter,
    "empty, no_grouped or 32 letters and digits",
);
pub(crate) const NAME: StrRule = StrRule::required(NAME_MAX).min(NAME_MIN).pattern(
    is_app_name,
    "letters, digits, underscores (_) and hyphens (-)",
);
pub(crate) const OP_NAME: StrRule = StrRule::optional(OP_NAME_MAX).pattern(
    is_operation_name,
    "letters, digits, spaces and -_,;:./() without a leading or trailing space",
);

/// The name a copy of `name` gets on its `n`th try: `{name}_copy`, then `{name}_copy_2`, ...,
/// with `name` shortened so the result stays within [`NAME_MAX`].
pub fn copy_name(name: &str, n: u32) -> String {
    let suffix = if n <= 1 {
        "_copy".to_owned()
    } else {
        format!("_copy_{n}")
    };
    let keep = NAME_MAX.saturating_sub(suffix.len());
    let base: String = name.chars().take(keep).collect();
    format!("{base}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_allow_spaces_and_punctuation_inside() {
        assert!(is_operation_name("Install (step 1): a/b.c;d,e-f_g"));
        assert!(!is_operation_name("trailing "));
        assert!(!is_operation_name("a*b"));
    }

    #[test]
    fn copy_names_stay_within_128_characters() {
        assert_eq!(copy_name("app", 1), "app_copy");
        assert_eq!(copy_name("app", 2), "app_copy_2");
        let long = "a".repeat(128);
        assert_eq!(copy_name(&long, 1).len(), 128);
        assert!(copy_name(&long, 12).ends_with("_copy_12"));
        assert_eq!(copy_name(&long, 12).len(), 128);
    }
}

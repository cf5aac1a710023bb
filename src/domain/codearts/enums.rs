//! The closed sets of strings in the CodeArts models, each an enum spelled on the wire exactly as
//! Huawei's models spell it (one string per member, for serde, parsing and error messages alike).

use crate::domain::wire_enum;

wire_enum! {
    /// How an application was created: only from a template.
    CreateType {
        Template = "template",
    }
}

wire_enum! {
    /// The deployment system of a task: the only one accepted on write.
    #[derive(Default)]
    DeploySystem {
        #[default]
        DeployTemplate = "deployTemplate",
    }
}

wire_enum! {
    /// Who may start a deployment (`TaskTriggerVO.trigger_source`).
    TriggerSource {
        /// `"0"`: anyone.
        Anyone = "0",
        /// `"1"`: only a pipeline.
        Pipeline = "1",
    }
}

wire_enum! {
    /// Where a triggering artifact comes from.
    ArtifactSourceSystem {
        Unset = "",
        Artifact = "Artifact",
    }
}

wire_enum! {
    /// The kind of a triggering artifact.
    ArtifactType {
        Unset = "",
        Generic = "generic",
        Docker = "docker",
    }
}

wire_enum! {
    /// What a listing is ordered by.
    SortName {
        Name = "name",
        /// By start time; an application never deployed starts at its creation.
        StartTime = "startTime",
    }
}

wire_enum! {
    /// Which way a listing is ordered.
    SortBy {
        Asc = "ASC",
        Desc = "DESC",
    }
}

impl SortBy {
    /// The order a listing by `name` has when `sort_by` is not given: A to Z by name, newest
    /// first by time.
    pub fn default_for(name: SortName) -> Self {
        match name {
            SortName::Name => SortBy::Asc,
            SortName::StartTime => SortBy::Desc,
        }
    }
}

wire_enum! {
    /// The execution state of an application or task, as a listing filters on it.
    ExecutionState {
        Abort = "abort",
        Failed = "failed",
        NotStarted = "not_started",
        Pending = "pending",
        Running = "running",
        Succeeded = "succeeded",
        Timeout = "timeout",
        /// Never deployed: every application here.
        NotExecuted = "not_executed",
    }
}

wire_enum! {
    /// The `status` of an answer, and of each line of a batch delete.
    Outcome {
        Success = "success",
        Error = "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Choice;
    use serde::{Deserialize, Serialize};

    #[test]
    fn each_member_serialises_and_parses_as_its_one_spelling() {
        fn check<
            T: Choice + Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
        >() {
            for member in T::ALL {
                let text = serde_json::to_string(member).unwrap();
                assert_eq!(text, format!("\"{}\"", member.as_str()));
                assert_eq!(serde_json::from_str::<T>(&text).unwrap(), *member);
                assert_eq!(T::parse(member.as_str()), Some(*member));
            }
            assert_eq!(T::parse("bogus"), None);
        }
        check::<CreateType>();
        check::<DeploySystem>();
        check::<TriggerSource>();
        check::<ArtifactSourceSystem>();
        check::<ArtifactType>();
        check::<SortName>();
        check::<SortBy>();
        check::<ExecutionState>();
        check::<Outcome>();
        assert_eq!(
            ExecutionState::NAMES.join(", "),
            "abort, failed, not_started, pending, running, succeeded, timeout, not_executed"
        );
        assert_eq!(ArtifactType::NAMES, ["", "generic", "docker"]);
    }
}
